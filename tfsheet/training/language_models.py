"""Training the language models Problem 5 compares: the RNN by truncated BPTT, and the neural n-gram.

    spec = LanguageModelSpec(vocab_size=65, hidden_size=256, seed=0, streams=32)
    rnn = train_rnn(runtime, spec, inputs, targets, window=8, mode="carried", hyperparameters=chosen)
    ngram = train_neural_ngram(runtime, spec, inputs, targets, context=7, steps=12_000, hyperparameters=chosen)

`hyperparameters` is what a search chose: {"learning_rate": Adam's rate, "clip_norm": the global gradient norm
clipped to, 0 for none} (rate_and_clipping_grid lists the candidates).
"""

import dataclasses
import math

import keras
import numpy as np

from tfsheet.models.language_models import RNNLanguageModel, build_neural_ngram
from tfsheet.models.losses import token_cross_entropy
from tfsheet.training.engine import ArrayData, TrainConfig
from tfsheet.training.scoring import context_windows
from tfsheet.training.search import grid
from tfsheet.training.seeding import seed_everything
from tfsheet.training.tbptt import carried_state_gradients, reset_state_gradients, train_on_streams

RNN_MODES = ("carried", "reset", "frozen")
NGRAM_BATCH = 256


@dataclasses.dataclass(frozen=True)
class LanguageModelSpec:
    """What the models of one comparison share: vocabulary, width, seed, and the RNN's parallel streams.
    `output_size` (default: the vocabulary) is the number of classes predicted."""

    vocab_size: int
    hidden_size: int
    seed: int
    streams: int = 1
    output_size: int | None = None

    @property
    def outputs(self):
        return self.output_size or self.vocab_size


def rate_and_clipping_grid(learning_rates, clip_norms):
    """The candidate {"learning_rate", "clip_norm"} pairs of a search; clip_norm 0 means no clipping."""
    return grid(learning_rate=learning_rates, clip_norm=clip_norms)


def updates_per_pass(num_tokens, streams, window):
    """Updates in one pass of TBPTT over `num_tokens` in `streams` streams with windows of `window` tokens."""
    return num_tokens // streams // window


def train_rnn(runtime, spec, inputs, targets, window, mode, hyperparameters, epochs=1, max_updates=0):
    """An RNN trained by TBPTT with `window` = k and `mode`:

    "carried": the state crosses windows, gradients stop after k steps;
    "reset": every window starts from h = 0 (reset with a long window is full BPTT);
    "frozen": the control: the state is carried but the recurrent cell keeps its initial weights and
        only the readout learns, so whatever it gets right comes from the memory the random
        (orthogonal) initialisation already has, not from anything learned through time.

    It trains `epochs` passes, or as many as `max_updates` takes when that needs more.
    """
    if mode not in RNN_MODES:
        raise ValueError(f"mode must be one of {RNN_MODES}. Received: mode={mode!r}")
    seed_everything(spec.seed)
    gradients = reset_state_gradients if mode == "reset" else carried_state_gradients

    def build():
        model = RNNLanguageModel(spec.vocab_size, spec.hidden_size, spec.outputs, streams=spec.streams)
        model.cell.trainable = mode != "frozen"
        return model

    if max_updates:
        epochs = max(epochs, math.ceil(max_updates / updates_per_pass(len(inputs), spec.streams, window)))
    model, _, _ = train_on_streams(
        runtime, build, inputs, targets, streams=spec.streams, window=window, gradients_for=lambda model: gradients,
        learning_rate=hyperparameters["learning_rate"], clip_norm=hyperparameters["clip_norm"] or None, seed=spec.seed,
        epochs=epochs, max_updates=max_updates,
        name=f"rnn_{mode}_k{window}_hidden{spec.hidden_size}_seed{spec.seed}"
             + (f"_{max_updates}updates" if max_updates else ""))
    return model


def train_neural_ngram(runtime, spec, inputs, targets, context, steps, hyperparameters):
    """A neural n-gram (context n - 1 tokens) trained for about `steps` Adam steps of batch NGRAM_BATCH on
    windows drawn without replacement (passing over them more than once when `steps` needs it)."""
    seed_everything(spec.seed)
    x, y = context_windows(inputs, targets, context)
    passes = max(1, math.ceil(steps * NGRAM_BATCH / len(x)))
    chosen = np.random.default_rng(spec.seed).permutation(len(x))[:math.ceil(steps * NGRAM_BATCH / passes)]
    model, trainer = runtime.make_trainer(
        lambda: build_neural_ngram(spec.vocab_size, context, spec.outputs, hidden_size=spec.hidden_size),
        token_cross_entropy,
        lambda: keras.optimizers.Adam(hyperparameters["learning_rate"],
                                      global_clipnorm=hyperparameters["clip_norm"] or None),
        TrainConfig(epochs=passes, batch_size=NGRAM_BATCH, seed=spec.seed),
        name=f"neural_{context + 1}gram_hidden{spec.hidden_size}_seed{spec.seed}")
    trainer.fit(ArrayData(x[chosen], y[chosen]))
    return model
