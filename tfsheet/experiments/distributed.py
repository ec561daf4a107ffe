"""The sheet's models trained under a tf.distribute strategy, with checkpoints that survive kills.

One function, `run(config, workdir, strategy)`, trains one of three models on real data with the
shared engine: the Problem 2 MLP (MNIST, squared loss), Problem 1's softmax regression (MNIST,
hand-derived gradients) or the Problem 5.1 character RNN (Tiny Shakespeare, TBPTT with the state
carried per stream). Models and optimizer are built inside the strategy's scope; checkpoints go
to workdir/checkpoints every `checkpoint_every` steps and at each epoch end, and a restarted run
resumes from the newest one. Every worker writes its final weights to workdir/weights-<task>.npz
(so runs can be compared bit for bit); the chief also writes workdir/results.json.
"""

import dataclasses
import pathlib
import time

import keras
import numpy as np

from tfsheet.data import encodings, load_mnist
from tfsheet.results import write_json
from tfsheet.training import ArrayData, Runtime, TrainConfig, distribution, seed_everything

def _train_classifier(config, runtime, workdir):
    from tfsheet.models import losses
    from tfsheet.models.mlp import build_mlp
    from tfsheet.models.softmax_regression import build_softmax_regression

    split = load_mnist("train", config.train_examples)
    if config.model == "mlp":
        build, loss, metrics = (lambda: build_mlp(config.num_hidden, "one_hot"), losses.squared_loss,
                                losses.MLP_METRICS["one_hot"])
        data = ArrayData(split.images, encodings.encode(split.labels, "one_hot"))
    else:
        build, loss, metrics = build_softmax_regression, losses.cross_entropy_loss, losses.CLASSIFIER_METRICS
        data = ArrayData(split.images, split.labels)
    model, trainer = runtime.make_trainer(
        build, loss, lambda: keras.optimizers.Adam(config.learning_rate),
        TrainConfig(epochs=config.epochs, batch_size=config.batch_size, seed=config.seed,
                    checkpoint_every=config.checkpoint_every, steps_per_call=config.steps_per_call),
        name=config.model, metrics=metrics, workdir=workdir)
    return model, trainer, trainer.fit(data), len(data)


def _train_char_rnn(config, runtime, workdir):
    from tfsheet.data import load_tiny_shakespeare
    from tfsheet.data.vocabulary import CharVocabulary
    from tfsheet.models.language_models import RNNLanguageModel
    from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, train_on_streams

    text = load_tiny_shakespeare("train")[:config.train_examples * 10]
    vocab = CharVocabulary.from_text(text)
    inputs, targets = language_model_pairs(vocab.encode(text))
    streams, window = config.batch_size, 8
    model, trainer, history = train_on_streams(
        runtime, lambda: RNNLanguageModel(len(vocab), config.num_hidden, streams=streams), inputs, targets,
        streams=streams, window=window, gradients_for=lambda model: carried_state_gradients,
        learning_rate=config.learning_rate, seed=config.seed, epochs=config.epochs, name="char_rnn", workdir=workdir,
        checkpoint_every=config.checkpoint_every, steps_per_call=config.steps_per_call)
    return model, trainer, history, len(inputs) // (streams * window) * streams


def run(config, workdir, strategy, verbose=False):
    """Train `config.model` (a configs.DistributedConfig) under `strategy` (a tf.distribute strategy, or its
    name); return the results."""
    workdir = pathlib.Path(workdir)
    if isinstance(strategy, str):
        strategy = distribution.make_strategy(strategy)
    runtime = Runtime(strategy=strategy, verbose=verbose)
    seed_everything(config.seed)
    train = _train_char_rnn if config.model == "char_rnn" else _train_classifier
    started = time.perf_counter()
    model, trainer, history, examples = train(config, runtime, workdir)
    seconds = time.perf_counter() - started
    np.savez(workdir / f"weights-{distribution.task_name(strategy)}.npz",
             *[np.asarray(v) for v in model.trainable_variables])
    results = {"model": config.model, "strategy": distribution.describe(strategy),
               "replicas": strategy.num_replicas_in_sync,
               "steps": int(trainer.step.numpy()), "history": history, "train_seconds": round(seconds, 3),
               "examples_per_second": len(history) * examples / seconds if history and seconds > 0 else None,
               "config": dataclasses.asdict(config)}
    if trainer.chief:
        write_json(workdir / "results.json", results)
    return results
