"""Problem 3 on the real MNIST data at a scale CI affords, and the committed linear-hidden models."""

import dataclasses

import numpy as np
import pytest

from tests.conftest import REPOSITORY, run_experiment
from tfsheet.experiments import configs, problem3
from tfsheet.serving.export import versions
from tfsheet.serving.load_check import assert_servable, load_in_fresh_process

# all 60k training images, 3 epochs, one seed
CI = dataclasses.replace(configs.PROBLEM3_PRESETS["quick"], epochs=3, train_examples=0)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_experiment(tmp_path_factory, "problem3", problem3.run, CI)


def test_twenty_five_units_match_logistic_regression_and_four_do_not(results):
    accuracy = {name: value.mean for name, value in results[0]["accuracy"].items()}
    assert accuracy["logistic_regression"] >= 0.915 and accuracy["linear_hidden_25"] >= 0.915
    assert abs(accuracy["linear_hidden_25"] - accuracy["logistic_regression"]) < 0.01
    assert accuracy["linear_hidden_4"] < accuracy["logistic_regression"] - 0.02
    for name, search in results[0]["search"].items():    # each model's rate and epochs, chosen on validation
        assert search["split"] == "validation" and len(search["tried"]) == len(CI.learning_rate)
        assert 1 <= search["chosen"]["epochs"] <= CI.epochs

def test_collapse_and_expansion_are_exact_on_the_test_set(results):
    maps = results[0]["q3_1"]
    assert set(maps["collapse"]) == {"linear_hidden_25", "linear_hidden_4"} and set(maps["expand_to"]) == {"25", "9"}
    for change in [*maps["collapse"].values(), *maps["expand_to"].values()]:
        assert change <= problem3.EXACT_TOLERANCE


def test_trained_logistic_regression_needs_rank_nine_and_four_unit_nets_have_rank_four(results):
    rank = results[0]["q3_2"]
    assert rank["logistic_centred_rank"] == 9
    assert all(r <= 4 for r in rank["linear_hidden_product_ranks"]["linear_hidden_4"])
    by_rank = {point["rank"]: point["accuracy"] for point in rank["truncated_svd_accuracy"]}
    assert by_rank[4] < by_rank[9]  # cutting the weights to rank 4 loses accuracy


def test_four_unit_objective_is_certified_non_convex(results):
    q3_3 = results[0]["q3_3"]
    assert q3_3["chord"]["gap"] > 0 and q3_3["chord"]["loss_a"] == pytest.approx(q3_3["chord"]["loss_b"])
    assert q3_3["hessian_at_midpoint"]["rayleigh_smallest"] < 0
    assert all(value >= -1e-8 for value in q3_3["logistic_hessian_smallest"])


def test_figure_is_drawn_from_the_results(results, tmp_path):
    from tfsheet.report import plots

    path = plots.plot_accuracy_against_rank(results[0]["q3_2"]["truncated_svd_accuracy"], results[0]["accuracy"],
                                            tmp_path / "rank.png")
    assert path.stat().st_size > 10_000


def test_exports_serve_the_keras_outputs(results, mnist_test):
    for name, path in results[0]["saved_models"].items():
        tf2, session, signature = load_in_fresh_process(path, {"pixels": mnist_test.images[:200]})
        assert set(signature["outputs"]) == {"probabilities", "digit"}
        np.testing.assert_allclose(tf2["probabilities"], session["probabilities"], atol=1e-6)


@pytest.mark.parametrize("width", [25, 4])
def test_export_matches_a_keras_model_exactly(width, tmp_path, mnist_test):
    from tfsheet.serving.export import digit_classifier_signature, export_model, probabilities_and_digit
    from tfsheet.models.linear_hidden import build_linear_hidden_net

    net = build_linear_hidden_net(width)
    path = export_model(net, f"linear_hidden_{width}", {"serving_default": digit_classifier_signature(
        net, probabilities_and_digit)}, root=tmp_path)
    outputs = net(mnist_test.images[:64])
    assert_servable(path, {"pixels": mnist_test.images[:64]},
                    {"probabilities": outputs["probabilities"].numpy(),
                     "digit": np.argmax(outputs["logits"].numpy(), axis=-1)})


@pytest.mark.parametrize("name, low, high", [("linear_hidden_25", 0.915, 1.0), ("linear_hidden_4", 0.8, 0.91)])
def test_committed_models(name, low, high, mnist_test):
    model_dir = REPOSITORY / "saved_models" / name
    outputs, _, _ = load_in_fresh_process(model_dir / str(versions(model_dir)[-1]), {"pixels": mnist_test.images})
    assert low <= np.mean(outputs["digit"] == mnist_test.labels) <= high
