"""The truncation probe's verdicts are read by one rule in both budgets: a verdict that differs between one pass and
equal updates is reported as mixed, and a loss below the lag-3 level is not taken alone as use of lag 8."""

import copy

import pytest

from tests.report import committed
from tfsheet.data.synthetic import PROBE_LAGS
from tfsheet.experiments.registry import P5_1_PROBE
from tfsheet.report.answers import problem5
from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT, WORSE
from tfsheet.results import Seeded


@pytest.fixture
def probe():
    return copy.deepcopy(committed.results("default", P5_1_PROBE))


def set_carried(row, nats, budgets=("one_pass", "equal_updates")):
    for budget in budgets:
        row["nats"][budget]["carried"] = Seeded.constant(nats)


def against_control(probe, k):
    return next(finding for finding in problem5.probe_findings(probe)
                if finding.claim.startswith(f"probe, k = {k}: the carried-state RNN against"))


@pytest.mark.parametrize("where, verdict, words", [
    (lambda low, high: low - 0.01, BETTER, "training added memory the gradient never asked for"),
    (lambda low, high: (low + high) / 2, NO_EFFECT, "is the memory the initialisation had"),
    (lambda low, high: high + 0.1, WORSE, "it lost some of the memory the initialisation had"),
])
def test_below_both_lags_the_carried_rnn_is_judged_against_the_controls_seeds(probe, where, verdict, words):
    control = probe["frozen_recurrence_nats"]
    row = probe["rows"][0]
    set_carried(row, where(control.min, control.max))
    assert against_control(probe, row["k"]).verdict == verdict
    assert words in problem5._probe(probe)


def test_a_verdict_that_differs_between_the_budgets_is_reported_as_mixed(probe):
    control = probe["frozen_recurrence_nats"]
    row = probe["rows"][0]
    set_carried(row, (control.min + control.max) / 2, ("one_pass",))
    set_carried(row, control.min - 0.01, ("equal_updates",))
    finding = against_control(probe, row["k"])
    assert finding.verdict == MIXED and finding.columns == (("one pass", NO_EFFECT), ("equal updates", BETTER))
    assert "the verdict depends on the budget" in problem5._probe(probe)


def test_between_the_lags_the_level_and_the_control_are_read_in_both_budgets(probe):
    short, long = PROBE_LAGS
    level = probe["levels"]["only_3"]
    row = next(row for row in probe["rows"] if short < row["k"] <= long)
    set_carried(row, level)
    below = next(finding for finding in problem5.probe_findings(probe)
                 if finding.claim.startswith(f"probe, k = {row['k']}: the carried-state RNN is below"))
    assert below.verdict is False
    assert f"not below the lag-{short}-only level on every seed in both budgets" in problem5._probe(probe)


def test_a_control_below_the_lag_3_level_stops_a_win_over_it_from_proving_more_of_lag_8_was_learned(probe):
    short, long = PROBE_LAGS
    probe["frozen_recurrence_nats"] = Seeded.constant(probe["levels"]["only_3"] - 0.01)
    assert f"does not by itself show that more of lag {long} was learned" in problem5._probe(probe)
    probe["frozen_recurrence_nats"] = Seeded.constant(probe["levels"]["only_3"] + 0.01)
    assert f"does not by itself show that more of lag {long} was learned" not in problem5._probe(probe)
