"""Run experiments of the registry in order, each isolated, cached, timed and logged.

For each experiment: reuse its cached record when the key matches (unless `replace` is ALL); otherwise
run it with its TensorBoard logs under OUT/tensorboard/<name>/ and its files under OUT/runs/<name>/,
timed across interruptions (tfsheet.runs.stopwatch), and write its record, "ok" with the results
or "failed" with the error. A failure is reported and the next experiment runs. Progress goes to
`stream`, one line per experiment with an estimate of the time left; a summary table ends the run.
`tfsheet report`, the problem commands and `tfsheet export` all run experiments through
`run_experiments`; rendering the records into a page is tfsheet.report's job, not this module's.

What happens to a record made with other settings (another key) is `replace`'s choice:
REFUSE (the default) stops with an error naming the change, CHANGED (`--restart`) replaces
only those records, ALL (`--force`) re-runs every experiment, unchanged ones included.

An interrupted run (killed, stopped or failed before its record said "ok") is resumed from its
checkpoints whenever its experiment runs again with the same key, re-run on purpose (ALL,
`tfsheet export`) or not: a resumed training gives the numbers of one never stopped, so starting
it again from zero would only repeat work. A finished run's files, and any made with another key,
are removed first.
"""

import contextlib
import dataclasses
import json
import pathlib
import shutil
import sys
import traceback

from tfsheet.clock import duration
from tfsheet.errors import Preempted, TfsheetError, disk_full_hint
from tfsheet.experiments.registry import EXPERIMENTS, SCALES, Upstream, check_settings, select, settings_for, with_needs
from tfsheet.results import as_written
from tfsheet.runs import ALL, REFUSE, REPLACE_MODES, cache
from tfsheet.runs.memory import MemoryMeter
from tfsheet.runs.stopwatch import ELAPSED_FILE, Stopwatch

COMPLETE_FILE = ".complete"   # in an experiment's workdir: its run finished, so the files it keeps are whole
TRAININGS_FOLDER = "trainings"   # in an experiment's workdir: a checkpoint folder per training, until it finishes


@dataclasses.dataclass
class Outcome:
    """What happened to one experiment in this run."""

    name: str
    status: str          # "ran", "cached" or "failed"
    seconds: float       # wall time of the run (of the cached run, when cached)
    record_path: pathlib.Path
    record: dict


def run_experiments(scale="default", out="report", only=None, replace=REFUSE, export_root=None,
                    experiments=EXPERIMENTS, stream=None, settings=None, strategy=None, verbose=False):
    """Run (or load from the cache) every selected experiment; return their Outcomes, in order.

    Args:
        scale: one of SCALES.
        out: the report folder: records under results/, files under runs/, logs under tensorboard/.
        only: problem names (see registry.select); None for the whole sheet. The experiments the chosen
            ones need are added (each before the ones that need it).
        replace: REFUSE, CHANGED or ALL: what to do with records made with other settings (module docstring).
        export_root: where trained models are published as SavedModels; None to export nothing.
        experiments: the experiments to choose from (tests pass their own).
        stream: where progress goes (default stderr).
        settings: {"field" or "P2.field": text} changes to the presets (registry.settings_for); they are
            recorded in each record and are part of its cache key.
        strategy: the tf.distribute strategy every experiment trains under; None for one device.
        verbose: a progress line per epoch of every training run, besides the line per experiment.

    Raises:
        TfsheetError: with REFUSE, when `out` holds an experiment's record or interrupted run made with
            other settings (nothing has run yet).
    """
    if replace not in REPLACE_MODES:
        raise ValueError(f"replace must be one of {', '.join(REPLACE_MODES)}. Received: replace={replace!r}")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; valid scales: {', '.join(SCALES)}")
    settings = dict(settings or {})
    chosen = with_needs(select(only, experiments))
    check_settings(settings, chosen)
    configs = {experiment.name: experiment.config(scale, settings_for(experiment, settings)) for experiment in chosen}
    from tfsheet.training.runtime import Runtime, one_device

    runtime = Runtime(strategy=strategy or one_device(), verbose=verbose)
    fields = {}                         # each experiment's key fields; a need's key is part of its key
    for experiment in chosen:
        fields[experiment.name] = cache.key_fields(
            experiment, configs[experiment.name], settings_for(experiment, settings), runtime.strategy,
            {needed.name: cache.cache_key(fields[needed.name]) for needed in experiment.needs})
    stream = stream or sys.stderr
    out = pathlib.Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if replace == REFUSE:
        for experiment in chosen:
            _refuse_to_replace(experiment, fields[experiment.name], out)
    print(f"tfsheet report: {len(chosen)} experiment{'s' if len(chosen) != 1 else ''} at scale {scale!r} into {out}",
          file=stream, flush=True)
    clock = _Clock(chosen, scale)
    files_needed = _needed_folders(chosen, fields, out, replace == ALL)
    outcomes, done = [], {}
    for index, experiment in enumerate(chosen, 1):
        prefix = f"[{index}/{len(chosen)}] {experiment.name}"
        upstream = {needed.name: Upstream(configs[needed.name], done[needed.name].record.get("results"),
                                          out / "runs" / needed.name) for needed in experiment.needs}
        failed = [needed.name for needed in experiment.needs if done[needed.name].status == "failed"]
        outcome = _run_one(experiment, scale, configs[experiment.name], fields[experiment.name], runtime, out,
                           replace == ALL or experiment.name in files_needed, export_root, stream, prefix, clock,
                           upstream, failed)
        done[experiment.name] = outcome
        clock.done(experiment, outcome)
        outcomes.append(outcome)
        print(f"{prefix}: {_describe(outcome)}; {clock.left()}", file=stream, flush=True)
    not_exported = [model for experiment, outcome in zip(chosen, outcomes) if outcome.status == "cached"
                    for model in experiment.exports]
    if export_root is not None and not_exported:     # a cached result has no model in memory to export
        print(f"note: cached experiments export nothing; not exported into {export_root}: {', '.join(not_exported)} "
              f"(`tfsheet export {' '.join(not_exported)}` trains and publishes them)", file=stream, flush=True)
    return outcomes


def _needed_folders(chosen, fields, out, force):
    """The cached experiments to run again because one that will run needs their files and their folder
    has lost them (no COMPLETE_FILE): a record alone does not hold a search's kept weights."""
    will_run = {experiment.name for experiment in chosen
                if force or cache.load_cached(out, experiment, cache.cache_key(fields[experiment.name])) is None}
    return {needed.name for experiment in chosen if experiment.name in will_run for needed in experiment.needs
            if not (out / "runs" / needed.name / COMPLETE_FILE).is_file()}


def _run_one(experiment, scale, config, fields, runtime, out, rerun, export_root, stream, prefix, clock, upstream,
             failed_needs):
    key = cache.cache_key(fields)
    path = cache.record_path(out, experiment)
    cached = None if rerun else cache.load_cached(out, experiment, key)
    if cached is not None:
        return Outcome(experiment.name, "cached", cached.get("seconds", 0.0), path, cached)
    print(f"{prefix}: running (about {duration(clock.estimate(experiment))}); {clock.left()}",
          file=stream, flush=True)
    tensorboard = out / "tensorboard"
    workdir = _fresh_workdir(out / "runs" / experiment.name, key, logs=tensorboard / experiment.name)
    record = cache.new_record(experiment, scale, fields)
    record["outputs"] = {"workdir": workdir.relative_to(out).as_posix(),    # relative to the report folder, so
                         "tensorboard": (tensorboard / experiment.name).relative_to(out).as_posix()}  # it can move
    stopwatch, meter = Stopwatch(workdir / ELAPSED_FILE), MemoryMeter()
    try:
        logged = dataclasses.replace(runtime, log_root=tensorboard / experiment.name,
                                     checkpoint_root=workdir / TRAININGS_FOLDER)
        if failed_needs:
            raise TfsheetError(f"{experiment.name} needs {', '.join(failed_needs)}, which failed in this run "
                               "(its record says why)")
        with stopwatch, meter, _quiet_tensorflow():
            if experiment.needs:
                record["results"] = experiment.run(config, workdir, logged, export_root, upstream)
            else:
                record["results"] = experiment.run(config, workdir, logged, export_root)
        record["status"] = "ok"
        if not (out / record["outputs"]["tensorboard"]).is_dir():     # an experiment that trains nothing logs nothing
            del record["outputs"]["tensorboard"]
    except Preempted:                     # SIGTERM stops the whole run, as Ctrl-C does: resumable, nothing recorded
        raise
    except Exception as error:  # noqa: BLE001 - one failed experiment must not stop the others
        record["status"] = "failed"
        record["error"] = {"type": type(error).__name__, "message": str(error) + disk_full_hint(error),
                           "traceback": traceback.format_exc()}
    record["seconds"] = round(stopwatch.seconds(), 1)
    if meter.process_peak_mib is not None:
        record["memory"] = meter.record()
    if stopwatch.before:
        record["seconds_before_resuming"] = round(stopwatch.before, 1)
    cache.write_record(out, experiment, record)
    if record["status"] == "ok":          # only now: a kill before the record is written keeps every training
        (workdir / COMPLETE_FILE).write_text(key)
        shutil.rmtree(workdir / TRAININGS_FOLDER, ignore_errors=True)
    return Outcome(experiment.name, "ran" if record["status"] == "ok" else "failed", record["seconds"], path, record)


@contextlib.contextmanager
def _quiet_tensorflow():
    """Hide TensorFlow's Python-side warnings (retracing notices) while experiments run; errors still show."""
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _refuse_to_replace(experiment, fields, out):
    """Raise TfsheetError when `out` holds this experiment's results or an interrupted run made with other
    settings: running would replace them (and could resume from checkpoints made for other settings)."""
    key = cache.cache_key(fields)
    path = cache.record_path(out, experiment)
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        record = None
    except (OSError, ValueError) as error:
        raise TfsheetError(f"{path} is there but is not a results file tfsheet can read ({error}); running now would "
                           "replace it. Move it away, pass --restart to replace it, or choose another --out / "
                           "--workdir.") from None
    if record is not None and not isinstance(record, dict):
        raise TfsheetError(f"{path} is not a results file tfsheet wrote; running now would replace it. Move it away, "
                           "pass --restart to replace it, or choose another --out / --workdir.")
    marker = out / "runs" / experiment.name / ".report_key"
    interrupted = marker.is_file() and marker.read_text() != key and (record is None or record.get("key") != key)
    if record is not None and record.get("key") not in (None, key):
        changes = _differences(record, fields)
        where = cache.record_path(out, experiment)
    elif interrupted:
        changes, where = "the settings of an interrupted run there", marker.parent
    else:
        return
    raise TfsheetError(f"{where} holds {experiment.name}'s results made with other settings ({changes}); running "
                       "now would replace them and their checkpoints. Pass --restart to replace them (--force re-runs "
                       "every experiment), or choose another --out / --workdir.")


def _differences(record, fields):
    """'epochs 10 -> 3, seed 0 -> 1', or which other part of the key changed (inputs, tfsheet, strategy)."""
    old, new = record.get("config", {}), as_written(fields["config"])
    changed = [f"{name} {_shown(old.get(name))} -> {_shown(new[name])}" for name in new if old.get(name) != new[name]]
    changed += [f"{part} changed" for part in ("inputs", "tfsheet", "strategy", "needs")
                if record.get(part) != as_written(fields[part])]
    return ", ".join(changed) or "a different configuration"


def _shown(value):
    return ",".join(str(item) for item in value) if isinstance(value, (list, tuple)) else str(value)


def _fresh_workdir(workdir, key, logs):
    """The experiment's workdir, emptied unless it holds an interrupted run with the same key.

    An interrupted run (its key, no COMPLETE_FILE) keeps its checkpoints so that its trainings resume,
    also when the experiment is re-run on purpose (`--force`, `tfsheet export`). A finished run's files
    and files made with another configuration are removed so nothing stale is resumed, and so are the
    experiment's TensorBoard `logs`, whose runs would otherwise mix with the new ones.
    """
    marker = workdir / ".report_key"
    interrupted = marker.is_file() and marker.read_text() == key and not (workdir / COMPLETE_FILE).exists()
    if workdir.exists() and not interrupted:
        shutil.rmtree(workdir)
        shutil.rmtree(logs, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    marker.write_text(key)
    return workdir


class _Clock:
    """Time left: the remaining estimates, scaled by how this machine compares with them so far."""

    def __init__(self, experiments, scale):
        self.scale = scale
        self.pending = list(experiments)
        self.estimated_done = 0.0
        self.actual_done = 0.0

    def estimate(self, experiment):
        return experiment.estimated_seconds[self.scale] * self._speed()

    def _speed(self):
        if self.estimated_done <= 0:
            return 1.0
        return min(max(self.actual_done / self.estimated_done, 0.25), 4.0)

    def done(self, experiment, outcome):
        self.pending.remove(experiment)
        if outcome.status == "ran":
            self.estimated_done += experiment.estimated_seconds[self.scale]
            self.actual_done += outcome.seconds

    def left(self):
        seconds = sum(self.estimate(experiment) for experiment in self.pending)
        return f"about {duration(seconds)} left" if seconds else "nothing left"


def _describe(outcome):
    if outcome.status == "cached":
        return f"cached (ran in {duration(outcome.seconds)} on {outcome.record.get('started_at', '?')})"
    if outcome.status == "failed":
        error = outcome.record["error"]
        return f"FAILED after {duration(outcome.seconds)}: {error['type']}: {' '.join(error['message'].split())}"
    return f"done in {duration(outcome.seconds)}"


def _peak(record):
    memory = (record or {}).get("memory")
    return f"{memory['peak_rss_mib']:,} MiB" if memory else "not measured"


def summary_table(outcomes, paths, out):
    """The closing table: each experiment's status, wall time and results file, then the report's paths."""
    rows = [("experiment", "status", "wall time", "peak memory", "results")]
    rows += [(outcome.name, outcome.status, duration(outcome.seconds), _peak(outcome.record), str(outcome.record_path))
             for outcome in outcomes]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    failed = [outcome.name for outcome in outcomes if outcome.status == "failed"]
    if paths:
        lines.append(f"report: {paths['markdown']} and {paths['html']}")
    lines.append(f"TensorBoard: tensorboard --logdir {out / 'tensorboard'}")
    if failed:
        lines.append(f"FAILED: {', '.join(failed)} (their sections say why; re-running retries only these)")
    unanswered = [number for number, _ in paths.get("errors", [])]
    if unanswered:
        lines.append(f"sections not answered: {', '.join(unanswered)}")
    return "\n".join(lines)
