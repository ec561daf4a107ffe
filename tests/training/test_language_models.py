"""The RNN trained by TBPTT in each of its modes, and the neural n-gram, as Problem 5 trains them."""

import numpy as np
import pytest

from tfsheet.training import Runtime
from tfsheet.training.language_models import (LanguageModelSpec, rate_and_clipping_grid, train_neural_ngram,
                                              train_rnn, updates_per_pass)
from tfsheet.training.tbptt import language_model_pairs

TOKENS = np.random.default_rng(0).integers(0, 4, size=2_001).astype(np.int32)
SETTINGS = {"learning_rate": 0.01, "clip_norm": 1.0}
SPEC = LanguageModelSpec(vocab_size=4, hidden_size=8, seed=0, streams=4)


class Counting(Runtime):
    """A Runtime that keeps the trainers it made, to count their updates."""

    def make_trainer(self, *arguments, **options):
        model, trainer = super().make_trainer(*arguments, **options)
        TRAINERS.append(trainer)
        return model, trainer


TRAINERS = []


def _updates_of_the_last_training():
    return int(TRAINERS[-1].current_step())


def test_a_frozen_rnn_learns_only_its_readout():
    inputs, targets = language_model_pairs(TOKENS)
    untrained = train_rnn(Runtime(), SPEC, inputs[:16], targets[:16], 4, "frozen", {"learning_rate": 0.0,
                                                                                    "clip_norm": 0.0})
    frozen = train_rnn(Runtime(), SPEC, inputs, targets, 4, "frozen", SETTINGS)
    carried = train_rnn(Runtime(), SPEC, inputs, targets, 4, "carried", SETTINGS)
    for before, after in zip(untrained.cell.get_weights(), frozen.cell.get_weights()):
        np.testing.assert_array_equal(before, after)                  # same seed, same initial cell
    assert any(not np.array_equal(a, b) for a, b in zip(untrained.cell.get_weights(), carried.cell.get_weights()))


def test_max_updates_passes_over_the_data_as_often_as_it_takes():
    inputs, targets = language_model_pairs(TOKENS)
    per_pass = updates_per_pass(len(inputs), SPEC.streams, 4)
    assert per_pass == 2_000 // 4 // 4
    train_rnn(Counting(), SPEC, inputs, targets, 4, "carried", SETTINGS, max_updates=per_pass + 7)
    assert _updates_of_the_last_training() == per_pass + 7


def test_an_unknown_mode_is_refused():
    inputs, targets = language_model_pairs(TOKENS)
    with pytest.raises(ValueError, match="mode must be one of"):
        train_rnn(Runtime(), SPEC, inputs, targets, 4, "lstm", SETTINGS)


def test_the_neural_ngram_trains_about_the_steps_asked_for():
    inputs, targets = language_model_pairs(TOKENS)
    train_neural_ngram(Counting(), SPEC, inputs, targets, context=3, steps=12, hyperparameters=SETTINGS)
    assert _updates_of_the_last_training() == 12


def test_the_search_grid_crosses_rates_and_clipping():
    assert rate_and_clipping_grid((0.1, 0.3), (0.0,)) == [{"learning_rate": 0.1, "clip_norm": 0.0},
                                                           {"learning_rate": 0.3, "clip_norm": 0.0}]
