"""Problem 4's model class: one input, one hidden ReLU layer, one identity output, built from weights."""

import keras
import numpy as np
import pytest

from tfsheet.models.relu_net import ReluNet
from tfsheet.analysis.universal import interpolant


def test_forward_equation():
    # h(x) = 2 ReLU(x - 1) - 3 ReLU(-x) + 0.5
    net = ReluNet.from_weights(w=[1.0, -1.0], b=[-1.0, 0.0], v=[2.0, -3.0], c=0.5)
    x = np.array([-2.0, 0.0, 1.0, 3.0])
    expected = 2 * np.maximum(x - 1, 0) - 3 * np.maximum(-x, 0) + 0.5
    np.testing.assert_allclose(net.evaluate_exactly(x), expected)
    np.testing.assert_allclose(net(x[:, None].astype(np.float32)).numpy()[:, 0], expected, rtol=1e-6)


def test_random_init_puts_kinks_in_the_interval():
    w, b, _, _ = ReluNet.random_init(500, low=2.0, high=5.0, seed=1).parameters()
    kinks = -b / w
    assert kinks.min() >= 2.0 - 1e-6 and kinks.max() <= 5.0 + 1e-6


def test_keras_round_trip(tmp_path):
    net = ReluNet.from_weights([1.0, 2.0], [0.0, -1.0], [1.0, -1.0], 0.25)
    path = tmp_path / "relu.keras"
    net.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded(np.array([[0.7]], np.float32)), net(np.array([[0.7]], np.float32)))
    assert ReluNet.from_config(net.get_config()).width == 2


@pytest.mark.parametrize("call, message", [
    (lambda: ReluNet(0), "Received: width=0"),
    (lambda: ReluNet.from_weights([1.0, 2.0], [0.0], [1.0, 1.0], 0.0), "must be 1-D of one length"),
    (lambda: ReluNet.from_weights([1.0], [0.0], [1.0], [0.0, 1.0]), "c a scalar"),
    (lambda: interpolant([0.0, 0.0], [1.0, 2.0]), "strictly increasing"),
    (lambda: interpolant([0.0, 1.0], [1.0]), "one value per knot"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_interpolant_passes_through_its_points():
    knots = np.array([0.0, 0.5, 2.0, 3.0])
    values = np.array([1.0, -1.0, 4.0, 4.0])
    net = interpolant(knots, values)
    np.testing.assert_allclose(net.evaluate_exactly(knots), values, atol=1e-12)
    assert net.width == 3  # the slope changes at 0, 0.5 and 2, not at 3


def test_exact_evaluation_of_a_wide_net_on_many_points_stays_in_blocks():
    """A certified net for a small eps has thousands of units and is checked on ~10^5 points: evaluated in one
    (points, units) array that took gigabytes; in blocks it takes a few tens of MiB and gives the same values."""
    import tracemalloc

    rng = np.random.default_rng(0)
    width, points = 20_000, 50_001
    net = ReluNet.from_weights(rng.normal(size=width), rng.normal(size=width), rng.normal(size=width), 0.5,
                               dtype="float64")
    x = np.linspace(-1.0, 1.0, points)
    tracemalloc.start()
    values = net.evaluate_exactly(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert values.shape == (points,) and peak < 200 * 2 ** 20          # one array would be 7.5 GiB
    w, b, v, c = net.parameters()
    few = x[::997]                                                      # the definition, on a few points
    np.testing.assert_allclose(values[::997], np.maximum(0.0, few[:, None] * w + b) @ v + c, rtol=1e-12, atol=1e-12)
    assert net.evaluate_exactly(np.zeros(0)).shape == (0,)
