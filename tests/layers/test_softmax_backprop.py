"""Problem 1: the hand-derived derivatives equal autodiff and central differences (float64)."""

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.layers.softmax_backprop import affine, backprop, softmax_cross_entropy

SHAPES = [(2, 1), (3, 5), (10, 7), (10, 784)]  # (C, D)


def random_point(num_classes, num_features, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(num_classes, num_features)), rng.normal(size=num_classes),
            rng.normal(size=num_features), int(rng.integers(num_classes)))


def loss(W, b, x, y):
    """l = -log softmax(Wx + b)_y written with plain TF ops, differentiated by TF's autodiff."""
    z = tf.linalg.matvec(W, x) + b
    return -tf.nn.log_softmax(z)[y]


def autodiff(W, b, x, y):
    W, b, x = (tf.constant(v, tf.float64) for v in (W, b, x))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([W, b])
        z = tf.linalg.matvec(W, x) + b
        tape.watch(z)
        a = tf.nn.softmax(z)
        tape.watch(a)
        # l as a function of a, so that dl/da is the sheet's first derivative
        l_of_a = -tf.math.log(a[y])
    return {"dl_da": tape.gradient(l_of_a, a), "dl_dz": tape.gradient(l_of_a, z),
            "dl_dW": tape.gradient(l_of_a, W), "dl_db": tape.gradient(l_of_a, b)}


def central_differences(W, b, x, y, step=1e-6):
    def numeric(parameter, other):
        grad = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            shifted = [parameter.copy(), parameter.copy()]
            shifted[0][index] += step
            shifted[1][index] -= step
            values = [float(loss(*other(p), x, y)) for p in shifted]
            grad[index] = (values[0] - values[1]) / (2 * step)
        return grad

    z = W @ x + b
    a = np.exp(z - z.max()) / np.exp(z - z.max()).sum()

    def loss_of_z(z_value):
        return -(z_value[y] - np.log(np.exp(z_value - z_value.max()).sum()) - z_value.max())

    dl_dz = np.array([(loss_of_z(z + step * e) - loss_of_z(z - step * e)) / (2 * step) for e in np.eye(len(z))])
    dl_da = np.array([(-np.log(a[y] + step * e[y]) + np.log(a[y] - step * e[y])) / (2 * step) for e in np.eye(len(a))])
    return {"dl_da": dl_da, "dl_dz": dl_dz,
            "dl_dW": numeric(W, lambda p: (p, b)), "dl_db": numeric(b, lambda p: (W, p))}


def relative_error(got, want):
    return np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-12)


@pytest.mark.parametrize("num_classes, num_features", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_hand_derivatives_equal_autodiff(num_classes, num_features, seed):
    point = random_point(num_classes, num_features, seed)
    hand, auto = backprop(*point), autodiff(*point)
    for name in ("dl_da", "dl_dz", "dl_dW", "dl_db"):
        assert relative_error(hand[name], auto[name].numpy()) <= 1e-6, name


@pytest.mark.parametrize("num_classes, num_features", SHAPES[:3])
def test_hand_derivatives_equal_central_differences(num_classes, num_features):
    point = random_point(num_classes, num_features, seed=7)
    hand, numeric = backprop(*point), central_differences(*point)
    for name in ("dl_da", "dl_dz", "dl_dW", "dl_db"):
        assert relative_error(hand[name], numeric[name]) <= 1e-6, name


def test_worked_example_by_hand():
    # W = 0, b = 0: z = 0, a = (1/3, 1/3, 1/3). With y = 1 and x = (1, 2):
    # dl/da = -e_y / a_y = (0, -3, 0);  dl/dz = a - e_y = (1/3, -2/3, 1/3);
    # dl/dW = dl/dz x^T: rows (1/3, 2/3), (-2/3, -4/3), (1/3, 2/3);  dl/db = dl/dz.
    grads = backprop(np.zeros((3, 2)), np.zeros(3), np.array([1.0, 2.0]), 1)
    np.testing.assert_allclose(grads["dl_da"], [0, -3, 0])
    np.testing.assert_allclose(grads["dl_dz"], [1 / 3, -2 / 3, 1 / 3])
    np.testing.assert_allclose(grads["dl_dW"], [[1 / 3, 2 / 3], [-2 / 3, -4 / 3], [1 / 3, 2 / 3]])
    np.testing.assert_allclose(grads["dl_db"], grads["dl_dz"])


def test_batch_gradients_of_the_hand_ops_equal_autodiff():
    rng = np.random.default_rng(3)
    x = tf.constant(rng.normal(size=(16, 7)))
    W = tf.Variable(rng.normal(size=(5, 7)))
    b = tf.Variable(rng.normal(size=5))
    labels = tf.constant(rng.integers(5, size=16))
    with tf.GradientTape() as tape:
        hand_loss = tf.reduce_mean(softmax_cross_entropy(labels, affine(x, W, b)))
    hand = tape.gradient(hand_loss, [W, b])
    with tf.GradientTape() as tape:
        logits = tf.matmul(x, W, transpose_b=True) + b
        auto_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    auto = tape.gradient(auto_loss, [W, b])
    np.testing.assert_allclose(hand_loss.numpy(), auto_loss.numpy(), rtol=1e-12)
    for got, want in zip(hand, auto):
        assert relative_error(got.numpy(), want.numpy()) <= 1e-6


def test_huge_logits_give_finite_loss_and_gradient():
    z = tf.constant([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss_value = softmax_cross_entropy(tf.constant([1, 1]), z)
    grad = tape.gradient(loss_value, z)
    np.testing.assert_allclose(loss_value.numpy(), [2e4, 0.0])
    np.testing.assert_allclose(grad.numpy(), [[1, -1, 0], [0, 0, 0]])
    assert np.all(np.isfinite(backprop(np.array([[1e4], [-1e4]]), np.zeros(2), np.ones(1), 1)["dl_dW"]))


@pytest.mark.parametrize("args, message", [
    ((np.zeros((3, 2)), np.zeros(2), np.zeros(2), 0), "Expected W"),
    ((np.zeros((3, 2)), np.zeros(3), np.zeros(2), 3), "y must be an int class in 0..2"),
    ((np.zeros((3, 2)), np.zeros(3), np.zeros(2), 1.0), "y must be an int"),
])
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        backprop(*args)
