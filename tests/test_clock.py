"""Durations read the same everywhere: the runner's summary, the trainer's time left, the report."""

import pytest

from tfsheet.clock import duration, time_left


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (41.2, "42 s"), (187, "3 min 07 s"), (3900, "1 h 05 min")])
def test_a_duration_is_rounded_up_to_whole_seconds(seconds, text):
    assert duration(seconds) == text


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf")])
def test_a_duration_refuses_what_is_not_a_time(seconds):
    with pytest.raises(ValueError, match="finite number of seconds"):
        duration(seconds)


def test_the_time_left_follows_the_pace_so_far():
    assert time_left(30.0, done=10, total=40) == "about 1 min 30 s left"
    assert time_left(30.0, done=0, total=40) == "" and time_left(30.0, done=40, total=40) == ""
