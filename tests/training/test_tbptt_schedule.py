"""train_on_streams's learning-rate schedule: cosine decay spans the whole run, not one epoch."""

import math

import numpy as np
import pytest

from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.training import Runtime, seed_everything
from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, train_on_streams

STREAMS, WINDOW, EPOCHS, RATE = 4, 5, 2, 0.01


def _train(schedule):
    seed_everything(0)
    tokens = np.random.default_rng(0).integers(0, 6, size=4 * 5 * 3 + 1)      # 3 windows per stream
    inputs, targets = language_model_pairs(tokens)
    model, trainer, history = train_on_streams(
        Runtime(), lambda: RNNLanguageModel(6, 8, streams=STREAMS), inputs, targets, streams=STREAMS,
        window=WINDOW, gradients_for=lambda model: carried_state_gradients, learning_rate=RATE, seed=0,
        name=f"schedule_{schedule}", epochs=EPOCHS, schedule=schedule)
    return model, trainer, history


def test_cosine_decays_from_the_rate_to_zero_over_all_epochs():
    _, trainer, history = _train("cosine")
    updates = EPOCHS * 3
    assert int(trainer.optimizer.iterations.numpy()) == updates
    rate = trainer.optimizer._learning_rate                     # the schedule, a function of the update count
    assert float(rate(0)) == pytest.approx(RATE)
    assert float(rate(updates // 2)) == pytest.approx(RATE / 2, rel=1e-5)      # half-way through the run, not one epoch
    assert float(trainer.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)
    assert float(rate(1)) == pytest.approx(RATE * (1 + math.cos(math.pi / updates)) / 2, rel=1e-5)
    assert all(np.isfinite(record["loss"]) for record in history)


def test_constant_keeps_the_rate_and_differs_from_cosine():
    constant, trainer, _ = _train("constant")
    assert float(trainer.optimizer.learning_rate) == pytest.approx(RATE)
    cosine, _, _ = _train("cosine")
    assert any(not np.allclose(a, b) for a, b in zip(constant.get_weights(), cosine.get_weights()))


def test_an_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="schedule must be one of constant, cosine"):
        _train("linear")
