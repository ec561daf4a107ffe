"""The truncation probe's verdicts are read by one rule in both budgets, each against the control trained at that
budget: a verdict that differs between one pass and equal updates is reported as mixed, a loss below the lag-3 level
is not taken alone as use of lag 8 (the lag-8 effect is measured directly), and runs that learned nothing are named."""

import copy

import pytest

from tests.report import committed
from tfsheet.data.synthetic import PROBE_LAGS
from tfsheet.experiments.registry import P5_1_PROBE
from tfsheet.report.answers import problem5
from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT, WORSE
from tfsheet.results import Seeded

SHORT, LONG = PROBE_LAGS


@pytest.fixture
def probe():
    return copy.deepcopy(committed.results("default", P5_1_PROBE))


def set_carried(row, nats, budgets=("one_pass", "equal_updates")):
    for budget in budgets:
        row["nats"][budget]["carried"] = Seeded.constant(nats)


def set_lag_8_effect(row, effect, budgets=("one_pass", "equal_updates")):
    for budget in budgets:
        row["lag_effects"][budget]["carried"][str(LONG)] = Seeded.constant(effect)


def finding(probe, k, claim):
    return next(found for found in problem5.probe_findings(probe)
                if found.claim.startswith(f"probe, k = {k}: the carried-state RNN{claim}"))


@pytest.mark.parametrize("where, verdict, words", [
    (lambda low, high: low - 0.01, BETTER, "loss lower than every seed of the control in both budgets"),
    (lambda low, high: high + 0.1, WORSE, "loss higher than every seed of the control in both budgets"),
])
def test_the_carried_rnn_is_judged_against_the_control_trained_at_the_same_budget(probe, where, verdict, words):
    row = probe["rows"][0]
    for budget in ("one_pass", "equal_updates"):
        control = row["nats"][budget]["frozen"]
        set_carried(row, where(control.min, control.max), (budget,))
    assert finding(probe, row["k"], "'s loss").verdict == verdict
    assert words in problem5._probe(probe)


def test_each_row_has_its_own_control_trained_as_its_rnns_are(probe):
    rows = probe["rows"]
    assert len({row["nats"]["equal_updates"]["frozen"] for row in rows}) == len(rows)
    assert len({row["nats"]["one_pass"]["frozen"] for row in rows}) == len(rows)
    row = rows[0]
    # a carried loss between the two controls' values beats one and not the other: mixed, and said so
    set_carried(row, row["nats"]["one_pass"]["frozen"].max + 0.001, ("one_pass",))
    set_carried(row, row["nats"]["equal_updates"]["frozen"].min - 0.001, ("equal_updates",))
    found = finding(probe, row["k"], "'s loss")
    assert found.verdict == MIXED and found.columns == (("one pass", WORSE), ("equal updates", BETTER))
    assert "higher than every seed of the control (one pass) but lower than every seed of the control (equal " \
           "updates)" in problem5._probe(probe)


def test_lag_8_is_used_only_when_its_measured_effect_beats_the_controls_on_every_seed(probe):
    row = next(row for row in probe["rows"] if SHORT < row["k"] <= LONG)
    control = min(row["lag_effects"][budget]["frozen"][str(LONG)].min for budget in ("one_pass", "equal_updates"))
    set_lag_8_effect(row, control - 0.05)                        # further from 0 (the data's effect is -1/4)
    assert finding(probe, row["k"], " uses lag").verdict == BETTER
    set_lag_8_effect(row, 0.0)
    assert finding(probe, row["k"], " uses lag").verdict in (NO_EFFECT, WORSE)
    # a loss below the lag-3 level alone is not the verdict on lag 8: the two findings are apart
    set_carried(row, probe["levels"]["only_3"] - 0.01)
    assert finding(probe, row["k"], " is below").verdict is True
    assert finding(probe, row["k"], " uses lag").verdict in (NO_EFFECT, WORSE)


def test_between_the_lags_the_level_is_read_in_both_budgets(probe):
    row = next(row for row in probe["rows"] if SHORT < row["k"] <= LONG)
    set_carried(row, probe["levels"]["only_3"])
    assert finding(probe, row["k"], " is below").verdict is False
    assert f"not below the lag-{SHORT}-only level on every seed in both budgets" in problem5._probe(probe)


def test_a_run_that_learned_nothing_is_named_and_a_whole_failed_setting_is_said_to_be_the_settings(probe):
    row = next(row for row in probe["rows"] if row["k"] > SHORT)
    carried = row["nats"]["one_pass"]["carried"]
    values = list(carried.values)
    values[-1] = probe["levels"]["none"]
    row["nats"]["one_pass"]["carried"] = Seeded(tuple(values), carried.seeds)
    text = problem5._probe(probe)
    assert f"$k = {row['k']}$ carried, one pass (seeds {carried.seeds[-1]})" in text
    row["nats"]["one_pass"]["carried"] = Seeded((probe["levels"]["none"],) * len(values), carried.seeds)
    assert f"$k = {row['k']}$ carried, one pass (every seed, while the same $k$ learned at equal updates: a " \
           "failure of this budget" in problem5._probe(probe)
