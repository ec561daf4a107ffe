"""Problem 2 on the real MNIST data at a scale CI affords, and the committed default models."""

import dataclasses

import numpy as np
import pytest

from tests.conftest import REPOSITORY, run_experiment, upstream
from tfsheet.cli import main
from tfsheet.data import encodings
from tfsheet.models.mlp import append_one_hot_to_binary
from tfsheet.training import Runtime
from tfsheet.experiments import problem2, problem2_search
from tfsheet.experiments.registry import P2_APPENDED, P2_DIRECT, P2_SEARCH, P2_SWEEP
from tfsheet.report import plots
from tfsheet.serving.export import versions
from tfsheet.serving.load_check import assert_servable, load_in_fresh_process

# all 55k training images, up to 5 epochs for the H = 256 nets of the search; a 2-width, 1-seed, 2-epoch sweep
CI = dataclasses.replace(P2_SEARCH.config("quick"), train_examples=0, epochs=5)
CI_ONE_HOT_BAR = 0.97


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """The search every other Problem 2 experiment reads: {"P2_search": Upstream}."""
    results, workdir = run_experiment(tmp_path_factory, "problem2_search", problem2_search.run, CI)
    return upstream(P2_SEARCH, CI, results, workdir)


@pytest.fixture(scope="module")
def appended(tmp_path_factory, search):
    return run_experiment(tmp_path_factory, "problem2", problem2.run_appended, P2_APPENDED.config("quick"), search)


def test_the_search_tunes_every_design_on_validation_and_keeps_its_winner(search):
    assert problem2.SEARCH == P2_SEARCH.name          # the name the dependents read the search's results under
    found = search[P2_SEARCH.name]
    for design in problem2_search.DESIGNS:
        record = found.results[design]
        assert record["split"] == "validation" and len(record["tried"]) == len(CI.learning_rate)
        assert 1 <= record["chosen"]["epochs"] <= CI.epochs
        assert problem2_search.weights_file(found.workdir, design).is_file()


def test_a_missing_winner_is_a_clear_error_naming_the_fix(search, tmp_path):
    from tfsheet.errors import TfsheetError

    moved = upstream(P2_SEARCH, CI, search[P2_SEARCH.name].results, tmp_path)[P2_SEARCH.name]
    with pytest.raises(TfsheetError, match="weights.h5 is missing.*--force"):
        problem2_search.searched_model(moved, "one_hot")


def test_one_hot_net_passes_the_ci_bar(appended):
    results, _ = appended
    assert results["one_hot"]["accuracy"] >= CI_ONE_HOT_BAR


def test_appended_layer_keeps_the_one_hot_accuracy_with_no_new_parameters(appended):
    results, _ = appended
    assert abs(results["appended"]["accuracy"] - results["one_hot"]["accuracy"]) <= problem2.APPENDED_TOLERANCE
    assert results["appended"]["trainable_parameters_added"] == 0
    # where the classic premise fails, the appended layer still decides as the one-hot net does
    assert results["appended_where_premise_failed"] == results["premise"]["one_hot_accuracy_where_failed"]
    # where the premise holds, the classic layer is exact too
    assert results["classic_layer"]["accuracy_where_premise_met"] == results["premise"]["one_hot_accuracy_where_met"]
    # the premise is sufficient, not necessary: the decoder's real condition holds on at least as many images,
    # and there the classic layer gives the one-hot net's digit on every one of them
    condition = results["decoder_condition"]
    assert condition["share_meeting"] >= results["premise"]["share_meeting"]
    assert condition["classic_agrees_with_argmax_where_met"] == 1.0


def test_the_decoder_condition_is_exactly_where_one_threshold_layer_decodes():
    scores = np.array([[0.6, 0.3, 0.0, 0, 0, 0, 0, 0, 0, 0],     # top > 1/2, others sum 0.3: exact
                       [0.6, 0.3, 0.25, 0, 0, 0, 0, 0, 0, 0],    # others sum 0.55: not
                       [0.5, 0.0, 0.0, 0, 0, 0, 0, 0, 0, 0],     # top not above 1/2: not
                       [0.99, 0.009, 0, 0, 0, 0, 0, 0, 0, 0]])   # the textbook premise: exact
    assert problem2.decoder_condition(scores).tolist() == [True, False, False, True]


def test_the_threshold_units_pick_the_one_hot_nets_digit_on_every_image_and_adversarial_input(appended):
    appended_results = appended[0]["appended"]
    ties = appended_results["ties_at_the_top"]
    assert appended_results["agrees_with_one_hot_argmax"] == pytest.approx(1 - ties / appended_results["test_images"])
    assert len(appended_results["adversarial"]) == 2
    for check in appended_results["adversarial"]:
        assert check["agree"] == check["inputs"] == P2_APPENDED.config("quick").adversarial_inputs // 2
    assert appended_results["depth"] == 4 and appended_results["fixed_parameters"] > 0


def _graph_ops(saved_model_dir):
    """Every op type in a SavedModel's graphs and function library."""
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString((saved_model_dir / "saved_model.pb").read_bytes())
    ops = set()
    for graph in saved.meta_graphs:
        ops |= {node.op for node in graph.graph_def.node}
        ops |= {node.op for function in graph.graph_def.library.function for node in function.node_def}
    return ops


def test_the_exported_appended_net_holds_no_argmax_or_one_hot_op(appended):
    import pathlib

    paths = {name: pathlib.Path(path) for name, path in appended[0]["saved_models"].items()}
    forbidden = {"ArgMax", "ArgMin", "OneHot", "TopKV2", "Sort"}
    assert "ArgMax" in _graph_ops(paths["mlp_onehot"])            # the scan finds the op where it is
    assert not _graph_ops(paths["mlp_onehot_to_binary"]) & forbidden


def test_binary_net_is_measured_with_invalid_codes_reported(appended):
    results, _ = appended
    assert 0.5 < results["binary"]["accuracy"] <= 1.0
    assert 0.0 <= results["binary"]["invalid_share"] < 0.1


def test_exports_serve_the_keras_outputs_in_a_fresh_process(appended, mnist_test):
    results, _ = appended
    pixels = mnist_test.images[:300]
    served = {}
    for name, path in results["saved_models"].items():
        tf2, session, signature = load_in_fresh_process(path, {"pixels": pixels})
        assert set(signature["outputs"]) == {"scores", "digit"}
        np.testing.assert_array_equal(tf2["digit"], session["digit"])
        np.testing.assert_allclose(tf2["scores"], session["scores"], atol=1e-6)
        served[name] = tf2
    np.testing.assert_array_equal(served["mlp_onehot"]["digit"], encodings.decode_one_hot(served["mlp_onehot"]["scores"]))
    np.testing.assert_array_equal(served["mlp_binary"]["digit"], encodings.decode_binary(served["mlp_binary"]["scores"]))
    np.testing.assert_array_equal(served["mlp_onehot_to_binary"]["digit"], served["mlp_onehot"]["digit"])


def test_every_export_gives_its_keras_models_outputs_in_a_fresh_process(tmp_path, mnist_test):
    small = dataclasses.replace(CI, train_examples=5000)
    settings = {"hidden_activation": "relu", "learning_rate": 1e-3}
    one_hot, binary = (problem2_search.train_design(small, Runtime(), encoding, 32, 1, 0, settings)[0]
                       for encoding in ("one_hot", "binary"))
    appended = append_one_hot_to_binary(one_hot)
    paths = problem2.export_problem2_models(one_hot, binary, appended, tmp_path)
    pixels = mnist_test.images[:256]
    for name, model, decode in (("mlp_onehot", one_hot, encodings.decode_one_hot),
                                ("mlp_binary", binary, encodings.decode_binary),
                                ("mlp_onehot_to_binary", appended, encodings.decode_binary)):
        scores = model(pixels).numpy()
        assert_servable(paths[name], {"pixels": pixels}, {"scores": scores, "digit": decode(scores)}, atol=1e-6)


def test_sweep_measures_every_cell_and_draws_from_its_rows(tmp_path, search):
    results = problem2.run_sweep(P2_SWEEP.config("quick"), tmp_path, Runtime(), upstream=search)
    assert [(row["encoding"], row["num_hidden"]) for row in results["rows"]] == [
        ("one_hot", 8), ("one_hot", 64), ("binary", 8), ("binary", 64)]
    for row in results["rows"]:
        assert row["accuracy"].mean > 0.5 and row["accuracy"].seeds == P2_SWEEP.config("quick").seeds  # chance: 0.1
        assert row["parameters"] == 785 * row["num_hidden"] + (row["num_hidden"] + 1) * (
            10 if row["encoding"] == "one_hot" else 4)
        # every cell chose its activation and rate on validation, from the search's grid
        assert row["tuned"]["split"] == "validation" and row["tuned"]["chosen"] in [
            {key: value for key, value in tried.items() if key != "validation_accuracy"} for tried in row["tuned"]["tried"]]
        assert 0.5 < row["validation_accuracy"].mean <= 1.0
    assert plots.plot_accuracy_against_hidden(results["rows"], tmp_path / "sweep.png").stat().st_size > 10_000


def test_direct_training_reports_accuracy_and_middle_layer_shape(tmp_path, search):
    results = problem2.run_direct(dataclasses.replace(P2_DIRECT.config("quick"), seeds=(0, 1)), tmp_path, Runtime(),
                                  upstream=search)
    summary = results["summary"]
    assert 0.1 < summary["accuracy"].mean <= 1.0 and summary["accuracy"].seeds == (0, 1)
    for key in ("best_assignment_agreement", "purity", "concentration"):
        assert 0.0 < summary["middle"][key].mean <= 1.0
    # the textbook decoder on the same one-hot nets, over the same seeds
    assert 0.1 < summary["textbook_accuracy"].mean <= summary["appended_accuracy"].mean + 0.005
    # the appended design's 10-unit layer is the one-hot net's output: its best assignment is digit-0-last
    assert results["appended_middle_layer"]["assignment"] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]


@pytest.mark.parametrize("name, bar", [("mlp_onehot", problem2.ONE_HOT_BAR), ("mlp_onehot_to_binary", None),
                                       ("mlp_binary", 0.9)])
def test_committed_models_reach_their_bars(name, bar, mnist_test):
    model_dir = REPOSITORY / "saved_models" / name
    outputs, _, _ = load_in_fresh_process(model_dir / str(versions(model_dir)[-1]), {"pixels": mnist_test.images})
    accuracy = np.mean(outputs["digit"] == mnist_test.labels)
    if bar is None:  # the appended net: within 0.3 points of the committed one-hot net
        one_hot_dir = REPOSITORY / "saved_models" / "mlp_onehot"
        reference, _, _ = load_in_fresh_process(one_hot_dir / str(versions(one_hot_dir)[-1]),
                                                {"pixels": mnist_test.images})
        assert abs(accuracy - np.mean(reference["digit"] == mnist_test.labels)) <= problem2.APPENDED_TOLERANCE
    else:
        assert accuracy >= bar


def test_cli_refuses_unknown_experiments(capsys):
    with pytest.raises(SystemExit):
        main(["problem2", "everything"])
    assert "invalid choice" in capsys.readouterr().err
