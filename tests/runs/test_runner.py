"""`tfsheet report`: the whole sheet answered in one run, as a person would read it, cached and resumable.

The quick-scale report is made once (through the command line, as a user runs it) and then read in
headless Chromium: every question's section is there, every figure loads, the formulas are
MathML, and no number is missing or NaN.
"""

import dataclasses
import io
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.conftest import comparable
from tests.report import browser
from tfsheet.runs import cache
from tfsheet.experiments.registry import EXPERIMENTS, P2_APPENDED, P2_DIRECT, P2_SEARCH, PROBLEMS, select
from tfsheet.report.document import write_report
from tfsheet.errors import Preempted
from tfsheet.runs import ALL, REFUSE
from tfsheet.runs.runner import TRAININGS_FOLDER, run_experiments

QUESTIONS = ("1", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "5.1", "5.2")


def _report_command(*arguments, timeout=900):
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "tfsheet.cli", "report", *arguments], capture_output=True,
                          text=True, env=environment, timeout=timeout)


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    completed = _report_command("--scale", "quick", "--out", str(out), "--export-dir", str(out / "saved_models"))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return out, completed.stdout


def test_the_quick_report_runs_every_experiment_and_exports_the_models(quick_report):
    out, stdout = quick_report
    for experiment in EXPERIMENTS:
        record = json.loads((out / "results" / f"{experiment.name}.json").read_text())
        assert record["status"] == "ok" and record["scale"] == "quick"
        assert record["environment"]["tensorflow"] and record["key"] and record["seconds"] > 0
        assert cache.record_key(record) == record["key"] and set(cache.KEY_FIELDS) <= set(record)
        assert f"{experiment.name}: done in" in stdout
        assert (out / "tensorboard" / experiment.name).is_dir() == ("tensorboard" in record["outputs"])
        assert (out / "tensorboard" / experiment.name).is_dir() or experiment in (P2_APPENDED, P2_DIRECT)  # reuse P2_search's nets
        # (the quick direct run has only the search's seed, so it trains nothing either)
    assert "about" in stdout and "left" in stdout                      # the time-left estimate
    assert "experiment" in stdout and "status" in stdout and "wall time" in stdout   # the summary table
    for model in ("softmax_regression", "mlp_onehot", "mlp_onehot_to_binary", "linear_hidden_4", "char_rnn"):
        assert (out / "saved_models" / model / "1" / "saved_model.pb").is_file()


def test_every_training_run_logs_to_one_tensorboard_dir(quick_report):
    out, _ = quick_report
    runs = {path.name for path in (out / "tensorboard" / "P2_sweep").iterdir()}
    # the four sweep cells, each tuned on validation (the quick preset tries ReLU only, at two rates, one seed: the
    # winner's run is the seed's); the searches at H = 256 are P2_search's
    assert runs == {f"{cell}_relu_lr{rate}_seed0" for cell in ("binary_H64", "binary_H8", "one_hot_H64", "one_hot_H8")
                    for rate in ("0.001", "0.003")}
    searches = {path.name for path in (out / "tensorboard" / P2_SEARCH.name).iterdir()}
    assert searches == {f"{encoding}_H256_relu_lr{rate}_seed0" for encoding in ("binary", "one_hot", "direct")
                        for rate in ("0.001", "0.003")}
    assert list((out / "tensorboard" / "P1").rglob("events.out.tfevents.*"))


def test_the_report_reads_well_in_a_browser(quick_report):
    out, _ = quick_report
    binary = browser.chromium()
    page = browser.inspect_page(binary, out / "index.html")
    assert page["sections"] == [f"q{number.replace('.', '-')}" for number in QUESTIONS]
    assert page["images"] >= 11 and page["broken_images"] == []
    assert page["math"] > 50 and page["math_errors"] == 0
    text = page["text"]
    assert not [word for word in ("NaN", "nan %", "missing", "None", "Not answered", "FAILED") if word in text]
    assert "Machine:" in text and "TensorFlow 2." in text and "Wall time" in text
    shot = browser.screenshot(binary, out / "index.html", out / "screenshot.png")
    pixels = _png_pixels(shot)
    assert pixels.std() > 10                       # a rendered page, not a blank one


def _png_pixels(path):
    import tensorflow as tf

    return tf.io.decode_png(tf.io.read_file(str(path))).numpy().astype(np.float32)


def test_every_number_in_the_markdown_comes_from_the_results(quick_report):
    out, _ = quick_report
    markdown = (out / "index.md").read_text()
    p1 = json.loads((out / "results" / "P1.json").read_text())["results"]
    assert f"{100 * p1['test_accuracy']:.2f} %" in markdown
    p3 = json.loads((out / "results" / "P3.json").read_text())["results"]
    assert f"{p3['q3_3']['chord']['gap']:.3f} nats" in markdown
    assert "$$" in markdown and "](figures/" in markdown


def test_a_second_run_renders_from_the_cache(quick_report):
    out, _ = quick_report
    before = json.loads((out / "results" / "P4.json").read_text())
    completed = _report_command("--scale", "quick", "--out", str(out), "--only", "P1,P4", "--export-dir",
                                str(out / "more_models"))
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "P1: cached" in completed.stdout and "P4: cached" in completed.stdout
    assert ("not exported into " + str(out / "more_models") + ": softmax_regression, relu_sheet_example, relu_ramp"
            in completed.stdout) and not any((out / "more_models").iterdir())     # said, not silently skipped
    assert json.loads((out / "results" / "P4.json").read_text()) == before
    assert "### 4.6" in (out / "index.md").read_text() and "### 2.1" not in (out / "index.md").read_text()


def test_force_and_a_changed_configuration_run_again(tmp_path):
    p1 = select(["P1"])[0]
    outcomes = run_experiments("quick", tmp_path, only=["P1"])
    first = outcomes[0].record
    printed = io.StringIO()
    again = run_experiments("quick", tmp_path, only=["P1"], stream=printed)
    assert again[0].status == "cached"
    assert "tfsheet report: 1 experiment at scale 'quick'" in printed.getvalue()
    forced = run_experiments("quick", tmp_path, only=["P1"], replace=ALL)
    assert forced[0].status == "ran" and forced[0].record["started_at"] >= first["started_at"]
    assert _key(p1, p1.config("quick")) != _key(p1, p1.config("default"))
    assert _key(p1, p1.config("quick", {"epochs": "2"}), {"epochs": "2"}) != _key(p1, p1.config("quick"))


def _key(experiment, config, settings=None):
    from tfsheet.training.runtime import one_device

    return cache.cache_key(cache.key_fields(experiment, config, settings or {}, one_device()))


def test_the_cache_key_follows_the_input_data(tmp_path, monkeypatch):
    (tmp_path / "tiny_shakespeare").mkdir()
    text = tmp_path / "tiny_shakespeare" / "input.txt"
    text.write_text("First Citizen:\n")
    monkeypatch.setenv("TFSHEET_DATA_DIR", str(tmp_path))
    experiment = select(["P5.1"])[0]
    assert experiment.inputs == ("tiny_shakespeare",)
    key = _key(experiment, experiment.config("quick"))
    text.write_text("Second Citizen:\n")
    assert _key(experiment, experiment.config("quick")) != key


def _fail(config, workdir, runtime, export_root=None):
    raise RuntimeError("the approximation study ran out of patience")


def test_a_failed_experiment_is_reported_and_the_others_still_run(tmp_path):
    failing = dataclasses.replace(select(["P4"])[0], run=_fail)
    experiments = (failing, *select(["P1"]))
    outcomes = run_experiments("quick", tmp_path, experiments=experiments, stream=open(os.devnull, "w"))
    paths = write_report(tmp_path, [outcome.record for outcome in outcomes], "quick", experiments)
    assert [outcome.status for outcome in outcomes] == ["failed", "ran"]
    markdown = paths["markdown"].read_text()
    assert "the approximation study ran out of patience" in markdown and "### 4.6" in markdown
    section_1 = markdown.split("### 1 ")[1].split("## Problem 4")[0]
    assert section_1.startswith("The four derivatives") and "Not answered" not in section_1
    assert {number for number, _ in paths["errors"]} == {"4.1", "4.2", "4.3", "4.4", "4.5", "4.6"}
    record = json.loads((tmp_path / "results" / "P4.json").read_text())
    assert record["status"] == "failed" and "Traceback" in record["error"]["traceback"]
    again = run_experiments("quick", tmp_path, experiments=experiments, stream=open(os.devnull, "w"))
    assert [outcome.status for outcome in again] == ["failed", "cached"]     # failures are retried, not cached


def _interrupted_then_resumed(config, workdir, runtime, export_root=None):
    """Trains nothing: the first run leaves a checkpoint and dies; a resumed run finds that checkpoint."""
    checkpoint = runtime.checkpoint_root / "probe" / "ckpt-1"
    if not checkpoint.exists():
        checkpoint.parent.mkdir(parents=True)
        checkpoint.write_text("step 1")
        raise RuntimeError("killed half-way")
    return {"resumed_from": checkpoint.read_text()}


@pytest.mark.parametrize("replace", [REFUSE, ALL])
def test_an_interrupted_run_resumes_even_when_run_again_on_purpose(tmp_path, replace):
    """`--force` and `tfsheet export` (replace ALL) re-run every experiment, but one interrupted with the same
    settings resumes from its checkpoints rather than start from zero; a finished one starts afresh."""
    experiment = dataclasses.replace(select(["P4"])[0], run=_interrupted_then_resumed)
    quiet = open(os.devnull, "w")
    assert run_experiments("quick", tmp_path, experiments=(experiment,), stream=quiet)[0].status == "failed"
    resumed = run_experiments("quick", tmp_path, experiments=(experiment,), replace=replace, stream=quiet)[0]
    assert resumed.status == "ran" and resumed.record["results"] == {"resumed_from": "step 1"}
    assert run_experiments("quick", tmp_path, experiments=(experiment,), replace=ALL, stream=quiet)[0].status == "failed"


def test_a_run_that_dies_before_its_record_is_written_keeps_its_trainings(tmp_path, monkeypatch):
    """Finished is what the record says: a run stopped between its results and its record (a full disk, a kill)
    is still an interrupted run, and its trainings resume rather than start again."""
    experiment = dataclasses.replace(select(["P4"])[0], run=_interrupted_then_resumed)
    quiet = open(os.devnull, "w")
    run_experiments("quick", tmp_path, experiments=(experiment,), stream=quiet)        # leaves its checkpoint

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(cache, "write_record", disk_full)
        with pytest.raises(OSError, match="No space left"):
            run_experiments("quick", tmp_path, experiments=(experiment,), stream=quiet)
    resumed = run_experiments("quick", tmp_path, experiments=(experiment,), replace=ALL, stream=quiet)[0]
    assert resumed.status == "ran" and resumed.record["results"] == {"resumed_from": "step 1"}


def _stopped_by_sigterm(config, workdir, runtime, export_root=None):
    raise Preempted("Stopped by SIGTERM at step 8; run the same command again to resume.")


def test_sigterm_stops_the_whole_run_not_only_its_experiment(tmp_path):
    stopped = dataclasses.replace(select(["P4"])[0], run=_stopped_by_sigterm)
    with pytest.raises(Preempted, match="Stopped by SIGTERM"):
        run_experiments("quick", tmp_path, experiments=(stopped, *select(["P1"])), stream=open(os.devnull, "w"))
    assert not (tmp_path / "results" / "P4.json").exists() and not (tmp_path / "results" / "P1.json").exists()
    assert (tmp_path / "runs" / "P4" / ".report_key").is_file()                # kept, to resume


def test_a_report_killed_mid_experiment_resumes_its_finished_trainings_to_the_same_numbers(quick_report, tmp_path):
    """kill -9 once a training of P1 has finished (its checkpoint written) and before P1 has a record: the run
    again restores that training without a step, trains the rest and goes on to P3, and P1's numbers equal
    the report never killed (the quick report's)."""
    command = [sys.executable, "-m", "tfsheet.cli", "report", "--scale", "quick", "--out", str(tmp_path),
               "--only", "P1,P3", "--no-export"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    trainings, record = tmp_path / "runs" / "P1" / TRAININGS_FOLDER, tmp_path / "results" / "P1.json"
    deadline = time.monotonic() + 300
    while not list(trainings.glob("*/checkpoints/checkpoint")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list(trainings.glob("*/checkpoints/checkpoint")) and not record.exists()
    assert not (tmp_path / "index.md").exists()
    completed = _report_command("--scale", "quick", "--out", str(tmp_path), "--only", "P1,P3", "--no-export")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "P1: done in" in completed.stdout and "P3: done in" in completed.stdout and (tmp_path / "index.md").exists()
    resumed = json.loads(record.read_text())
    assert not trainings.exists()                         # cleared once the record is written
    never_killed = json.loads((quick_report[0] / "results" / "P1.json").read_text())
    assert comparable(resumed["results"]) == comparable(never_killed["results"])


@pytest.mark.parametrize("arguments, message", [
    (["--only", "P7"], "valid problems: P1, P2, P3, P4, P5.1, P5.2"),
    (["--only", "P2,banana"], "unknown problem 'banana'"),
    (["--scale", "huge"], "invalid choice: 'huge' (choose from 'quick', 'default', 'full')"),
])
def test_unknown_problems_and_scales_are_usage_errors(arguments, message, capsys):
    from tfsheet.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["report", *arguments])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_problem_names_select_experiments_in_the_sheets_order():
    assert [experiment.name for experiment in select(["p5", "2"])] == [
        "P2_search", "P2_sweep", "P2_appended", "P2_direct", "P5.1_shakespeare", "P5.1_language_model", "P5.1_probe", "P5.1_copy",
        "P5.2"]
    assert {experiment.problem for experiment in select(None)} == set(PROBLEMS)
