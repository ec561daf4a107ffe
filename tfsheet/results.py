"""Results files: one JSON per experiment run, with the configuration and environment that made it."""

import dataclasses
import datetime
import json
import os
import platform
import sys
import tempfile


def environment():
    """The machine and library versions a result was measured with."""
    import keras
    import numpy
    import tensorflow

    return {"python": sys.version.split()[0], "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__,
            "machine": platform.machine(), "processor": _processor_name(),
            "cpu_count": os.cpu_count(), "platform": platform.platform()}


def _processor_name():
    """The CPU's model name (from /proc/cpuinfo on Linux, where platform.processor() is often empty)."""
    try:
        with open("/proc/cpuinfo") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_results(path, experiment, config, results):
    """Write `results` (JSON-able) with `config` (a dataclass) atomically to `path`; return the record."""
    record = {"experiment": experiment, "config": dataclasses.asdict(config), "results": results,
              "environment": environment(),
              "written_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as stream:
        json.dump(record, stream, indent=2, sort_keys=True)
    os.replace(stream.name, path)
    return record


def read_results(path):
    with open(path) as stream:
        return json.load(stream)
