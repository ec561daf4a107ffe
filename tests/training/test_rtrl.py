"""Q5.2: RTRL's in-order gradients equal BPTT's; SnAp-1 approximates them; online learning works."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfsheet.training import rtrl
from tfsheet.training.online_rtrl import OnlineRTRL
from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.models.losses import token_cross_entropy
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything
from tfsheet.training.tbptt import stream_windows


def problem(hidden_size, length, seed=0, with_state=True, vocab=5, batch=3):
    tf.keras.utils.set_random_seed(seed)
    model = RNNLanguageModel(vocab, hidden_size, dtype="float64")
    rng = np.random.default_rng(seed)
    state = rng.normal(scale=0.5, size=(batch, hidden_size)) if with_state else None
    return model, rng.integers(0, vocab, (batch, length)), rng.integers(0, vocab, (batch, length)), state


def relative_error(got, want):
    return max(float(tf.reduce_max(tf.abs(g - w)) / tf.reduce_max(tf.abs(w))) for g, w in zip(got, want))


@pytest.mark.parametrize("hidden_size", [4, 16, 32])
@pytest.mark.parametrize("length", [1, 10, 100])
@pytest.mark.parametrize("with_state", [False, True])
def test_rtrl_equals_bptt_in_float64(hidden_size, length, with_state):
    model, inputs, targets, state = problem(hidden_size, length, with_state=with_state)
    rtrl_loss, rtrl_grads = rtrl.rtrl_gradients(model, inputs, targets, state)
    bptt_loss, bptt_grads = rtrl.bptt_gradients(model, inputs, targets, state)
    assert [g.shape for g in rtrl_grads] == [v.shape for v in model.trainable_variables]
    assert float(rtrl_loss) == pytest.approx(float(bptt_loss), rel=1e-12)
    assert relative_error(rtrl_grads, bptt_grads) <= 1e-6


def test_snap1_is_exact_for_one_step_and_approximate_after():
    model, inputs, targets, state = problem(8, 1)
    np.testing.assert_allclose(relative_error(rtrl.snap1_gradients(model, inputs, targets, state)[1],
                                              rtrl.rtrl_gradients(model, inputs, targets, state)[1]), 0.0, atol=1e-12)
    model, inputs, targets, state = problem(8, 30)
    approximate = np.concatenate([np.ravel(g) for g in rtrl.snap1_gradients(model, inputs, targets, state)[1][:3]])
    exact = np.concatenate([np.ravel(g) for g in rtrl.rtrl_gradients(model, inputs, targets, state)[1][:3]])
    cosine = approximate @ exact / np.linalg.norm(approximate) / np.linalg.norm(exact)
    assert 0.3 < cosine < 1.0 - 1e-6


def test_online_rtrl_learns_and_checkpoints_its_sensitivities(tmp_path):
    seed_everything(0)
    streams = 4
    model = RNNLanguageModel(3, 6, streams=streams)
    tokens = np.tile(np.array([0, 1, 2], np.int32), 800)  # a cycle: next token fully predictable
    x, y = stream_windows(tokens[:-1], tokens[1:], streams, 1)
    source = OnlineRTRL(model, streams)
    history = Trainer(model, token_cross_entropy, keras.optimizers.Adam(1e-2),
                      TrainConfig(epochs=1, batch_size=streams, shuffle=False, verbose=False),
                      gradients=source, workdir=tmp_path).fit(ArrayData(x, y))
    assert history[-1]["loss"] < 0.5 * np.log(3)
    saved = tf.train.list_variables(tf.train.latest_checkpoint(str(tmp_path / "checkpoints")))
    assert any("gradient_state" in name for name, _ in saved)
    assert float(tf.reduce_max(tf.abs(source.sensitivities[1]))) > 0


@pytest.mark.parametrize("call, message", [
    (lambda m: rtrl.rtrl_gradients(m, np.zeros((2, 0), int), np.zeros((2, 0), int)), "T must be >= 1"),
    (lambda m: rtrl.rtrl_gradients(m, np.zeros((2, 3), int), np.zeros((2, 4), int)), "shape \\[batch, T\\]"),
    (lambda m: rtrl.bptt_gradients(m, np.zeros((2, 3), int), np.zeros((2, 3), int), np.zeros((2, 5))),
     "initial_state must have shape"),
    (lambda m: rtrl.rtrl_gradients(RNNLanguageModel(5, 4, cell="gru"), np.zeros((1, 2), int),
                                   np.zeros((1, 2), int)), "needs an RNNLanguageModel with the tanh cell"),
    (lambda m: OnlineRTRL(m, 2, approximation="snap2"), "approximation must be"),
])
def test_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(RNNLanguageModel(5, 4))
