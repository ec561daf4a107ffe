"""The SoftmaxRegression layer: W is C x D as the sheet writes it, and it round-trips its config."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfsheet.layers import SoftmaxRegression


def test_weights_have_the_sheet_shapes():
    layer = SoftmaxRegression(10)
    outputs = layer(np.zeros((2, 784), np.float32))
    assert tuple(layer.W.shape) == (10, 784) and tuple(layer.b.shape) == (10,)
    assert outputs["logits"].shape == (2, 10) and outputs["probabilities"].shape == (2, 10)


def test_exact_numbers():
    layer = SoftmaxRegression(2)
    layer.build((None, 2))
    layer.W.assign([[1.0, 0.0], [0.0, 2.0]])
    layer.b.assign([0.0, -1.0])
    outputs = layer(np.array([[1.0, 1.0]], np.float32))
    # z = W x + b = (1, 2 - 1) = (1, 1), so a = (1/2, 1/2)
    np.testing.assert_allclose(outputs["logits"], [[1.0, 1.0]])
    np.testing.assert_allclose(outputs["probabilities"], [[0.5, 0.5]])


def test_gradient_is_the_mean_of_per_example_hand_gradients():
    from tfsheet.models.losses import cross_entropy_loss
    from tfsheet.layers.softmax_backprop import backprop

    rng = np.random.default_rng(0)
    layer = SoftmaxRegression(4, initializer=keras.initializers.RandomNormal(seed=1), dtype="float64")
    x, labels = rng.normal(size=(8, 3)), rng.integers(4, size=8)
    with tf.GradientTape() as tape:
        mean_loss = tf.reduce_mean(cross_entropy_loss(tf.constant(labels), layer(x)))
    dW, db = tape.gradient(mean_loss, [layer.W, layer.b])
    per_example = [backprop(layer.W.numpy(), layer.b.numpy(), x[n], int(labels[n])) for n in range(8)]
    np.testing.assert_allclose(dW, np.mean([g["dl_dW"] for g in per_example], axis=0), rtol=1e-10)
    np.testing.assert_allclose(db, np.mean([g["dl_db"] for g in per_example], axis=0), rtol=1e-10)


def test_config_round_trip():
    layer = SoftmaxRegression(7, name="p1")
    clone = SoftmaxRegression.from_config(layer.get_config())
    assert clone.num_classes == 7 and clone.name == "p1"
    assert keras.saving.get_registered_object("tfsheet>SoftmaxRegression") is SoftmaxRegression


@pytest.mark.parametrize("bad", [1, 0, 2.5, "10"])
def test_invalid_num_classes(bad):
    with pytest.raises(ValueError, match="Received: num_classes="):
        SoftmaxRegression(bad)
