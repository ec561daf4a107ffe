"""Every inequality the answers state as the sheet's answer holds in the results of every committed report
(tests/report/committed.py): if a re-run ever contradicts one, this fails and the text must change."""

import pytest

from tests.report import committed
from tfsheet.data.synthetic import PROBE_LAGS
from tfsheet.experiments.registry import (P1, P2_APPENDED, P2_DIRECT, P2_SWEEP, P3, P4, P5_1_COPY,
                                          P5_1_LANGUAGE_MODEL, P5_1_PROBE, P5_1_SHAKESPEARE, P5_2)

pytestmark = pytest.mark.parametrize("scale", committed.COMMITTED_REPORTS)


def test_q1_softmax_regression_reaches_the_published_level_with_hand_derived_gradients(scale):
    run = committed.results(scale, P1)
    assert run["test_accuracy"] >= run["accuracy_bar"]
    assert max(run["gradient_check"]["max_relative_error"].values()) < 1e-6


def test_q2_1_one_hot_outputs_win_except_at_widths_too_narrow_to_use(scale):
    rows = committed.results(scale, P2_SWEEP)["rows"]
    by_width = {}
    for row in rows:
        by_width.setdefault(row["num_hidden"], {})[row["encoding"]] = row["accuracy"].mean
    widest = max(by_width)
    assert by_width[widest]["one_hot"] > by_width[widest]["binary"]
    behind = [width for width, pair in by_width.items() if pair["one_hot"] <= pair["binary"]]
    # the text's claim about the widths where binary is ahead: they are the narrowest, and far below the widest
    assert behind == sorted(by_width)[:len(behind)]
    assert all(max(by_width[width].values()) < by_width[widest]["one_hot"] - 0.05 for width in behind)


def test_q2_2_the_threshold_network_makes_exactly_the_one_hot_nets_decisions(scale):
    run = committed.results(scale, P2_APPENDED)
    appended = run["appended"]
    assert appended["accuracy"] == run["one_hot"]["accuracy"]
    assert appended["agrees_with_one_hot_argmax"] == 1 - appended["ties_at_the_top"] / appended["test_images"]
    assert all(check["agree"] == check["inputs"] for check in appended["adversarial"])
    # the textbook one-layer version is worse where its premise fails, and in all
    assert run["classic_layer"]["accuracy"] < appended["accuracy"]
    assert run["classic_layer"]["accuracy_where_premise_failed"] < run["appended_where_premise_failed"]


def test_q2_3_training_784_h_10_4_directly_is_worse_and_its_middle_layer_is_not_one_hot(scale):
    summary = committed.results(scale, P2_DIRECT)["summary"]
    assert summary["accuracy"].mean < summary["appended_accuracy"].mean
    assert summary["middle"]["concentration"].mean < summary["appended_middle"]["concentration"].mean


def test_q3_twenty_five_linear_units_equal_logistic_regression_and_four_fall_short(scale):
    run = committed.results(scale, P3)
    accuracy = {name: value.mean for name, value in run["accuracy"].items()}
    assert abs(accuracy["linear_hidden_25"] - accuracy["logistic_regression"]) < 0.01
    assert accuracy["linear_hidden_4"] < accuracy["logistic_regression"] - 0.02
    assert run["q3_3"]["chord"]["gap"] > 0 and run["q3_3"]["hessian_at_trained"]["smallest"] < 0


def test_q4_the_constructions_meet_eps_at_points_they_never_saw(scale):
    for row in committed.results(scale, P4)["q4_4"]:
        assert all(point["held_out_error"] < point["eps"] for point in row["adaptive"])
        assert all(point["held_out_error"] <= point["bound"] < point["eps"] for point in row["certified"])


def test_q5_1_a_dependency_beyond_k_is_learned_as_a_side_effect_of_one_within_k(scale):
    probe = committed.results(scale, P5_1_PROBE)
    short, long = PROBE_LAGS
    between = [row for row in probe["rows"] if short < row["k"] <= long]     # lag 3 within reach, lag 8 beyond
    assert between
    for row in between:
        carried = row["nats"]["one_pass"]["carried"].max                                   # the worst seed
        assert carried < probe["levels"]["only_3"], row["k"]                               # lag 8 is used ...
        assert carried < probe["frozen_recurrence_nats"].min, row["k"]                     # ... and learned
        assert row["nats"]["one_pass"]["reset"].mean > probe["levels"]["only_3"], row["k"]  # reset at k, it is not


def test_q5_1_a_dependency_useless_within_k_is_not_learned(scale):
    probe = committed.results(scale, P5_1_PROBE)
    smallest = probe["rows"][0]
    assert smallest["k"] <= PROBE_LAGS[0]                                     # both lags beyond reach
    # no better than the frozen recurrence: the gradient never asks the state to keep anything
    assert smallest["nats"]["one_pass"]["carried"].mean >= probe["frozen_recurrence_nats"].min
    assert smallest["nats"]["one_pass"]["reset"].mean > probe["levels"]["only_3"]


def test_q5_1_on_the_probe_the_carried_state_beats_the_longest_reset_window_at_equal_updates(scale):
    probe = committed.results(scale, P5_1_PROBE)
    smallest, largest = probe["rows"][0], probe["rows"][-1]
    assert smallest["nats"]["equal_updates"]["carried"].mean < largest["nats"]["equal_updates"]["reset"].mean
    # every carried k beats the reset run of the same k at the same updates
    assert all(row["nats"]["equal_updates"]["carried"].mean < row["nats"]["equal_updates"]["reset"].mean
               for row in probe["rows"])


def test_q5_1_beyond_k_the_carried_rnn_beats_the_models_that_cannot_see_the_token(scale):
    copy = committed.results(scale, P5_1_COPY)
    beyond = [cell for cell in copy["cells"] if cell["L"] > cell["k"]]
    def accuracy(cell, learner):
        return cell["learners"][learner]["copy_accuracy"].mean

    assert any(accuracy(cell, "rnn_tbptt_carried") > max(accuracy(cell, "neural_ngram"),
                                                         accuracy(cell, "rnn_tbptt_reset")) + 0.1 for cell in beyond)
    assert all(accuracy(cell, "rnn_tbptt_reset") < copy["chance_accuracy"] + 0.05 for cell in beyond)


def test_q5_1_in_practice_a_strong_tbptt_rnn_beats_every_n_gram_on_the_test_split(scale):
    lm, grid = committed.results(scale, P5_1_LANGUAGE_MODEL), committed.results(scale, P5_1_SHAKESPEARE)
    best_cell = min(lm["cells"], key=lambda cell: lm["cells"][cell]["nats"]["validation"].mean)
    rnn = lm["cells"][best_cell]["nats"]["test"]
    for family in ("kneser_ney", "neural_ngram"):
        chosen = min(grid["rows"], key=lambda row: row["nats"]["validation"][family].mean)  # n chosen on validation
        assert rnn.max < chosen["nats"]["test"][family].mean, family                     # every seed, not the mean


def test_q5_1_the_test_text_is_harder_than_the_validation_text_for_every_model(scale):
    lm, grid = committed.results(scale, P5_1_LANGUAGE_MODEL), committed.results(scale, P5_1_SHAKESPEARE)
    for cell in lm["cells"].values():
        assert cell["nats"]["test"].mean > cell["nats"]["validation"].mean
    for row in grid["rows"]:
        for family in ("kneser_ney", "neural_ngram", "rnn_tbptt_carried", "rnn_tbptt_reset"):
            assert row["nats"]["test"][family].mean > row["nats"]["validation"][family].mean, (row["n"], family)


def test_q5_1_in_practice_learning_while_reading_helps_both_families_and_the_rnn_still_wins(scale):
    lm = committed.results(scale, P5_1_LANGUAGE_MODEL)
    dynamic = lm["dynamic"]
    static = lm["cells"][dynamic["cell"]]
    assert dynamic["nats"]["test"].mean < static["nats"]["test"].mean
    assert dynamic["nats"]["validation"].mean < static["nats"]["validation"].mean
    counts = dynamic["kneser_ney"]
    assert counts["nats"]["test"] < counts["static_nats"]["test"]
    assert dynamic["nats"]["test"].max < counts["nats"]["test"]          # every seed, against the adapted counts


@pytest.mark.parametrize("budget", ["", "_equal_updates"])
def test_q5_2_online_rtrl_learns_beyond_the_truncation_better_than_tbptt(scale, budget):
    online = committed.results(scale, P5_2)["online"]
    learners, k = online["learners"], online["truncation"]
    assert learners["rtrl_online"]["copy_accuracy"].mean > learners[f"tbptt_k{k}_carried{budget}"]["copy_accuracy"].mean


def test_q5_2_rtrl_equals_bptt_and_its_cheap_estimates_are_not_exact(scale):
    run = committed.results(scale, P5_2)
    assert max(row["relative_error"] for row in run["agreement"]) < 1e-10
    assert all(row["cosine_similarity"] < 1 for row in run["snap1"])
    assert all(row["mean_cosine"] > row["single_cosine_mean"] for row in run["uoro"])
