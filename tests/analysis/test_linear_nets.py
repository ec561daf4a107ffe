"""Q3.1 and Q3.2: linear hidden units collapse to logistic regression, which expands back; rank <= H."""

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.analysis import linear_nets
from tfsheet.models.linear_hidden import build_linear_hidden_net


def random_net(num_hidden, seed):
    tf.keras.utils.set_random_seed(seed)
    net = build_linear_hidden_net(num_hidden)
    W1, b1, W2, b2 = linear_nets.linear_hidden_parameters(net)
    rng = np.random.default_rng(seed)  # non-zero biases, so the bias part of the map is exercised too
    return linear_nets.set_linear_hidden_parameters(net, W1, rng.normal(size=b1.shape), W2, rng.normal(size=b2.shape))


def random_logistic(seed, rank=None):
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=0.05, size=(10, 784))
    if rank is not None:  # rank-limited modulo the shift: low-rank part plus the same row for every class
        W = rng.normal(size=(10, rank)) @ rng.normal(scale=0.05, size=(rank, 784)) + rng.normal(scale=0.05, size=784)
    return linear_nets.logistic_regression_from(W, rng.normal(size=10))


def probabilities(model, images):
    return model(images)["probabilities"].numpy()


@pytest.mark.parametrize("num_hidden", [25, 4, 1])
def test_collapse_computes_the_same_function(num_hidden, mnist_test):
    net = random_net(num_hidden, seed=num_hidden)
    collapsed = linear_nets.collapse(net)
    W1, b1, W2, b2 = linear_nets.linear_hidden_parameters(net)
    W, b = linear_nets.logistic_parameters(collapsed)
    np.testing.assert_allclose(W, W2 @ W1, rtol=1e-6, atol=1e-7)      # W = W2 W1
    np.testing.assert_allclose(b, W2 @ b1 + b2, rtol=1e-6, atol=1e-6)  # b = W2 b1 + b2
    difference = np.abs(probabilities(net, mnist_test.images) - probabilities(collapsed, mnist_test.images))
    assert difference.max() <= 1e-5


def test_expansion_to_25_units_gives_identical_logits(mnist_test):
    model = random_logistic(seed=0)
    expanded = linear_nets.expand(model, 25)
    np.testing.assert_allclose(expanded(mnist_test.images[:500])["logits"], model(mnist_test.images[:500])["logits"],
                               atol=1e-5)


def test_nine_units_suffice_because_of_the_softmax_shift(mnist_test):
    model = random_logistic(seed=1)
    assert linear_nets.numerical_rank(linear_nets.logistic_parameters(model)[0]) == 10
    assert linear_nets.numerical_rank(linear_nets.centred(linear_nets.logistic_parameters(model)[0])) == 9
    difference = probabilities(linear_nets.expand(model, 9), mnist_test.images) - probabilities(model, mnist_test.images)
    assert np.abs(difference).max() <= 1e-5


def test_four_units_cannot_carry_a_rank_nine_model_but_can_carry_rank_four(mnist_test):
    with pytest.raises(ValueError, match="needs rank 9"):
        linear_nets.expand(random_logistic(seed=2), 4)
    low_rank = random_logistic(seed=3, rank=4)
    difference = probabilities(linear_nets.expand(low_rank, 4), mnist_test.images) - probabilities(low_rank,
                                                                                                   mnist_test.images)
    assert np.abs(difference).max() <= 1e-5


@pytest.mark.parametrize("seed", range(5))
def test_every_four_unit_net_has_rank_at_most_four(seed):
    W1, _, W2, _ = linear_nets.linear_hidden_parameters(random_net(4, seed))
    assert linear_nets.numerical_rank(W2 @ W1) == 4


def test_softmax_ignores_the_shift_that_centring_removes(mnist_test):
    model = random_logistic(seed=4)
    W, b = linear_nets.logistic_parameters(model)
    centred = linear_nets.logistic_regression_from(linear_nets.centred(W), b)
    np.testing.assert_allclose(probabilities(centred, mnist_test.images[:200]),
                               probabilities(model, mnist_test.images[:200]), atol=1e-6)


def test_best_rank_approximation_has_the_asked_rank():
    model = random_logistic(seed=5)
    for rank in (1, 4, 9):
        W, _ = linear_nets.logistic_parameters(linear_nets.best_rank_approximation(model, rank))
        assert linear_nets.numerical_rank(linear_nets.centred(W)) == rank


@pytest.mark.parametrize("call, message", [
    (lambda: build_linear_hidden_net(0), "Received: num_hidden=0"),
    (lambda: linear_nets.expand(random_logistic(0), 0), "Received: num_hidden=0"),
    (lambda: linear_nets.best_rank_approximation(random_logistic(0), 11), "Received: rank=11"),
    (lambda: linear_nets.logistic_regression_from(np.zeros((10, 784)), np.zeros(9)), "Expected W"),
    (lambda: linear_nets.set_linear_hidden_parameters(build_linear_hidden_net(4), np.zeros((5, 784)), np.zeros(4),
                                                      np.zeros((10, 4)), np.zeros(10)), "Parameter shapes"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
