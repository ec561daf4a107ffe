"""Dynamic evaluation scores every token before learning from it: with eta = 0 it is the static model,
the first segment is always the static model's, no token's score depends on later text, and on text
that repeats it learns what the static model cannot."""

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.training.dynamic_evaluation import dynamic_log_probs
from tfsheet.training.tbptt import sequence_log_probs

VOCAB, WINDOW = 7, 8


def _model(cell):
    tf.keras.utils.set_random_seed(0)
    return RNNLanguageModel(VOCAB, 12, cell=cell, dtype="float64")


def _text(length, seed=0):
    ids = np.random.default_rng(seed).integers(0, VOCAB, length + 1)
    return ids[:-1], ids[1:]


@pytest.mark.parametrize("cell", ["tanh", "gru"])
def test_with_no_learning_rate_it_is_the_static_model(cell):
    model = _model(cell)
    inputs, targets = _text(60)                  # 7 whole segments of 8 and a last one of 4
    dynamic = dynamic_log_probs(model, inputs, targets, learning_rate=0.0, window=WINDOW)
    np.testing.assert_allclose(dynamic, sequence_log_probs(model, inputs, targets), rtol=1e-10, atol=1e-12)


def test_the_first_segment_is_scored_before_any_update_and_the_model_is_left_unchanged():
    model = _model("gru")
    before = [w.copy() for w in model.get_weights()]
    inputs, targets = _text(40)
    static = sequence_log_probs(model, inputs, targets)
    dynamic = dynamic_log_probs(model, inputs, targets, learning_rate=0.5, window=WINDOW)
    np.testing.assert_allclose(dynamic[:WINDOW], static[:WINDOW], rtol=1e-10)
    assert not np.allclose(dynamic[WINDOW:], static[WINDOW:])           # later segments see learned weights
    for original, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(original, now)


def test_no_score_depends_on_text_that_comes_after_it():
    model = _model("tanh")
    inputs, targets = _text(48)
    changed = targets.copy()
    changed[3 * WINDOW:] = (changed[3 * WINDOW:] + 1) % VOCAB           # rewrite segments 4 to 6
    first = dynamic_log_probs(model, inputs, targets, learning_rate=0.5, window=WINDOW)
    second = dynamic_log_probs(model, inputs, changed, learning_rate=0.5, window=WINDOW)
    np.testing.assert_array_equal(first[:3 * WINDOW], second[:3 * WINDOW])
    assert not np.allclose(first[3 * WINDOW:], second[3 * WINDOW:])


def test_on_text_that_repeats_it_learns_the_repeats_the_static_model_cannot():
    model = _model("gru")
    passage = np.random.default_rng(1).integers(0, VOCAB, 32)
    ids = np.tile(passage, 12)                                            # (384,) the passage 12 times
    static = sequence_log_probs(model, ids[:-1], ids[1:])
    dynamic = dynamic_log_probs(model, ids[:-1], ids[1:], learning_rate=1.0, window=WINDOW)
    last_repeats = slice(len(dynamic) - 64, len(dynamic))
    assert -dynamic[last_repeats].mean() < 0.85 * -static[last_repeats].mean()


def test_decay_towards_the_trained_weights_limits_what_it_learns():
    model = _model("gru")
    ids = np.tile(np.random.default_rng(1).integers(0, VOCAB, 32), 12)    # (384,) a passage 12 times
    nats = {decay: -dynamic_log_probs(model, ids[:-1], ids[1:], learning_rate=1.0, window=WINDOW,
                                      decay=decay)[-64:].mean() for decay in (0.0, 0.1)}
    assert nats[0.0] < nats[0.1] - 0.1     # each step gives back a tenth of what the weights learned


@pytest.mark.parametrize("options, message", [
    ({"learning_rate": -0.1}, "learning_rate"), ({"learning_rate": float("nan")}, "learning_rate"),
    ({"window": 0}, "window"), ({"window": 2.5}, "window"), ({"decay": 1.5}, "decay"),
])
def test_invalid_arguments_are_refused(options, message):
    inputs, targets = _text(40)
    with pytest.raises(ValueError, match=message):
        dynamic_log_probs(_model("tanh"), inputs, targets, **{"learning_rate": 0.1, "window": WINDOW, **options})


def test_an_empty_text_is_refused():
    with pytest.raises(ValueError, match="empty"):
        dynamic_log_probs(_model("tanh"), np.zeros(0, int), np.zeros(0, int), learning_rate=0.1, window=WINDOW)


def test_only_a_recurrent_language_model_is_accepted():
    inputs, targets = _text(40)
    with pytest.raises(TypeError, match="RNNLanguageModel"):
        dynamic_log_probs(object(), inputs, targets, learning_rate=0.1, window=WINDOW)
