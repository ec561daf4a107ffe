"""Q3.3: the Lanczos curvature estimates agree with a dense Hessian, and certify non-convexity."""

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.analysis import convexity

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 5))
LABELS = RNG.integers(3, size=20)


def dense_hessian(loss, theta):
    theta = tf.constant(theta)
    with tf.GradientTape() as outer:
        outer.watch(theta)
        with tf.GradientTape() as inner:
            inner.watch(theta)
            value = loss(theta)
        gradient = inner.gradient(value, theta)
    return outer.jacobian(gradient, theta).numpy()


def test_lanczos_extremes_equal_the_dense_hessian_eigenvalues():
    loss = convexity.linear_hidden_loss(X, LABELS, num_hidden=2, num_classes=3)
    theta = RNG.normal(size=5 * 2 + 2 + 3 * 2 + 3)
    eigenvalues = np.linalg.eigvalsh(dense_hessian(loss, theta))
    extremes = convexity.hessian_extremes(loss, theta, iterations=100)
    assert extremes["smallest"] == pytest.approx(eigenvalues[0], abs=1e-8)
    assert extremes["largest"] == pytest.approx(eigenvalues[-1], abs=1e-8)
    assert extremes["rayleigh_smallest"] == pytest.approx(eigenvalues[0], abs=1e-8)


def test_hessian_is_indefinite_where_the_hidden_weights_vanish():
    # at W1 = 0, W2 = 0 the Hessian is [[0, B], [B^T, 0]] in (W1, W2): eigenvalues come in pairs +-s
    loss = convexity.linear_hidden_loss(X, LABELS, num_hidden=2, num_classes=3)
    theta = np.zeros(5 * 2 + 2 + 3 * 2 + 3)
    extremes = convexity.hessian_extremes(loss, theta, iterations=100)
    assert extremes["rayleigh_smallest"] < -1e-3
    assert extremes["smallest"] == pytest.approx(-extremes["largest"], rel=1e-8)


def test_sign_flipped_twins_have_equal_loss_and_a_higher_midpoint():
    loss = convexity.linear_hidden_loss(X, LABELS, num_hidden=2, num_classes=3)
    W1, b1, W2, b2 = RNG.normal(size=(2, 5)), RNG.normal(size=2), RNG.normal(size=(3, 2)), np.zeros(3)
    # a net that fits the labels better than chance: gradient steps from a random start
    theta = convexity.flatten(W1, b1, W2, b2)
    for _ in range(200):
        with tf.GradientTape() as tape:
            variable = tf.constant(theta)
            tape.watch(variable)
            value = loss(variable)
        theta = theta - 0.5 * tape.gradient(value, variable).numpy()
    W1, b1, W2, b2 = np.split(theta, [10, 12, 18])
    certificate = convexity.chord_certificate(loss, theta, convexity.flatten(-W1, -b1, -W2, b2))
    assert certificate["loss_a"] == pytest.approx(certificate["loss_b"], rel=1e-12)
    assert certificate["loss_a"] < np.log(3) and certificate["gap"] > 0


def test_logistic_regression_hessian_is_positive_semidefinite_at_sample_points():
    loss = convexity.logistic_loss(X, LABELS, num_classes=3)
    for seed in range(3):
        theta = np.random.default_rng(seed).normal(size=3 * 5 + 3)
        assert np.linalg.eigvalsh(dense_hessian(loss, theta))[0] >= -1e-12
        assert convexity.hessian_extremes(loss, theta, iterations=100)["smallest"] >= -1e-10
