"""Results on disk: JSON written atomically, the machine a number was measured on, and mean-and-spread summaries."""

import json
import math
import os
import pathlib
import platform
import sys
import tempfile

import numpy as np

NATS_PER_BIT = math.log(2)   # a loss in nats / NATS_PER_BIT = the same loss in bits


def environment():
    """The machine and library versions a result was measured with."""
    import keras
    import tensorflow

    return {"python": sys.version.split()[0], "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": np.__version__,
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


def write_json(path, value):
    """Write `value` as JSON to `path` atomically (a temporary file renamed over it); return the path.

    numpy scalars and arrays are written as numbers and lists.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as stream:
        json.dump(value, stream, indent=2, sort_keys=True, default=_json_default)
    os.replace(stream.name, path)
    return path


def as_written(value):
    """`value` as write_json's file reads back: keys sorted, tuples as lists, numpy values as numbers."""
    return json.loads(json.dumps(value, sort_keys=True, default=_json_default))


def spread(values):
    """{"mean", "std", "min", "max", "values"} of a list of numbers (std with ddof 0)."""
    values = [float(v) for v in values]
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "min": min(values), "max": max(values),
            "values": values}


def merge_runs(runs):
    """The results of one experiment run once per seed, merged into one result of the same shape.

    Every float becomes its mean over the runs, and the dict holding it gains "spread": {key:
    spread(values)} with the std and the values per seed; dicts and lists of dicts merge item by
    item; anything else (counts, names, lists of numbers) is a setting the runs share and is kept
    from the first.
    """
    if not runs:
        raise ValueError("merge_runs needs at least one run")
    first = runs[0]
    if isinstance(first, dict):
        merged, spreads = {}, {}
        for key, value in first.items():
            values = [run[key] for run in runs]
            if isinstance(value, float):
                spreads[key] = spread(values)
                merged[key] = spreads[key]["mean"]
            else:
                merged[key] = merge_runs(values)
        if spreads:
            merged["spread"] = spreads
        return merged
    if isinstance(first, list) and first and all(isinstance(item, (dict, list)) for item in first):
        if any(len(run) != len(first) for run in runs):
            raise ValueError("runs to merge must have lists of one length")
        return [merge_runs(list(items)) for items in zip(*runs)]
    return first


def _json_default(value):
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:     # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):                                      # numpy arrays
        return value.tolist()
    return str(value)
