"""Problem 5.1's models: the RNN cell's equation, n-gram context limits, and what TBPTT carries."""

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.models.language_models import RNNLanguageModel, build_neural_ngram
from tfsheet.models.losses import token_cross_entropy
from tfsheet.training import seed_everything
from tfsheet.training.tbptt import carried_state_gradients, sequence_log_probs, stream_windows


def test_cell_follows_its_equation():
    seed_everything(0)
    model = RNNLanguageModel(5, 3)
    cell = model.cell
    tokens = tf.constant([[1, 4, 2]])
    states, final = cell(tokens, tf.zeros([1, 3]))
    h = np.zeros(3)
    for n, token in enumerate([1, 4, 2]):
        # h_n = tanh(W_xh x_n + W_hh h_{n-1} + b_h), x_n one-hot
        h = np.tanh(cell.W_xh.numpy()[:, token] + cell.W_hh.numpy() @ h + cell.b_h.numpy())
        np.testing.assert_allclose(states[0, n], h, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(cell.step(tokens[:, n], tf.constant(states[:, n - 1] if n else tf.zeros([1, 3]))),
                                   states[:, n], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final[0], h, rtol=1e-5, atol=1e-6)


def test_stream_windows_layout():
    inputs = np.arange(24)
    x, y = stream_windows(inputs, inputs + 100, num_streams=2, window=3)
    # stream 0 is 0..11, stream 1 is 12..23; row w * 2 + b is window w of stream b
    np.testing.assert_array_equal(x[:4], [[0, 1, 2], [12, 13, 14], [3, 4, 5], [15, 16, 17]])
    np.testing.assert_array_equal(y[1], [112, 113, 114])
    with pytest.raises(ValueError, match="truncation k"):
        stream_windows(inputs, inputs, 2, 0)


def test_tbptt_carries_state_forward_but_stops_gradients_at_the_boundary():
    seed_everything(0)
    model = RNNLanguageModel(6, 4, streams=1)
    first, second = tf.constant([[5, 5, 5]]), tf.constant([[1, 2, 3]])
    targets = tf.constant([[2, 3, 1]])
    carried_state_gradients(model, token_cross_entropy, first, targets)          # window 1 (token 5 only)
    loss, grads, _ = carried_state_gradients(model, token_cross_entropy, second, targets)
    W_xh_grad = tf.convert_to_tensor(grads[[v.path for v in model.trainable_variables].index(model.cell.W_xh.path)])
    assert np.all(W_xh_grad.numpy()[:, 5] == 0.0)     # token 5 appears only before the boundary: no gradient
    assert np.any(W_xh_grad.numpy()[:, 1] != 0.0)

    model.carried_state.assign(tf.zeros([1, 4]))
    carried_state_gradients(model, token_cross_entropy, tf.constant([[0, 0, 0]]), targets)  # another window 1
    other_loss, _, _ = carried_state_gradients(model, token_cross_entropy, second, targets)
    assert float(other_loss) != float(loss)            # ...yet window 1 changes window 2's loss: state carries


def test_chunked_evaluation_equals_one_pass():
    seed_everything(0)
    model = RNNLanguageModel(5, 8)
    tokens = np.random.default_rng(1).integers(0, 5, size=501).astype(np.int32)
    one_pass = sequence_log_probs(model, tokens[:-1], tokens[1:], chunk=10_000)
    chunked = sequence_log_probs(model, tokens[:-1], tokens[1:], chunk=37)
    np.testing.assert_allclose(chunked, one_pass, rtol=1e-5, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="context must be"):
        build_neural_ngram(5, 0)
    with pytest.raises(ValueError, match="cell must be one of"):
        RNNLanguageModel(5, 4, cell="lstm")


def test_gru_option_runs():
    model = RNNLanguageModel(5, 4, cell="gru")
    logits, state = model(tf.constant([[1, 2]]), model.zero_state(1))
    assert logits.shape == (1, 2, 5) and state.shape == (1, 4)


def test_the_compiled_call_is_made_once_and_does_not_keep_its_model_alive():
    import gc
    import weakref

    model = RNNLanguageModel(5, 8)
    assert model.compiled_call() is model.compiled_call()
    model.compiled_call()(tf.zeros([1, 3], tf.int32), model.zero_state(1))
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None
