"""Problem 4 end to end at quick scale, and the committed Q4.2 and ramp SavedModels."""

import numpy as np
import pytest

from tests.conftest import REPOSITORY, run_experiment
from tfsheet.analysis import universal
from tfsheet.experiments import configs, problem4
from tfsheet.models.relu_net import ReluNet
from tfsheet.report import plots
from tfsheet.serving.export import export_model, scalar_function_signature, versions
from tfsheet.serving.load_check import assert_servable, load_in_fresh_process

X = np.linspace(-2.0, 7.0, 901, dtype=np.float32)[:, None]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_experiment(tmp_path_factory, "problem4", problem4.run, configs.PROBLEM4_PRESETS["quick"])


def test_sheet_values(results):
    assert (results[0]["q4_2"]["h(3)"], results[0]["q4_2"]["h(4)"]) == (0.0, 1.0)


def test_constructions_meet_their_targets_and_training_is_measured(results):
    for row in results[0]["q4_4"]:
        # the construction's own check guarantees max_error < eps; the evidence is the error at random points it
        # never looked at, and, for the certified nets, that the proved bound is not contradicted there
        for point in row["adaptive"]:
            assert point["held_out_error"] < point["eps"]
        for point in row["certified"]:
            assert point["held_out_error"] <= point["bound"] < point["eps"]
        assert all(np.isfinite(point["max_error"]) for point in row["trained"])


def test_eventual_linearity_of_a_trained_net(results):
    q4_5 = results[0]["q4_5"]
    assert q4_5["max_deviation_beyond_x0"] < 1e-8 and q4_5["max_deviation_before_left_x0"] < 1e-8


def test_both_prime_detectors_fail_beyond_their_range(results):
    q4_6 = results[0]["q4_6"]
    assert q4_6["constructed"]["accuracy_on_range"] == 1.0  # a perfect fit on 2..N exists
    for detector in ("trained", "constructed"):
        summary = q4_6[detector]
        assert summary["first_failure_beyond_range"] > q4_6["range"][1]
        assert (summary["output_at_counterexample"] > 0) != summary["counterexample_is_prime"]


def test_figures_are_drawn_from_the_results_alone(results, tmp_path):
    q4 = results[0]
    x = np.linspace(-3.0, 9.0, 241)
    np.testing.assert_allclose(plots.relu_net(q4["q4_2"]["net"], x), np.clip(x - 3, 0, 1), atol=1e-12)
    drawn = [plots.plot_relu_constructions(q4["q4_2"]["net"], q4["q4_3"]["example"], tmp_path / "a.png"),
             plots.plot_approximation_error(q4["q4_4"], tmp_path / "b.png"),
             plots.plot_eventually_linear(q4["q4_5"], tmp_path / "c.png"),
             plots.plot_prime_detector(q4["q4_6"], tmp_path / "d.png")]
    assert all(path.stat().st_size > 10_000 for path in drawn)


def test_exports_reproduce_the_constructions_in_a_fresh_process(results):
    expected = {"relu_sheet_example": np.minimum(np.maximum(X - 3, 0), 1), "relu_ramp": np.clip(X, 0, 1)}
    for name, path in results[0]["saved_models"].items():
        signature = assert_servable(path, {"x": X}, {"y": expected[name]}, atol=1e-6)
        assert signature["inputs"] == {"x": [1, [-1, 1]]} and signature["outputs"] == {"y": [1, [-1, 1]]}


def test_export_refuses_wrong_input(tmp_path):
    import tensorflow as tf

    net = universal.sheet_example()
    path = export_model(net, "relu_sheet_example", {"serving_default": scalar_function_signature(net)}, root=tmp_path)
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="is not compatible with expected shape"):
        serve(x=tf.zeros([3, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="x must be finite"):
        serve(x=tf.constant([[float("nan")]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="x must lie within"):
        serve(x=tf.constant([[3e38]]))


def test_an_export_stays_right_far_from_the_kinks(tmp_path):
    """In float32, w x + b cancels for large x (1e8 - 1 == 1e8): the signature evaluates in float64."""
    import tensorflow as tf

    net = universal.sheet_example()
    path = export_model(net, "relu_sheet_example", {"serving_default": scalar_function_signature(net)}, root=tmp_path)
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    far = np.array([[5.0], [1e7], [1e8], [1e12], [-1e9]], np.float32)
    np.testing.assert_array_equal(serve(x=tf.constant(far))["y"].numpy(), np.minimum(np.maximum(far - 3, 0), 1))


def test_non_finite_weights_are_refused_not_analysed():
    with pytest.raises(ValueError, match="must be finite numbers"):
        ReluNet.from_weights([float("nan"), 1.0], [-3.0, -4.0], [1.0, -1.0], 0.0)
    with pytest.raises(ValueError, match="must be finite numbers"):
        universal.interpolant([0.0, 1.0], [0.0, float("nan")])


@pytest.mark.parametrize("name, f", [("relu_sheet_example", lambda x: np.minimum(np.maximum(x - 3, 0), 1)),
                                     ("relu_ramp", lambda x: np.clip(x, 0, 1))])
def test_committed_constructions(name, f):
    model_dir = REPOSITORY / "saved_models" / name
    outputs, session, _ = load_in_fresh_process(model_dir / str(versions(model_dir)[-1]), {"x": X})
    np.testing.assert_allclose(outputs["y"], f(X), atol=1e-6)
    np.testing.assert_allclose(session["y"], f(X), atol=1e-6)
