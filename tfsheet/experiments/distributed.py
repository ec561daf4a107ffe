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
import tensorflow as tf

from tfsheet.data import encodings, load_mnist
from tfsheet.training import ArrayData, TrainConfig, Trainer, distribution, seed_everything

MODELS = ("mlp", "softmax_regression", "char_rnn")


@dataclasses.dataclass(frozen=True)
class DistributedConfig:
    """What to train; small by default, so that runs on a 2-core CPU take seconds."""

    model: str = "mlp"
    epochs: int = 2
    batch_size: int = 128          # the global batch, split evenly over the replicas
    train_examples: int = 12_800   # MNIST images (or, for char_rnn, characters / 10)
    num_hidden: int = 64
    learning_rate: float = 1e-3
    checkpoint_every: int = 10     # steps
    steps_per_call: int = 0        # steps per compiled call (0: up to the next checkpoint or epoch end)
    seed: int = 0

    def __post_init__(self):
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; valid models: {', '.join(MODELS)}")
        for name in ("epochs", "batch_size", "train_examples", "num_hidden"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be an int >= 1. Received: {name}={getattr(self, name)!r}")


def _mlp(config):
    from tfsheet.models.mlp import METRICS, build_mlp, squared_loss

    split = load_mnist("train").take(config.train_examples)
    data = ArrayData(split.images, encodings.encode(split.labels, "one_hot"))
    return (lambda: build_mlp(config.num_hidden, "one_hot"), squared_loss, METRICS["one_hot"], data, {})


def _softmax_regression(config):
    from tfsheet.models.classification import CLASSIFIER_METRICS, cross_entropy_loss
    from tfsheet.models.softmax_regression import build_softmax_regression

    split = load_mnist("train").take(config.train_examples)
    return (build_softmax_regression, cross_entropy_loss, CLASSIFIER_METRICS,
            ArrayData(split.images, split.labels), {})


def _char_rnn(config):
    from tfsheet.data import load_tiny_shakespeare
    from tfsheet.data.vocabulary import CharVocabulary
    from tfsheet.models.language_models import RNNLanguageModel, token_cross_entropy
    from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, stream_windows

    text = load_tiny_shakespeare("train")[:config.train_examples * 10]
    vocab = CharVocabulary.from_text(text)
    streams, window = config.batch_size, 8
    x, y = stream_windows(*language_model_pairs(vocab.encode(text)), streams, window)
    return (lambda: RNNLanguageModel(len(vocab), config.num_hidden, streams=streams), token_cross_entropy, {},
            ArrayData(x, y), {"shuffle": False, "gradients": carried_state_gradients})


def run(config, workdir, strategy=None, verbose=False):
    """Train `config.model` under `strategy` (a name, a tf.distribute strategy, or None for the one in
    force); return the results."""
    workdir = pathlib.Path(workdir)
    if strategy is None:
        strategy = tf.distribute.get_strategy()          # the scope the caller opened (none: one device)
    elif isinstance(strategy, str):
        strategy = distribution.make_strategy(strategy)
    seed_everything(config.seed)
    build, loss, metrics, data, options = {"mlp": _mlp, "softmax_regression": _softmax_regression,
                                           "char_rnn": _char_rnn}[config.model](config)
    gradients = options.pop("gradients", None)
    train_config = TrainConfig(epochs=config.epochs, batch_size=config.batch_size, seed=config.seed,
                               checkpoint_every=config.checkpoint_every, steps_per_call=config.steps_per_call,
                               verbose=verbose, **options)
    with strategy.scope():
        model = build()
        optimizer = keras.optimizers.Adam(config.learning_rate)
        trainer = Trainer(model, loss, optimizer, train_config, metrics=metrics, workdir=workdir,
                          strategy=strategy, **({"gradients": gradients} if gradients else {}))
    started = time.perf_counter()
    history = trainer.fit(data)
    seconds = time.perf_counter() - started
    task = distribution.task_name(strategy)
    np.savez(workdir / f"weights-{task}.npz", *[np.asarray(v) for v in model.trainable_variables])
    results = {"model": config.model, "strategy": distribution.describe(strategy),
               "replicas": strategy.num_replicas_in_sync,
               "steps": int(trainer.step.numpy()), "history": history, "train_seconds": round(seconds, 3),
               "examples_per_second": (len(history) * (len(data) // config.batch_size) * config.batch_size
                                       / seconds if history and seconds > 0 else None),
               "config": dataclasses.asdict(config)}
    if trainer.chief:
        (workdir / "results.json").write_text(json.dumps(results, indent=2))
    return results

