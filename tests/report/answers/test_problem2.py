"""Q2's answers follow their results: where binary outputs are ahead, and which way the direct net differs."""

import copy

from tests.report import committed
from tfsheet.experiments.registry import P2_DIRECT, P2_SWEEP
from tfsheet.report.answers import problem2
from tfsheet.results import Seeded


def _records():
    return copy.deepcopy(committed.typed_records("default"))


def test_the_widths_where_binary_outputs_are_ahead_are_named_and_none_when_none_are(tmp_path):
    records = _records()
    rows = records[P2_SWEEP.name]["results"]["rows"]
    for row in rows:                               # one-hot ahead everywhere
        row["accuracy"] = Seeded.constant(0.97 if row["encoding"] == "one_hot" else 0.90)
    text = problem2.answer_2_1(records, tmp_path).text
    assert "The binary net is ahead only at" not in text
    assert f"at {len({row['num_hidden'] for row in rows})} of {len({row['num_hidden'] for row in rows})} widths" in text
    narrowest = min(row["num_hidden"] for row in rows)
    for row in rows:
        if row["num_hidden"] == narrowest and row["encoding"] == "binary":
            row["accuracy"] = Seeded.constant(0.98)
    assert f"The binary net is ahead only at $H = {narrowest}$" in problem2.answer_2_1(records, tmp_path).text


def test_the_direct_net_is_said_to_be_below_above_or_level_with_the_appended_design_by_its_seeds(tmp_path):
    records = _records()
    summary = records[P2_DIRECT.name]["results"]["summary"]
    spread = summary["appended_accuracy"]
    summary["accuracy"] = Seeded.constant(spread.min - 0.01)
    assert "below the appended design over the same seeds" in problem2.answer_2_3(records, tmp_path).text
    summary["accuracy"] = Seeded.constant(spread.max + 0.01)
    assert "above the appended design over the same seeds" in problem2.answer_2_3(records, tmp_path).text
    summary["accuracy"] = Seeded.constant(spread.mean)
    assert "within the seed spread of the appended design" in problem2.answer_2_3(records, tmp_path).text


def test_the_direct_net_is_compared_with_the_textbook_decoder_too_and_told_it_needs_a_differentiable_middle(tmp_path):
    text = problem2.answer_2_3(committed.typed_records("default"), tmp_path).text
    assert "the textbook one-layer decoder on the one-hot net" in text and "zero gradient" in text


def test_the_appended_network_answer_reports_its_adversarial_check(tmp_path):
    records = committed.typed_records("default")
    text = problem2.answer_2_2(records, tmp_path).text
    assert "score vectors built to break it" in text and "| appended net, decoded bits |" in text
