"""Every inequality the answers state as the sheet's answer holds in the results of every committed report
(tests/report/committed.py): if a re-run ever contradicts one, this fails and the text must change."""

import pytest

from tests.report import committed
from tfsheet.data.synthetic import PROBE_LAGS
from tfsheet.experiments.registry import (P1, P2_APPENDED, P2_DIRECT, P2_SWEEP, P3, P4, P5_1_COPY,
                                          P5_1_LANGUAGE_MODEL, P5_1_PROBE, P5_1_SHAKESPEARE, P5_2)
from tfsheet.report.answers import all_problems, problem5
from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT, WORSE

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
    assert appended["depth"] > 1            # deeper than the hint's 784-H-10-4, which the text names apart from it
    assert appended["accuracy"] == run["one_hot"]["accuracy"]
    assert appended["agrees_with_one_hot_argmax"] == 1 - appended["ties_at_the_top"] / appended["test_images"]
    assert all(check["agree"] == check["inputs"] for check in appended["adversarial"])
    # the textbook one-layer version is worse where its premise fails, and in all
    assert run["classic_layer"]["accuracy"] < appended["accuracy"]
    assert run["classic_layer"]["accuracy_where_premise_failed"] < run["appended_where_premise_failed"]
    # the decoder condition is sufficient, not necessary: the textbook decoder agrees with the argmax on at least the
    # images meeting it
    agreement = 1 - run["classic_layer"]["disagrees_with_argmax"] / appended["test_images"]
    assert agreement >= run["decoder_condition"]["share_meeting"]


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


def findings(scale, question_number):
    """The findings the answer to `question_number` renders, from the committed records at `scale`."""
    question = next(question for problem in all_problems() for question in problem.questions
                    if question.number == question_number)
    return {finding.claim: finding for finding in question.findings(committed.typed_records(scale))}


def test_q5_1_between_the_lags_the_carried_rnn_is_below_the_lag_3_level_and_the_control_in_both_budgets(scale):
    short, long = PROBE_LAGS
    found = findings(scale, "5.1")
    between = [row["k"] for row in committed.results(scale, P5_1_PROBE)["rows"] if short < row["k"] <= long]
    assert between
    for k in between:
        assert found[f"probe, k = {k}: the carried-state RNN is below the lag-{short}-only level"].verdict is True
        assert found[f"probe, k = {k}: the carried-state RNN's loss against the frozen control"].verdict == BETTER


def test_q5_1_measured_directly_the_carried_rnn_uses_lag_8_beyond_its_truncation_more_than_the_control(scale):
    """At k = 5 (lag 3 within reach, lag 8 beyond it) the prediction moves with x(t-8) more than the frozen control's,
    on every seed, in both budgets; the control trained at the same budget in each."""
    short, long = PROBE_LAGS
    probe = committed.results(scale, P5_1_PROBE)
    k = next(row["k"] for row in probe["rows"] if short < row["k"] < long)
    assert findings(scale, "5.1")[f"probe, k = {k}: the carried-state RNN uses lag {long} more than the frozen "
                                  "control"].verdict == BETTER


def test_q5_1_below_both_lags_the_verdict_against_the_control_depends_on_the_budget(scale):
    probe = committed.results(scale, P5_1_PROBE)
    smallest = probe["rows"][0]
    assert smallest["k"] <= PROBE_LAGS[0]                                     # both lags beyond reach
    assert findings(scale, "5.1")[f"probe, k = {smallest['k']}: the carried-state RNN's loss against the frozen "
                                  "control"].verdict == MIXED             # so the answer does not pick one column
    assert smallest["nats"]["one_pass"]["reset"].mean > probe["levels"]["only_3"]


def test_q5_1_on_the_copy_task_tbptt_learns_inside_its_window_and_nothing_beyond_it_that_the_control_lacks(scale):
    found = [finding for claim, finding in findings(scale, "5.1").items()
             if claim.startswith("copy, ") and "frozen control" in claim]
    inside = [finding.verdict for finding in found if "inside the window" in finding.claim]
    beyond = [finding.verdict for finding in found if "beyond the window" in finding.claim]
    assert inside and set(inside) == {BETTER}
    assert beyond and BETTER not in beyond


def test_q5_1_full_bptt_learns_a_copy_beyond_the_truncation_that_tbptt_does_not(scale):
    found = [finding for claim, finding in findings(scale, "5.1").items() if "full BPTT against" in claim]
    assert any(finding.verdict == BETTER for finding in found)


def test_q5_1_on_the_probe_the_carried_state_beats_the_longest_reset_window_at_equal_updates(scale):
    probe = committed.results(scale, P5_1_PROBE)
    smallest, largest = probe["rows"][0], probe["rows"][-1]
    assert findings(scale, "5.1")[f"probe, equal updates: carried k = {smallest['k']} against reset "
                                  f"k = {largest['k']}"].verdict == BETTER
    # every carried k beats the reset run of the same k at the same updates
    assert all(row["nats"]["equal_updates"]["carried"].mean < row["nats"]["equal_updates"]["reset"].mean
               for row in probe["rows"])


def test_q5_1_tiny_shakespeare_the_rnn_wins_at_n_2_and_the_count_model_from_n_5_at_every_column(scale):
    found = findings(scale, "5.1")
    for row in committed.results(scale, P5_1_SHAKESPEARE)["rows"]:
        against = {family: found[f"Tiny Shakespeare, n = {row['n']}: the carried-state RNN (k = n) against "
                                 f"{problem5.AGAINST[family]}"].verdict for family in problem5.AGAINST}
        if row["n"] == 2:
            assert set(against.values()) == {BETTER}, against
        elif row["n"] >= 5:
            assert against[problem5.COUNT_NGRAM] == WORSE, row["n"]


def test_q5_1_tiny_shakespeare_at_the_longest_n_the_rnn_beats_the_sheets_neural_n_gram(scale):
    n = committed.results(scale, P5_1_SHAKESPEARE)["rows"][-1]["n"]
    assert findings(scale, "5.1")[f"Tiny Shakespeare, n = {n}: the carried-state RNN (k = n) against "
                                  f"{problem5.AGAINST[problem5.SHEET_NGRAM]}"].verdict == BETTER


def test_q5_1_in_practice_the_gru_beats_the_best_n_gram_and_the_sheets_tanh_cell_does_not(scale):
    window = committed.results(scale, P5_1_LANGUAGE_MODEL)["window"]
    found = findings(scale, "5.1")
    assert found[f"in practice: the GRU RNN (k = {window}) against the best n-gram model"].verdict == BETTER
    assert found[f"in practice: the tanh (the sheet's) RNN (k = {window}) against the best n-gram "
                 "model"].reading("test") == WORSE


def test_q2_1_one_hot_outputs_win_on_every_seed_from_32_hidden_units(scale):
    for claim, finding in findings(scale, "2.1").items():
        if not claim.endswith(": one-hot against binary outputs"):
            continue
        width = int(claim.split(":")[0].removeprefix("H = "))
        if width >= 32:
            assert finding.verdict == BETTER, claim
        elif width == 4:
            assert finding.verdict == NO_EFFECT, claim          # collapsed one-hot seeds: inside the spread


def test_q2_3_the_direct_net_is_not_below_the_same_shape_by_design_and_is_below_the_deeper_design(scale, tmp_path):
    """Both comparators over the same seeds as the direct net (the textbook decoder was once one seed); the answer
    leads with the same-shape comparison and renders its finding's verdict, whichever it is at this scale."""
    found = findings(scale, "2.3")
    same_shape = found["the directly trained 784-H-10-4 net against the same shape by design (the textbook one-layer "
                       "decoder)"]
    assert same_shape.verdict in (BETTER, NO_EFFECT)
    assert found["the directly trained 784-H-10-4 net against the deeper appended design"].verdict == WORSE
    question = next(question for problem in all_problems() for question in problem.questions if question.number == "2.3")
    said = {BETTER: "above the same shape built by design on every seed",
            NO_EFFECT: "within the seed spread of the same shape built by design"}[same_shape.verdict]
    opening = question.answer(committed.typed_records(scale), tmp_path).text.split("\n\n")[0]
    assert opening.startswith(f"**Trained directly, the hint's 784-H-10-4 network is {said}")
    summary = committed.results(scale, P2_DIRECT)["summary"]
    assert summary["textbook_accuracy"].seeds == summary["accuracy"].seeds == summary["appended_accuracy"].seeds
    assert len(summary["accuracy"].seeds) >= 3


def test_q2_1_shrinking_the_hidden_layer_to_the_narrowest_width_costs_accuracy_on_every_seed(scale):
    (shrink,) = [finding for claim, finding in findings(scale, "2.1").items() if "shrinking" in claim]
    assert shrink.verdict == WORSE


def test_q2_2_the_appended_network_makes_the_one_hot_nets_decisions_and_the_textbook_decoder_is_exact_where_its_condition_holds(scale):
    found = findings(scale, "2.2")
    assert found["the appended network makes the one-hot net's decisions"].verdict is True
    assert found["the textbook decoder is exact where its sufficient condition holds"].verdict is True


def test_q3_four_linear_units_are_below_logistic_regression_on_every_seed(scale):
    assert findings(scale, "3.2")["logistic regression against the linear-hidden net with H = 4"].verdict == BETTER
    assert len(findings(scale, "3.1")) == 1        # the 25-unit comparison is a finding, whatever its verdict


def test_q4_4_at_two_units_training_is_not_short_of_the_construction(scale):
    sine = next(finding for claim, finding in findings(scale, "4.4").items() if claim.startswith("sin"))
    assert sine.reading("2 units") is False and True in dict(sine.columns).values()


def test_q5_2_online_rtrl_beats_tbptt_beyond_its_truncation_in_both_budgets(scale):
    (finding,) = findings(scale, "5.2").values()
    assert finding.verdict == BETTER


def test_q5_1_beyond_k_the_models_that_cannot_see_the_token_stay_at_chance(scale):
    copy = committed.results(scale, P5_1_COPY)
    beyond = [cell for cell in copy["cells"] if cell["L"] > cell["k"]]
    for cell in beyond:
        for learner in ("neural_ngram", "rnn_tbptt_reset"):
            assert cell["learners"][learner]["copy_accuracy"].mean < copy["chance_accuracy"] + 0.05, (cell, learner)


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


def test_q5_2_rtrl_equals_bptt_and_its_cheap_estimates_are_not_exact(scale):
    run = committed.results(scale, P5_2)
    assert max(row["relative_error"] for row in run["agreement"]) < 1e-10
    assert all(row["cosine_similarity"] < 1 for row in run["snap1"])
    assert all(row["mean_cosine"] > row["single_cosine_mean"] for row in run["uoro"])
