"""Problem 2's MLPs: shapes, the squared loss, and decoders that agree between numpy and TensorFlow."""

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.data import encodings
from tfsheet.models.losses import MLP_METRICS as METRICS, squared_loss
from tfsheet.models.mlp import build_mlp


@pytest.mark.parametrize("encoding, outputs", [("one_hot", 10), ("binary", 4)])
def test_shapes_and_parameter_counts(encoding, outputs):
    model = build_mlp(32, encoding)
    assert model(np.zeros((3, 784), np.float32)).shape == (3, outputs)
    assert model.count_params() == 785 * 32 + 33 * outputs


def test_squared_loss_by_hand():
    # (0.5 - 1)^2 + (0.5 - 0)^2 = 0.5 for the first example; (0 - 0)^2 + (1 - 1)^2 = 0 for the second
    targets = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    scores = tf.constant([[0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(squared_loss(targets, scores), [0.5, 0.0])


def test_binary_metrics_count_invalid_codes_as_errors():
    targets = tf.constant(encodings.binary(np.array([9, 9])))
    scores = tf.constant([[0.9, 0.1, 0.2, 0.8], [0.9, 0.9, 0.1, 0.1]])  # 1001 = 9; 1100 = 12, invalid
    np.testing.assert_array_equal(METRICS["binary"]["accuracy"](targets, scores), [1.0, 0.0])
    np.testing.assert_array_equal(METRICS["binary"]["invalid"](targets, scores), [0.0, 1.0])


def test_tensorflow_decoders_agree_with_numpy():
    scores = np.random.default_rng(0).uniform(size=(2000, 10)).astype(np.float32)
    np.testing.assert_array_equal(encodings.tf_decode_one_hot(scores).numpy(), encodings.decode_one_hot(scores))
    np.testing.assert_array_equal(encodings.tf_decode_binary(scores[:, :4]).numpy(),
                                  encodings.decode_binary(scores[:, :4]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="Unknown encoding 'gray'"):
        build_mlp(8, "gray")
    with pytest.raises(ValueError, match="Received: num_hidden=0"):
        build_mlp(0, "one_hot")
