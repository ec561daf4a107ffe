"""The truncation probe's paragraph follows its results: learned beyond k only when every seed beats the
frozen-recurrence control, and at k below both lags the verdict against the control is read from the numbers."""

import copy

import pytest

from tests.report import committed
from tfsheet.data.synthetic import PROBE_LAGS
from tfsheet.experiments.registry import P5_1_PROBE
from tfsheet.report.answers import problem5
from tfsheet.results import Seeded


@pytest.fixture
def probe():
    return copy.deepcopy(committed.results("default", P5_1_PROBE))


def set_carried(row, nats):
    row["nats"]["one_pass"]["carried"] = Seeded.constant(nats)


def frozen_range(probe):
    frozen = probe["frozen_recurrence_nats"]
    return frozen.min, frozen.max


def between_lags(probe):
    """The rows whose window reaches the short lag but not the long one."""
    short, long = PROBE_LAGS
    return [row for row in probe["rows"] if short < row["k"] <= long]


def test_between_the_lags_every_seed_below_the_control_is_called_learned(probe):
    lowest, _ = frozen_range(probe)
    for row in between_lags(probe):
        set_carried(row, lowest - 0.01)
    assert "so this was learned" in problem5._probe(probe)


def test_between_the_lags_a_seed_as_good_as_the_control_is_not_called_learned(probe):
    lowest, _ = frozen_range(probe)
    set_carried(between_lags(probe)[0], lowest + 0.001)
    text = problem5._probe(probe)
    assert "so this was learned" not in text and "may rest on the memory the initialisation had" in text


def test_between_the_lags_a_seed_at_the_lag_3_level_does_not_use_lag_8(probe):
    set_carried(between_lags(probe)[0], probe["levels"]["only_3"])
    assert f"so it does not use lag {PROBE_LAGS[1]}" in problem5._probe(probe)


@pytest.mark.parametrize("where, verdict", [
    (lambda low, high: low - 0.01, "training added memory the gradient never asked for"),
    (lambda low, high: (low + high) / 2, "is the memory the initialisation had"),
    (lambda low, high: high + 0.1, "it lost even the memory the initialisation had"),
])
def test_below_both_lags_the_carried_rnn_is_judged_against_the_controls_seeds(probe, where, verdict):
    set_carried(probe["rows"][0], where(*frozen_range(probe)))
    assert verdict in problem5._probe(probe)
