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
import json
import pathlib
import time

import keras
import numpy as np

from tfsheet.data import encodings, load_mnist
from tfsheet.experiments.configs import CHARS_PER_EXAMPLE, DISTRIBUTED_WINDOW
from tfsheet.errors import TfsheetError
from tfsheet.results import as_written, write_json
from tfsheet.training import ArrayData, Runtime, TrainConfig, distribution, seed_everything

SETTINGS_FILE = "settings.json"   # the settings the workdir's checkpoints were made with
# settings a resumed run may change: how long it trains and how often it saves, not what it trains
RESUMABLE_CHANGES = ("epochs", "checkpoint_every", "steps_per_call")


def _finished_steps(workdir):
    """The steps results.json says the run in `workdir` finished with (None without one)."""
    try:
        return json.loads((pathlib.Path(workdir) / "results.json").read_text())["steps"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_resumable(config, workdir):
    """Refuse, naming the settings, to resume checkpoints made with settings that change what is trained."""
    path = pathlib.Path(workdir) / SETTINGS_FILE
    if not path.is_file() or not any((pathlib.Path(workdir) / "checkpoints").glob("ckpt-*.index")):
        return
    try:
        before = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        before = error
    if not isinstance(before, dict):
        raise TfsheetError(f"{path} is not the settings file this command writes (a JSON object), so the checkpoints "
                           f"beside it cannot be matched to their settings; delete {path.parent / 'checkpoints'} and "
                           f"{path} to start over, or use another --workdir.")
    now = as_written(dataclasses.asdict(config))
    changed = [f"{name} {before.get(name)!r} -> {now[name]!r}" for name in now
               if name not in RESUMABLE_CHANGES and before.get(name) != now[name]]
    if changed:
        raise TfsheetError(f"{workdir} holds checkpoints of a run with other settings ({', '.join(changed)}); "
                           "resuming them would train another model. Use another --workdir, or delete "
                           f"{pathlib.Path(workdir) / 'checkpoints'} to start over.")

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

    text = load_tiny_shakespeare("train")[:config.train_examples * CHARS_PER_EXAMPLE]
    vocab = CharVocabulary.from_text(text)
    inputs, targets = language_model_pairs(vocab.encode(text))
    streams, window = config.batch_size, DISTRIBUTED_WINDOW
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
    check_resumable(config, workdir)
    if distribution.is_chief(strategy):
        write_json(workdir / SETTINGS_FILE, dataclasses.asdict(config))
    seed_everything(config.seed)
    train = _train_char_rnn if config.model == "char_rnn" else _train_classifier
    finished_before = _finished_steps(workdir)      # read now: the chief may write results.json while we train
    started = time.perf_counter()
    model, trainer, history, examples = train(config, runtime, workdir)
    seconds = time.perf_counter() - started
    if int(trainer.step.numpy()) == finished_before:
        raise TfsheetError(f"{workdir}'s checkpoints already hold {int(trainer.step.numpy())} steps, all that "
                           f"--epochs {config.epochs} asks for or more, so nothing was trained and results.json "
                           "is left as it was; give more --epochs to go on, or another --workdir.")
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
