"""An experiment's memory is measured from the process: its peak resident set, and the process's high-water
mark; a small experiment run again and again does not grow."""

import time

import numpy as np
import pytest

from tfsheet.experiments.registry import P4
from tfsheet.runs import ALL
from tfsheet.runs.memory import MemoryMeter, process_peak_mib, resident_mib
from tfsheet.runs.runner import run_experiments


def test_the_meter_sees_an_allocation_while_it_lasts():
    before = resident_mib()
    with MemoryMeter(interval=0.05) as meter:
        block = np.ones(200 * (1 << 20) // 8)                      # 200 MiB, touched
        time.sleep(0.2)                                             # sampled while it lasts
    del block
    assert meter.peak_mib >= before + 150          # (pages the process had already freed may be reused)
    assert meter.process_peak_mib >= meter.peak_mib - 1 and process_peak_mib() >= meter.process_peak_mib
    assert meter.record() == {"peak_rss_mib": round(meter.peak_mib), "process_peak_rss_mib":
                              round(meter.process_peak_mib)}


def test_a_bad_interval_is_refused():
    with pytest.raises(ValueError, match="interval"):
        MemoryMeter(interval=0)


def test_every_record_carries_its_memory_and_a_repeated_small_experiment_grows_by_less_than_a_bound(tmp_path):
    peaks = []
    for _ in range(3):
        (outcome,) = run_experiments("quick", tmp_path / "report", replace=ALL, experiments=(P4,))
        assert outcome.status == "ran", outcome.record.get("error")
        peaks.append(outcome.record["memory"]["peak_rss_mib"])
    # the first run pays TensorFlow's one-time costs; after it each run still keeps about 36 MiB (state that
    # TensorFlow or Keras does not release, clear_session and gc.collect included): this bound fails on worse
    assert peaks[2] - peaks[1] < GROWTH_BOUND_MIB, peaks


GROWTH_BOUND_MIB = 60
