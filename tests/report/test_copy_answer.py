"""The copy task's verdicts: learning through time is a lead over the frozen-recurrence control on every seed, read
cell by cell inside and beyond the window; the search ran where its candidates differ."""

import copy

import pytest

from tests.report import committed
from tfsheet.experiments.registry import P5_1_COPY
from tfsheet.report.answers import problem5
from tfsheet.report.findings import BETTER, NO_EFFECT
from tfsheet.results import Seeded


@pytest.fixture
def result():
    return copy.deepcopy(committed.results("default", P5_1_COPY))


def against_control(result, cell):
    return next(found for found in problem5.copy_findings(result)
                if found.claim.startswith(f"copy, k = {cell['k']}, L = {cell['L']} (") and "frozen control" in found.claim)


def test_a_lead_inside_the_control_seed_spread_is_no_effect(result):
    cell = next(cell for cell in result["cells"] if cell["L"] > cell["k"])
    control = cell["learners"]["rnn_frozen_recurrence"]["copy_accuracy"]
    cell["learners"]["rnn_tbptt_carried"]["copy_accuracy"] = Seeded.constant(control.max + 0.01)
    assert against_control(result, cell).verdict == BETTER
    cell["learners"]["rnn_tbptt_carried"]["copy_accuracy"] = Seeded.constant((control.min + control.max) / 2)
    assert against_control(result, cell).verdict == NO_EFFECT


def test_the_counts_in_the_text_are_the_findings(result):
    found = problem5.copy_findings(result)
    beyond = [f for f in found if "beyond the window" in f.claim]
    text = problem5._copy(result)
    assert f"beyond it ($L > k$) in {sum(f.verdict == BETTER for f in beyond)} of {len(beyond)}" in text


def test_the_search_ran_inside_the_window_where_its_candidates_differ(result):
    search = result["search"]
    assert search["L"] <= search["k"]
    tried = [candidate["validation_nats"] for candidate in search["rnn_tbptt"]["tried"]]
    assert max(tried) - min(tried) > 0.01
