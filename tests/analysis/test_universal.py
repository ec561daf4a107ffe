"""Problem 4: every public function of tfsheet.universal, checked as the sheet states it."""

import math

import numpy as np
import pytest

from tfsheet.analysis import universal
from tfsheet.models.relu_net import ReluNet


def assert_one_hidden_relu_layer(net):
    """The sheet's class: input -> one hidden ReLU layer -> one identity output unit."""
    assert isinstance(net, ReluNet)
    assert [layer.name for layer in net.layers] == ["hidden", "output"]
    assert net.hidden.activation.__name__ == "relu" and net.output_unit.activation.__name__ == "linear"
    assert tuple(net.hidden.kernel.shape) == (1, net.width) and tuple(net.output_unit.kernel.shape) == (net.width, 1)


def test_sheet_example_values_and_formula():
    net = universal.sheet_example()
    assert_one_hidden_relu_layer(net)
    # h(3) = ReLU(3 - 3) - ReLU(3 - 4) = 0 - 0 = 0;  h(4) = ReLU(1) - ReLU(0) = 1
    assert net.evaluate_exactly([3.0])[0] == 0.0 and net.evaluate_exactly([4.0])[0] == 1.0
    x = np.union1d(np.linspace(-10, 20, 30_001), [3.0, 4.0, 3.0 - 1e-9, 4.0 + 1e-9])
    np.testing.assert_allclose(net.evaluate_exactly(x), np.minimum(np.maximum(x - 3, 0), 1), atol=1e-12)
    np.testing.assert_allclose(net(x[:, None].astype(np.float32)).numpy()[:, 0],
                               np.minimum(np.maximum(x - 3, 0), 1), atol=1e-5)  # the Keras forward pass too


@pytest.mark.parametrize("c, d", [(0.0, 1.0), (1.0, 3.0), (-5.0, -4.5), (2.0, 1000.0)])
def test_ramp_is_h_cd(c, d):
    net = universal.ramp(c, d, dtype="float64")
    assert_one_hidden_relu_layer(net)
    x = np.union1d(np.linspace(c - 10 * (d - c), d + 10 * (d - c), 20_001), [c, d, -1e9, 1e9])
    expected = np.where(x < c, 0.0, np.where(x > d, 1.0, (x - c) / (d - c)))
    np.testing.assert_allclose(net.evaluate_exactly(x), expected, atol=1e-12)
    assert net.evaluate_exactly([c])[0] == 0.0 and net.evaluate_exactly([d])[0] == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("c, d", [(1.0, 1.0), (2.0, 1.0), (0.0, math.inf), (math.nan, 1.0)])
def test_ramp_needs_c_below_d(c, d):
    with pytest.raises(ValueError, match="ramp needs finite numbers c < d"):
        universal.ramp(c, d)


FUNCTIONS = [(lambda x: np.sin(2 * np.pi * x), 2 * np.pi), (lambda x: np.abs(x - 1 / 3), 1.0), (np.sqrt, None),
             (lambda x: np.exp(x) * np.cos(9 * x), None)]


@pytest.mark.parametrize("f, lipschitz", FUNCTIONS)
@pytest.mark.parametrize("eps", [0.1, 0.01, 0.001])
def test_approximate_is_within_eps_on_a_denser_check(f, lipschitz, eps):
    net = universal.approximate(f, eps)
    assert_one_hidden_relu_layer(net)
    x = np.random.default_rng(0).uniform(0, 1, 400_000)  # points the construction never looked at
    assert np.max(np.abs(f(x) - net.evaluate_exactly(x))) < eps
    assert net.certificate.max_error < eps and net.certificate.width == net.width and net.certificate.bound is None


@pytest.mark.parametrize("f, lipschitz", [spec for spec in FUNCTIONS if spec[1]])
def test_lipschitz_constant_turns_the_check_into_a_proof(f, lipschitz):
    net = universal.approximate(f, 0.01, lipschitz=lipschitz)
    assert net.certificate.bound < 0.01 and net.certificate.max_error <= net.certificate.bound


def test_approximate_uses_few_units_where_f_is_simple():
    # |x - 1/3| is linear on both sides of its one kink: the adaptive grid needs only a few units
    assert universal.approximate(lambda x: np.abs(x - 1 / 3), 1e-3).width <= 5
    constant = universal.approximate(lambda x: np.full_like(x, 2.5), 1e-6, a=-1.0, b=1.0)
    np.testing.assert_allclose(constant.evaluate_exactly([-1.0, 0.3, 1.0]), 2.5)


def test_approximate_on_another_interval():
    net = universal.approximate(np.cos, 1e-3, a=-4.0, b=7.0)
    x = np.linspace(-4, 7, 100_001)
    assert np.max(np.abs(np.cos(x) - net.evaluate_exactly(x))) < 1e-3


@pytest.mark.parametrize("kwargs, message", [
    ({"eps": 0.0}, "eps must be a finite number > 0"),
    ({"eps": -1.0}, "eps must be a finite number > 0"),
    ({"eps": 0.1, "a": 1.0, "b": 1.0}, "need finite numbers a < b"),
    ({"eps": 0.1, "lipschitz": 0.0}, "lipschitz must be"),
    ({"eps": 0.1, "max_width": 0}, "max_width must be an int >= 1"),
    ({"eps": 0.1, "max_width": -5}, "max_width must be an int >= 1"),
    ({"eps": 0.1, "max_width": "big"}, "max_width must be an int >= 1"),
    ({"eps": 1e-6, "lipschitz": 2 * math.pi}, "more than max_width=100,000"),    # refused at once, not after hours
])
def test_approximate_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        universal.approximate(np.sin, **kwargs)


def test_approximate_bad_functions():
    with pytest.raises(ValueError, match="NaN or inf"), np.errstate(divide="ignore"):
        universal.approximate(np.log, 0.1)  # log(0) = -inf at a = 0
    with pytest.raises(ValueError, match="shaped like its input"):
        universal.approximate(lambda x: np.sin(x)[:-1], 0.1)
    with pytest.raises(ValueError, match="is f continuous"):
        universal.approximate(lambda x: np.where(x < 0.3, 0.0, 1.0), 0.1, max_width=200)


@pytest.mark.parametrize("width", [1, 2, 10, 100, 1000])
@pytest.mark.parametrize("seed", [0, 1])
def test_asymptote_is_exact_beyond_x0_and_not_before(width, seed):
    rng = np.random.default_rng(seed * 1000 + width)
    net = ReluNet.from_weights(rng.normal(size=width), rng.normal(size=width), rng.normal(size=width), rng.normal())
    for side, direction in (("right", 1.0), ("left", -1.0)):
        line = universal.asymptote(net, side)
        x = line.x0 + direction * np.concatenate([[0.0], np.geomspace(1e-6, 1e6, 200)])
        np.testing.assert_allclose(net.evaluate_exactly(x), line.slope * x + line.intercept,
                                   rtol=1e-9, atol=1e-9 * (1 + abs(line.intercept)))
        just_before = line.x0 - direction * 1e-3
        assert abs(net.evaluate_exactly([just_before])[0] - (line.slope * just_before + line.intercept)) > 1e-12


def test_asymptote_of_the_sheet_example():
    right, left = universal.asymptote(universal.sheet_example()), universal.asymptote(universal.sheet_example(), "left")
    assert (right.x0, right.slope, right.intercept) == (4.0, 0.0, 1.0)
    assert (left.x0, left.slope, left.intercept) == (3.0, 0.0, 0.0)


def test_asymptote_ignores_kinks_that_cancel():
    # ReLU(x - 1) - ReLU(x - 1) + ReLU(x - 2): the units at 1 cancel, so the last real kink is 2 and the first too
    net = ReluNet.from_weights([1.0, 1.0, 1.0], [-1.0, -1.0, -2.0], [1.0, -1.0, 1.0], 0.0)
    assert universal.asymptote(net).x0 == 2.0 and universal.asymptote(net, "left").x0 == 2.0
    linear = ReluNet.from_weights([0.0], [1.0], [3.0], 0.5)  # no kink: the constant 3.5 everywhere
    assert universal.asymptote(linear) == universal.Asymptote(-math.inf, 0.0, 3.5, "right")
    with pytest.raises(ValueError, match="side must be"):
        universal.asymptote(net, "up")


@pytest.mark.parametrize("width", [1, 3, 30, 300])
def test_prime_counterexample_breaks_the_claim_for_any_net(width):
    for seed in range(3):
        rng = np.random.default_rng(seed)
        net = ReluNet.from_weights(rng.normal(size=width), rng.normal(size=width) * 5, rng.normal(size=width),
                                   rng.normal())
        n = universal.prime_counterexample(net)
        assert isinstance(n, int) and n >= 2
        assert (net.evaluate_exactly([n])[0] > 0) != universal.is_prime(n)


def test_a_net_whose_sign_settles_too_far_out_is_refused_rather_than_searched_for_ever():
    far = ReluNet.from_weights([1.0], [-1e15], [1.0], 0.0)            # its only kink at x = 1e15
    with pytest.raises(ValueError, match="no counterexample is computed"):
        universal.prime_counterexample(far)


def test_prime_counterexample_for_the_sheet_example():
    # h = 1 > 0 beyond x = 4, so the first composite past 4 is a counterexample: 6
    assert universal.prime_counterexample(universal.sheet_example()) == 6


def test_is_prime():
    assert [n for n in range(30) if universal.is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
