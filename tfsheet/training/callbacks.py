"""What a training run shows and keeps besides its weights: progress lines, TensorBoard scalars, the best
epoch's weights. The Trainer only trains; it calls these hooks of every callback it is given:

    on_fit_start(trainer, total_steps, epochs)        before the first step of a call of fit
    on_chunk(trainer, epoch, done, steps, means)      after each compiled call (done of steps in the epoch)
    on_epoch_end(trainer, record)                     with the epoch's record (loss, metrics, val_*, seconds)
"""

import os
import pathlib
import sys
import time

import numpy as np
import tensorflow as tf

from tfsheet import clock, console
from tfsheet.errors import CheckpointError


class Callback:
    """A no-op for every hook; subclasses override the ones they need."""

    def on_fit_start(self, trainer, total_steps, epochs):
        pass

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        pass

    def on_epoch_end(self, trainer, record):
        pass


class ProgressPrinter(Callback):
    """A line per epoch (loss, metrics, seconds, time left). Mid-epoch: on a terminal one line redrawn in
    place; in a log (not a terminal) a line at least every `every` seconds, so a log shows the run is alive."""

    def __init__(self, stream=None, every=60.0, interactive=None):
        self.stream = stream
        self.every = every
        self.interactive = console.interactive() if interactive is None else interactive

    def _out(self):
        return self.stream or sys.stderr

    def on_fit_start(self, trainer, total_steps, epochs):
        self._started = self._last_line = time.perf_counter()
        self._first_step, self._total_steps, self._epochs = trainer.current_step(), total_steps, epochs

    def _time_left(self, trainer):
        left = clock.time_left(time.perf_counter() - self._started, trainer.current_step() - self._first_step,
                               self._total_steps - self._first_step)
        return f"; {left}" if left else ""

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        if done >= steps_per_epoch:
            return
        text = f"epoch {epoch + 1}/{self._epochs} step {done}/{steps_per_epoch} {_values(means)}"
        if self.interactive:
            print(f"\r{text}{self._time_left(trainer)}", end="", file=self._out(), flush=True)
        elif time.perf_counter() - self._last_line >= self.every:
            print(f"{text}{self._time_left(trainer)}", file=self._out(), flush=True)
            self._last_line = time.perf_counter()

    def on_epoch_end(self, trainer, record):
        values = {k: v for k, v in record.items() if k not in ("epoch", "seconds")}
        print("\r\033[K" if self.interactive else "", end="", file=self._out())   # clear a redrawn line
        print(f"epoch {record['epoch']}/{self._epochs} {_values(values)} ({record['seconds']:.1f}s)"
              f"{self._time_left(trainer)}", file=self._out(), flush=True)
        self._last_line = time.perf_counter()


class Heartbeat(Callback):
    """At most a line every `every` seconds across all the trainings of the process (epoch, step, loss, time
    left), so that a quiet job's log still shows it is alive: the report prints a line per experiment, and
    an experiment can train for an hour. The clock is shared, so many short trainings print no more often."""

    last_line = [time.perf_counter()]       # when any Heartbeat last printed, or the process started

    def __init__(self, stream=None, every=60.0):
        self.stream = stream
        self.every = every

    def on_fit_start(self, trainer, total_steps, epochs):
        self._started, self._first_step = time.perf_counter(), trainer.current_step()
        self._total_steps, self._epochs = total_steps, epochs

    def _beat(self, trainer, text):
        now = time.perf_counter()
        if now - Heartbeat.last_line[0] < self.every:
            return
        left = clock.time_left(now - self._started, trainer.current_step() - self._first_step,
                               self._total_steps - self._first_step)
        print(f"  training: {text}" + (f"; {left}" if left else ""), file=self.stream or sys.stderr, flush=True)
        Heartbeat.last_line[0] = now

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        if done < steps_per_epoch:                  # an epoch's last call is told by on_epoch_end
            self._beat(trainer, f"epoch {epoch + 1}/{self._epochs} step {done}/{steps_per_epoch} {_values(means)}")

    def on_epoch_end(self, trainer, record):
        values = {k: v for k, v in record.items() if k not in ("epoch", "seconds")}
        self._beat(trainer, f"epoch {record['epoch']}/{self._epochs} done, {_values(values)}")


BEST_FILE = "best_epoch.npz"   # in a trainer's workdir: KeepBest's best epoch so far (value, epoch, weights)


def _best_file(trainer):
    workdir = getattr(trainer, "workdir", None)
    return None if workdir is None or not getattr(trainer, "chief", True) else pathlib.Path(workdir) / BEST_FILE


def _save_arrays(path, **arrays):
    """np.savez under a temporary name, then renamed: a kill leaves the old file or the new one, whole."""
    temporary = path.with_name(path.name + ".tmp.npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(temporary, **arrays)
    os.replace(temporary, path)


def _values(values):
    return " ".join(f"{name} {value:.4f}" for name, value in values.items())


class TensorBoardLogger(Callback):
    """train/* scalars after every compiled call and validation/* at every epoch end, into `log_dir`."""

    def __init__(self, log_dir):
        self.writer = tf.summary.create_file_writer(str(log_dir))

    def _write(self, step, prefix, values):
        with self.writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.scalar(f"{prefix}/{name}", value)

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        self._write(trainer.current_step(), "train", means)

    def on_epoch_end(self, trainer, record):
        validation = {name[len("val_"):]: value for name, value in record.items() if name.startswith("val_")}
        if validation:
            self._write(trainer.current_step(), "validation", validation)


class KeepBest(Callback):
    """The model's weights at the epoch with the best `metric` (the first of equals), so that a search's
    winner is kept as trained rather than trained again. `restore(model)` puts them back.

    With a trainer that has a workdir, the best so far is also written there (BEST_FILE) and read back when
    a resumed run starts, so a run killed after its best epoch still keeps that epoch's weights.
    """

    def __init__(self, metric="val_accuracy", maximize=True):
        self.metric, self.maximize = metric, maximize
        self.best, self.epoch, self.weights = None, None, None

    def on_fit_start(self, trainer, total_steps, epochs):
        path = _best_file(trainer)
        if path is None or not path.is_file():
            return
        try:
            with np.load(path) as saved:
                best, epoch = float(saved["best"]), int(saved["epoch"])
                weights = [saved[f"w{i}"] for i in range(int(saved["count"]))]
        except (OSError, ValueError, KeyError) as error:
            raise CheckpointError(f"{path} (the best epoch's weights kept for a resumed run) is unreadable "
                                  f"({type(error).__name__}: {error}); delete {path.parent} to train this run again."
                                  ) from error
        self.best, self.epoch, self.weights = best, epoch, weights

    def on_epoch_end(self, trainer, record):
        if self.metric not in record:
            raise ValueError(f"KeepBest watches {self.metric!r}, which the epoch's record lacks "
                             f"(it has {', '.join(record)}); pass validation data to fit")
        value = float(record[self.metric])
        if self.best is None or (value > self.best if self.maximize else value < self.best):
            self.best, self.epoch = value, record["epoch"]
            self.weights = [np.array(weight) for weight in trainer.model.get_weights()]
            path = _best_file(trainer)
            if path is not None:
                _save_arrays(path, best=self.best, epoch=self.epoch, count=len(self.weights),
                             **{f"w{i}": weight for i, weight in enumerate(self.weights)})

    def restore(self, model):
        if self.weights is None:
            raise ValueError("KeepBest has seen no epoch yet: nothing to restore")
        model.set_weights(self.weights)
        return model
