"""How much memory an experiment took, read from the process itself.

    with MemoryMeter() as meter:
        run_the_experiment()
    meter.peak_mib            # the largest resident set sampled while it ran (MiB)
    meter.process_peak_mib    # the process's high-water mark so far (getrusage), never lower than the above

The resident set size is read from /proc/self/statm every `interval` seconds by a thread, and once more at
the end; so a spike shorter than the interval can be missed, which the process's high-water mark
(resource.getrusage, the kernel's own count) bounds from above. Where /proc is missing (not Linux), only
the high-water mark is known and the peak is reported as that.
"""

import os
import resource
import sys
import threading

MIB = 1 << 20
STATM = "/proc/self/statm"


def resident_mib():
    """This process's resident set size now, in MiB (None where /proc/self/statm is missing)."""
    try:
        with open(STATM) as stream:
            pages = int(stream.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / MIB


def process_peak_mib():
    """The process's peak resident set size so far (getrusage's ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


class MemoryMeter:
    """A context that samples the resident set size while its body runs (see the module)."""

    def __init__(self, interval=0.25):
        if not interval > 0:
            raise ValueError(f"interval must be a number of seconds > 0. Received: interval={interval!r}")
        self.interval = interval
        self.peak_mib = None
        self.process_peak_mib = None
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        now = resident_mib()
        if now is not None:
            self.peak_mib = now if self.peak_mib is None else max(self.peak_mib, now)

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread = threading.Thread(target=self._run, name="tfsheet-memory-meter", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self._sample()
        self.process_peak_mib = process_peak_mib()
        if self.peak_mib is None:
            self.peak_mib = self.process_peak_mib
        return False

    def record(self):
        """{"peak_rss_mib", "process_peak_rss_mib"} rounded to whole MiB, as a results record keeps them."""
        return {"peak_rss_mib": round(self.peak_mib), "process_peak_rss_mib": round(self.process_peak_mib)}
