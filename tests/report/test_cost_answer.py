"""RTRL's cost paragraph reads the arithmetic rate's growth between the two largest sizes the way the time
exponent depends on it: time = 2 n^4 FLOPs / rate, so a rate growing faster than n^0.5 keeps the time exponent
more than 0.5 below 4."""

import pytest

from tfsheet.report.answers import problem5


def rows_with_rate_growth(exponent):
    """Two sizes, n = 256 and 512, whose rate grows as n^exponent between them."""
    return [{"n": 256, "rtrl_gflops": 100.0}, {"n": 512, "rtrl_gflops": 100.0 * 2.0 ** exponent}]


@pytest.mark.parametrize("exponent, verdict", [(1.0, "still rising"), (0.6, "still rising"), (0.3, "levelled off"),
                                               (0.0, "levelled off")])
def test_the_rate_is_still_rising_exactly_when_it_keeps_the_time_exponent_half_a_unit_below_4(exponent, verdict):
    text = problem5._throughput_text(rows_with_rate_growth(exponent))
    assert verdict in text
    assert f"$n^{{{exponent:.2f}}}$" in text
