"""Q1's answer says whether the trained model meets its bar from the numbers, and shows the gradient check."""

import copy

from tests.report import committed
from tfsheet.experiments.registry import P1
from tfsheet.report.answers import problem1


def test_the_answer_reads_meets_or_misses_the_bar_from_the_results(tmp_path):
    records = copy.deepcopy(committed.typed_records("default"))
    run = records[P1.name]["results"]
    assert "meets" in problem1.answer(records, tmp_path).text
    run["test_accuracy"] = run["accuracy_bar"] - 0.01
    assert "misses" in problem1.answer(records, tmp_path).text


def test_the_answer_shows_both_gradient_checks_and_the_chosen_rate(tmp_path):
    records = committed.typed_records("default")
    text = problem1.answer(records, tmp_path).text
    check = records[P1.name]["results"]["gradient_check"]["max_relative_error"]
    assert f"{check['hand_derived_numpy']:.1e}" in text and f"{check['custom_gradient_ops']:.1e}" in text
    assert "chosen on the validation split" in text
