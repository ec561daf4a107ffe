"""Q2's answers follow their results: each width's verdict by the seeds (and its tuning), the failed runs by their
named rule, the appended design named by its depth, the textbook decoder's condition as sufficient only beside its
exact per-image agreement, and the direct net against the same shape by design first, then the deeper design, over
the same seeds. Records are the current schema (tests/report/answers/schema.py)."""

from tests.report.answers.schema import current_records, shifted
from tfsheet.experiments.registry import P2_APPENDED, P2_DIRECT, P2_SWEEP
from tfsheet.report.answers import problem2
from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT
from tfsheet.results import Seeded

SEEDS = (0, 1, 2)


def _cells(records):
    return {(row["encoding"], row["num_hidden"]): row for row in records[P2_SWEEP.name]["results"]["rows"]}


def _per_width(records):
    return {finding.claim: finding for finding in problem2.findings_2_1(records)
            if finding.claim.endswith("one-hot against binary outputs")}


def test_the_widths_where_binary_outputs_are_ahead_are_named_and_none_when_none_are(tmp_path):
    records = current_records()
    rows = records[P2_SWEEP.name]["results"]["rows"]
    for row in rows:                               # one-hot ahead everywhere, on every seed
        row["accuracy"] = row["validation_accuracy"] = Seeded.constant(0.97 if row["encoding"] == "one_hot" else 0.90)
    text = problem2.answer_2_1(records, tmp_path).text
    widths = len({row["num_hidden"] for row in rows})
    assert "The binary net is ahead only at" not in text
    assert f"on every seed at {widths} of {widths} widths and binary outputs at none" in text
    narrowest = min(row["num_hidden"] for row in rows)
    for row in rows:
        if row["num_hidden"] == narrowest and row["encoding"] == "binary":
            row["accuracy"] = row["validation_accuracy"] = Seeded.constant(0.98)
    assert f"The binary net is ahead only at $H = {narrowest}$" in problem2.answer_2_1(records, tmp_path).text


def test_a_mean_lead_inside_the_seed_spread_is_no_effect_in_the_table_and_the_opening(tmp_path):
    records = current_records()
    cells = _cells(records)
    widest = max(width for _, width in cells)
    cells[("one_hot", widest)]["accuracy"] = Seeded((0.97, 0.95, 0.99), SEEDS)      # mean 0.97
    cells[("binary", widest)]["accuracy"] = Seeded((0.96, 0.955, 0.965), SEEDS)     # mean 0.96, inside the spread
    for encoding in ("one_hot", "binary"):
        cells[(encoding, widest)]["validation_accuracy"] = cells[(encoding, widest)]["accuracy"]
    assert _per_width(records)[f"H = {widest}: one-hot against binary outputs"].verdict == NO_EFFECT
    text = problem2.answer_2_1(records, tmp_path).text
    assert f"| {widest} |" in text and text.split(f"| {widest} |")[1].split("\n")[0].endswith(
        "no effect (seeds overlap) |")
    assert not text.startswith("**Not a good idea.**")     # the widest width's verdict is no effect, not a win
    assert "lead" not in text


def test_every_width_is_read_in_test_and_validation_accuracy_and_a_disagreement_is_mixed(tmp_path):
    records = current_records()
    cells = _cells(records)
    widths = sorted({width for _, width in cells})
    found = _per_width(records)
    assert len(found) == len(widths)
    assert all(dict(finding.columns).keys() == {"test accuracy", "validation accuracy"} for finding in found.values())
    width = widths[-1]
    cells[("one_hot", width)]["accuracy"] = Seeded((0.99, 0.99, 0.99), SEEDS)
    cells[("binary", width)]["accuracy"] = Seeded((0.90, 0.90, 0.90), SEEDS)
    cells[("one_hot", width)]["validation_accuracy"] = Seeded((0.90, 0.90, 0.90), SEEDS)
    cells[("binary", width)]["validation_accuracy"] = Seeded((0.90, 0.91, 0.89), SEEDS)
    finding = _per_width(records)[f"H = {width}: one-hot against binary outputs"]
    assert finding.reading("test accuracy") == BETTER and finding.reading("validation accuracy") == NO_EFFECT
    assert finding.verdict == MIXED
    assert f"at $H = {width}$ test and validation accuracy disagree (mixed)" in problem2.answer_2_1(records, tmp_path).text


def test_each_cell_is_said_tuned_on_validation_with_the_sweeps_epochs_and_its_choice_is_shown(tmp_path):
    records = current_records()
    epochs = records[P2_SWEEP.name]["config"]["sweep_epochs"]
    cell = _cells(records)[("binary", 4)]
    cell["tuned"] = dict(cell["tuned"], chosen={"hidden_activation": "tanh", "learning_rate": 0.003})
    answer = problem2.answer_2_1(records, tmp_path)
    assert f"every seed trained {epochs} epochs" in answer.text
    (detail,) = answer.details
    assert "| 4 | " in detail.text and "tanh, Adam 0.003" in detail.text.split("| 4 | ")[1].split("\n")[0]
    assert f"every seed then trained {epochs} epochs with that choice" in detail.text


def test_the_first_seed_is_said_to_take_part_in_the_selection_and_its_validation_column(tmp_path):
    records = current_records()
    first = records[P2_SWEEP.name]["results"]["rows"][0]["accuracy"].seeds[0]
    answer = problem2.answer_2_1(records, tmp_path)
    assert (f"on validation with the first seed (seed {first}), so that seed's validation accuracy is part of the "
            "selection (the validation column of the details includes it)") in answer.text
    assert "so this column is not independent of the selection" in answer.details[0].text


def test_invalid_codes_are_given_as_the_largest_cell_mean_and_the_largest_single_run(tmp_path):
    records = current_records()
    for row in records[P2_SWEEP.name]["results"]["rows"]:
        if row["encoding"] == "binary":
            row["invalid_share"] = Seeded((0.001, 0.002, 0.003), SEEDS)
    cell = _cells(records)[("binary", 8)]
    cell["invalid_share"] = Seeded((0.001, 0.002, 0.0567), SEEDS)      # mean 1.99 %, worst run 5.67 %
    text = problem2.answer_2_1(records, tmp_path).text
    assert ("invalid codes (10-15) for up to 1.99 % of the images in a cell's mean over the seeds and 5.67 % in its "
            "worst single run") in text


def test_failed_runs_are_listed_by_the_named_rule(tmp_path):
    records = current_records()
    cells = _cells(records)
    best = 0.90
    midpoint = (problem2.CHANCE + best) / 2
    cells[("one_hot", 4)]["accuracy"] = Seeded((best, midpoint - 0.001, midpoint + 0.001), SEEDS)
    assert problem2.failed_runs(cells[("one_hot", 4)]) == [(1, midpoint - 0.001)]   # just above the midpoint: not
    for encoding, width in cells:                                                   # no other failure
        if (encoding, width) != ("one_hot", 4):
            cells[(encoding, width)]["accuracy"] = Seeded((0.9, 0.9, 0.9), SEEDS)
    failed = {finding.claim: finding for finding in problem2.findings_2_1(records)}["no run of the sweep failed"]
    assert failed.reading("one-hot") is False and failed.reading("binary") is True
    assert failed.rule is problem2.FAILED_RUN
    text = problem2.answer_2_1(records, tmp_path).text
    assert f"one-hot $H = 4$ seed 1 ({100 * (midpoint - 0.001):.2f} %)" in text and problem2.FAILED_RUN.reason in text


def test_the_decoder_condition_is_called_sufficient_never_exact_and_the_exact_agreement_is_reported(tmp_path):
    records = current_records()
    run = records[P2_APPENDED.name]["results"]
    run["decoder_condition"] = {"share_meeting": 0.9123, "classic_agrees_with_argmax_where_met": 1.0,
                                "classic_accuracy_where_failed": 0.4567}
    run["classic_layer"]["disagrees_with_argmax"] = 123
    run["appended"]["test_images"] = 10_000
    text = problem2.answer_2_2(records, tmp_path).text
    assert "the largest output exceeds $\\tfrac12$ and the others sum to less than $\\tfrac12$" in text
    assert "a sufficient condition for it to write the code of the largest output, whatever the code assignment" in text
    assert "It is not necessary" in text and "is a special case" in text
    assert "exact condition" not in text and "exactly when the largest" not in text
    # the exact per-image criterion: the decoder's bits equal the argmax's code, 1 - 123 / 10,000 of the images
    assert "they are on 98.77 % of the test images (123 differ)" in text
    assert "the sufficient condition holds on 91.23 %" in text
    assert "| images where its bits are the code of the one-hot argmax (the exact criterion) | 98.77 % |" in text
    assert "| textbook decoder where that condition fails | 45.67 % |" in text
    found = {finding.claim: finding for finding in problem2.findings_2_2(records)}
    assert found["the textbook decoder is exact where its sufficient condition holds"].verdict is True
    assert "on all test images, on 98.77 %" in found["the textbook decoder is exact where its sufficient condition holds"].evidence
    run["decoder_condition"]["classic_agrees_with_argmax_where_met"] = 0.999
    found = {finding.claim: finding for finding in problem2.findings_2_2(records)}
    assert found["the textbook decoder is exact where its sufficient condition holds"].verdict is False


def test_q2_2_names_the_appended_design_by_its_depth_and_the_hints_network_as_the_textbook_decoder(tmp_path):
    records = current_records()
    run = records[P2_APPENDED.name]["results"]
    opening = problem2.answer_2_2(records, tmp_path).text.split("\n\n")[0]
    assert opening.startswith("**Yes: follow the one-hot net's 784-H-10 with a fixed winner-take-all network of "
                              f"threshold units, {run['appended']['depth']} layers deep")
    assert "the 784-H-10-4 network then makes" not in opening            # the appended design is deeper than that
    assert "The hint's 784-H-10-4 network, one layer of threshold units on the outputs, is the textbook decoder" in opening
    width = run["one_hot"]["num_hidden"]
    text = problem2.answer_2_2(records, tmp_path).text
    assert f"| 784-{width}-10-90-10-11-4 (one-hot net + 4 fixed winner-take-all threshold layers): decoded bits |" in text
    assert f"| 784-{width}-10-4 of the hint, textbook one-layer decoder: all images |" in text
    run["appended"]["depth"] = 7                                 # a record from another layer: its depth, no widths
    text = problem2.answer_2_2(records, tmp_path).text
    assert "threshold units, 7 layers deep" in text and "-90-10-11-4" not in text


def test_q2_2_opens_with_its_verdict_and_states_each_nets_epochs(tmp_path):
    records = current_records()
    run = records[P2_APPENDED.name]["results"]
    text = problem2.answer_2_2(records, tmp_path).text
    assert text.startswith("**Yes: follow the one-hot net's 784-H-10 with a fixed winner-take-all network")
    assert text.split("\n\n")[0].count(". ") + 1 <= 3
    for design, label in (("one_hot", "one-hot 784-"), ("binary", "binary 784-")):
        epochs = run["search"][design]["chosen"]["epochs"]
        assert any(line.startswith(f"| {label}") and f"({epochs} epochs)" in line for line in text.splitlines())
    assert "same budget" not in text


def test_the_appended_network_answer_reports_its_adversarial_check(tmp_path):
    answer = problem2.answer_2_2(current_records(), tmp_path)
    assert "winner-take-all threshold layers): decoded bits |" in answer.text
    assert "score vectors built to break" in answer.details[0].text


def test_the_direct_net_is_said_to_be_below_above_or_level_with_the_deeper_design_by_its_seeds(tmp_path):
    records = current_records()
    summary = records[P2_DIRECT.name]["results"]["summary"]
    spread = summary["appended_accuracy"]
    deeper = "the deeper exact design of Q2.2"
    summary["accuracy"] = Seeded.constant(spread.min - 0.01)
    assert f"It is below {deeper} on every seed" in problem2.answer_2_3(records, tmp_path).text
    summary["accuracy"] = Seeded.constant(spread.max + 0.01)
    assert f"It is above {deeper} on every seed" in problem2.answer_2_3(records, tmp_path).text
    summary["accuracy"] = Seeded.constant(spread.mean)
    assert f"It is within the seed spread of {deeper}, the one-hot net" in problem2.answer_2_3(records, tmp_path).text


def test_the_direct_net_is_compared_first_with_the_same_shape_by_design_over_the_same_seeds(tmp_path):
    records = current_records()
    summary = records[P2_DIRECT.name]["results"]["summary"]
    direct = summary["accuracy"]
    records[P2_APPENDED.name]["results"]["classic_layer"]["accuracy"] = direct.min - 0.05   # the search's one seed
    summary["textbook_accuracy"] = shifted(direct, 0.0)                                   # overlapping seeds
    same_shape, deeper = problem2.findings_2_3(records)
    assert "same shape by design" in same_shape.claim and "deeper" in deeper.claim
    assert same_shape.verdict == NO_EFFECT
    opening = problem2.answer_2_3(records, tmp_path).text.split("\n\n")[0]
    assert opening.startswith("**Trained directly, the hint's 784-H-10-4 network is within the seed spread of the "
                              "same shape built by design, the one-hot net with the textbook one-layer decoder")
    summary["textbook_accuracy"] = shifted(direct, -0.01)                                 # below every direct seed
    assert problem2.findings_2_3(records)[0].verdict == BETTER
    opening = problem2.answer_2_3(records, tmp_path).text.split("\n\n")[0]
    assert opening.startswith("**Trained directly, the hint's 784-H-10-4 network is above the same shape built by "
                              "design on every seed")
    assert opening.index("textbook") < opening.index("deeper")     # the same-shape comparison leads


def test_q2_3_opens_with_its_verdict_and_its_table_shows_no_single_seed_value_among_seeded_ones(tmp_path):
    records = current_records()
    text = problem2.answer_2_3(records, tmp_path).text
    assert text.startswith("**Trained directly, the hint's 784-H-10-4 network is")
    assert "The network you suggest training is the 784-H-10-4 net itself" not in text
    opening = text.split("\n\n")[0]
    assert "zero gradient" in opening and "sigmoid" in opening and opening.count(". ") + 1 <= 3
    table = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    for line in table:
        cells = [cell.strip() for cell in line.strip("|").split("|")][1:]
        numeric = [cell for cell in cells if cell[0].isdigit()]
        assert numeric and all(" ± " in cell for cell in numeric), line   # every number is over the seeds
    assert "A likely reason, not measured here" in text
