"""Q1's answer opens with the four derivatives, says whether the trained model meets its bar from the numbers, shows
the gradient check, and says when the validation search chose the edge of its grid."""

import copy

from tests.report import committed
from tfsheet.experiments.registry import P1
from tfsheet.report.answers import problem1


def _records():
    return copy.deepcopy(committed.typed_records("default"))


def test_the_answer_reads_meets_or_misses_the_bar_from_the_results(tmp_path):
    records = _records()
    run = records[P1.name]["results"]
    assert "meets" in problem1.answer(records, tmp_path).text
    run["test_accuracy"] = run["accuracy_bar"] - 0.01
    assert "misses" in problem1.answer(records, tmp_path).text


def test_the_answer_shows_both_gradient_checks_and_the_chosen_rate(tmp_path):
    records = committed.typed_records("default")
    answer = problem1.answer(records, tmp_path)
    check = records[P1.name]["results"]["gradient_check"]["max_relative_error"]
    assert f"{check['hand_derived_numpy']:.1e}" in answer.text and f"{check['custom_gradient_ops']:.1e}" in answer.text
    assert "chosen on the validation split" in answer.details[0].text


def test_the_answer_opens_with_the_four_derivatives_and_the_verdict_in_at_most_three_sentences(tmp_path):
    text = problem1.answer(committed.typed_records("default"), tmp_path).text
    opening = text.split("\n\n")[0]
    assert opening.startswith(r"**$\partial\ell/\partial\mathbf a = -\mathbf e_y / a_y$")
    assert r"(\mathbf a - \mathbf e_y)\,\mathbf x^\top" in opening and "meets" in opening
    assert opening.count(". ") + 1 <= 3


def test_a_choice_on_the_edge_of_the_grid_is_said_and_one_inside_it_is_not(tmp_path):
    records = _records()
    config, search = records[P1.name]["config"], records[P1.name]["results"]["search"]
    rates = sorted(row["learning_rate"] for row in search["tried"])
    search["chosen"] = {"learning_rate": rates[0], "epochs": config["epochs"] - 1}
    answer = problem1.answer(records, tmp_path)
    assert "edge of" not in answer.text and "edge of" not in answer.details[0].text
    search["chosen"] = {"learning_rate": rates[-1], "epochs": config["epochs"] - 1}
    text = problem1.answer(records, tmp_path).text
    assert f"its learning rate ({rates[-1]:g}) is the largest tried" in text and "are the cap" not in text
    assert "a better value may lie beyond the grid" in text
    search["chosen"] = {"learning_rate": rates[0], "epochs": config["epochs"]}
    text = problem1.answer(records, tmp_path).text
    assert f"its epochs ({config['epochs']}) are the cap" in text and "largest tried" not in text
