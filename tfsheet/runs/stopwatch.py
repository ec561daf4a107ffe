"""The wall time of an experiment, kept across interruptions.

A report killed half-way resumes each interrupted training from its checkpoints; timed from the resume
alone, such an experiment would claim less time than it took. The stopwatch keeps the time so far in a
file of the experiment's folder and starts from it on the next attempt.
"""

import math
import os
import pathlib
import threading
import time

ELAPSED_FILE = ".elapsed_seconds"   # in an experiment's workdir: the time its run has taken so far


class Stopwatch:
    """Times an experiment across interruptions: a run resumed from its checkpoints reports the time of the
    interrupted attempts as well, so "seconds" stays the wall time the whole run took.

    While running, `path` is rewritten every `every` seconds with the seconds so far (the attempts before
    this one included); a run killed loses at most that much of its time. Use as a context manager.
    """

    def __init__(self, path, every=10.0):
        self.path, self.every = pathlib.Path(path), every
        try:
            before = float(self.path.read_text())                 # what the interrupted attempts took
        except (OSError, ValueError):
            before = 0.0
        self.before = before if math.isfinite(before) and before > 0 else 0.0
        self._started = self._ended = None
        self._stop = threading.Event()

    def seconds(self):
        if self._started is None:
            return self.before
        return self.before + ((self._ended or time.perf_counter()) - self._started)

    def _write(self):
        """Best effort: a folder that cannot be written costs the resume its earlier time, never the run."""
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(f"{self.seconds():.1f}")
            os.replace(temporary, self.path)
        except OSError:
            pass

    def _beat(self):
        while not self._stop.wait(self.every):
            self._write()

    def __enter__(self):
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._beat, name="tfsheet-stopwatch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._ended = time.perf_counter()
        self._stop.set()
        self._thread.join()
        self._write()
        return False
