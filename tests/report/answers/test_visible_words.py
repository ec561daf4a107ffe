"""Every answer of Problems 1-4 opens its section with at most 500 visible words, on records of the current schema
at both scales, also when the sweep lists failed runs and every width of Q4.4 spreads (the longest texts)."""

import pathlib
import re

import pytest

from tests.report.answers.schema import current_records
from tests.report.test_committed_report import VISIBLE_WORDS, _visible_prose
from tfsheet.experiments.registry import P2_SWEEP, P4
from tfsheet.report.answers import problem1, problem2, problem3, problem4
from tfsheet.results import Seeded


def _visible_words(answer):
    section = "### heading\n" + answer.text + "".join(
        f"\n\n<details>\n<summary>{detail.title}</summary>\n\n{detail.text}\n\n</details>" for detail in answer.details)
    return _visible_prose(section)


def _longest(records):
    for row in records[P2_SWEEP.name]["results"]["rows"]:
        seeds = row["accuracy"].seeds or (0, 1, 2)
        row["accuracy"] = Seeded(((0.9, 0.11, 0.12) * 3)[:len(seeds)], seeds)
    for row in records[P4.name]["results"]["q4_4"]:
        for point in row["trained"]:
            point["all"] = [point["max_error"], 5 * point["max_error"], point["max_error"] / 5]
    return records


@pytest.mark.parametrize("scale", ["default", "full"])
@pytest.mark.parametrize("worst", [False, True])
def test_every_answer_of_problems_1_to_4_shows_at_most_500_words(scale, worst, tmp_path):
    records = current_records(scale)
    if worst:
        records = _longest(records)
    counts = {question.number: _visible_words(question.answer(records, pathlib.Path(tmp_path)))
              for problem in (problem1, problem2, problem3, problem4) for question in problem.PROBLEM.questions}
    assert {number: count for number, count in counts.items() if count > VISIBLE_WORDS} == {}


def test_the_word_count_sees_prose_and_skips_folded_details_and_tables():
    from tfsheet.report.answers import Answer, Detail
    answer = Answer("one two three\n\n| a | b |\n| --- | --- |", details=(Detail("t", "hidden words here"),))
    assert _visible_words(answer) == 3
    assert re.search("three", answer.text)
