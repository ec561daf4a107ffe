"""An experiment's wall time survives interruptions: a resumed run reports the time of every attempt."""

import json
import time

import pytest

from tests.experiments.test_registry import TOY
from tfsheet.runs import cache
from tfsheet.runs.runner import run_experiments
from tfsheet.runs.stopwatch import ELAPSED_FILE, Stopwatch
from tfsheet.training.runtime import one_device


def test_a_first_attempt_is_timed_from_zero_and_leaves_its_time_behind(tmp_path):
    with Stopwatch(tmp_path / ELAPSED_FILE) as stopwatch:
        time.sleep(0.2)
    assert stopwatch.before == 0 and 0.2 <= stopwatch.seconds() < 2
    assert float((tmp_path / ELAPSED_FILE).read_text()) == pytest.approx(stopwatch.seconds(), abs=0.1)


def test_a_resumed_attempt_adds_the_time_the_interrupted_ones_took(tmp_path):
    (tmp_path / ELAPSED_FILE).write_text("100.0")
    with Stopwatch(tmp_path / ELAPSED_FILE) as stopwatch:
        time.sleep(0.1)
    assert stopwatch.before == 100 and 100.1 <= stopwatch.seconds() < 102


def test_while_running_the_time_so_far_is_on_disk_for_a_kill_to_leave(tmp_path):
    path = tmp_path / ELAPSED_FILE
    with Stopwatch(path, every=0.05):
        time.sleep(0.3)
        seen = float(path.read_text())          # written by the heartbeat, not by the exit
    assert 0.05 <= seen <= 0.35


@pytest.mark.parametrize("content", ["", "soon", "-5", "nan", "inf"])
def test_an_unreadable_or_negative_time_counts_as_none(tmp_path, content):
    (tmp_path / ELAPSED_FILE).write_text(content)
    assert Stopwatch(tmp_path / ELAPSED_FILE).before == 0


def test_a_folder_that_cannot_be_written_never_fails_the_timed_run(tmp_path):
    with Stopwatch(tmp_path / "gone" / ELAPSED_FILE, every=0.01) as stopwatch:
        time.sleep(0.05)
    assert stopwatch.seconds() >= 0.05 and not (tmp_path / "gone").exists()


def test_the_report_records_the_time_of_an_interrupted_run_it_resumed(tmp_path):
    config = TOY.config("quick")
    key = cache.cache_key(cache.key_fields(TOY, config, {}, one_device()))
    workdir = tmp_path / "runs" / TOY.name
    workdir.mkdir(parents=True)
    (workdir / ".report_key").write_text(key)                # an attempt with these settings was killed
    (workdir / ELAPSED_FILE).write_text("42.0")              # after 42 s
    outcomes = run_experiments("quick", tmp_path, experiments=(TOY,))
    record = json.loads((tmp_path / "results" / f"{TOY.name}.json").read_text())
    assert outcomes[0].status == "ran" and record["seconds_before_resuming"] == 42.0
    assert 42.0 <= record["seconds"] < 60
