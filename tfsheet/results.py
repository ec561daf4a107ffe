"""Results on disk: JSON written atomically, the machine a number was measured on, and Seeded: the one type of
a number measured over several seeds."""

import dataclasses
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
    """Write `value` as JSON to `path` atomically (write_atomically); return the path.

    numpy scalars and arrays are written as numbers and lists.
    """
    return write_atomically(path, json.dumps(value, indent=2, sort_keys=True, default=_json_default))


def write_atomically(path, text):
    """Write `text` to `path` through a temporary file in the same folder renamed over it, so a reader (or a crash, or
    a full disk) never leaves half a file; the temporary file is removed when writing fails. `path` must be a regular
    file or not exist: a device, a folder or a socket there is refused, not replaced. Returns the path."""
    path = pathlib.Path(path)
    if path.exists() and not path.is_file():
        raise ValueError(f"{path} exists and is not a regular file; tfsheet writes only files it can replace. "
                         "Choose another path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as stream:
        try:
            stream.write(text)
            stream.flush()
        except BaseException:
            stream.close()
            os.unlink(stream.name)
            raise
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(stream.name, 0o666 & ~mask)                 # the mode open() would give, not tempfile's 0600
    os.replace(stream.name, path)
    return path


def as_written(value):
    """`value` as write_json's file reads back: keys sorted, tuples as lists, numpy values as numbers."""
    return json.loads(json.dumps(value, sort_keys=True, default=_json_default))


@dataclasses.dataclass(frozen=True)
class Seeded:
    """One number measured once per seed: the values in seed order, their mean and std (ddof 0).

    A measurement with no seed (a count model, a closed form) has `seeds` () and one value. In a
    results file it is the object {"mean", "std", "min", "max", "values", "seeds"}; `typed` reads it back.
    """

    values: tuple
    seeds: tuple

    def __post_init__(self):
        values, seeds = tuple(float(value) for value in self.values), tuple(int(seed) for seed in self.seeds)
        if not values or (seeds and len(seeds) != len(values)):
            raise ValueError(f"Seeded needs one value per seed (or one value and no seed). Received: "
                             f"values={values}, seeds={seeds}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "seeds", seeds)

    @classmethod
    def constant(cls, value):
        """A number with no seed: one value, std 0."""
        return cls((value,), ())

    @property
    def mean(self):
        return float(np.mean(self.values))

    @property
    def std(self):
        return float(np.std(self.values))

    @property
    def min(self):
        return min(self.values)

    @property
    def max(self):
        return max(self.values)

    def map(self, function):
        """The same seeds with function applied to each value (a unit change: nats -> bits)."""
        return Seeded(tuple(function(value) for value in self.values), self.seeds)

    def to_json(self):
        return {"mean": self.mean, "std": self.std, "min": self.min, "max": self.max, "values": list(self.values),
                "seeds": list(self.seeds)}


SEEDED_KEYS = frozenset(("mean", "std", "min", "max", "values", "seeds"))


def seeded(values, seeds):
    """Seeded(values, seeds): `values[i]` measured with seed `seeds[i]`."""
    return Seeded(tuple(values), tuple(seeds))


def typed(value):
    """`value` as read from a results file, with every Seeded object ({"mean", "std", "min", "max", "values",
    "seeds"}) turned back into a Seeded; anything else is kept as it is."""
    if isinstance(value, dict):
        if set(value) == SEEDED_KEYS:
            return Seeded(tuple(value["values"]), tuple(value["seeds"]))
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return value


def merge_runs(runs, seeds):
    """The results of one experiment run once per seed (`runs[i]` with `seeds[i]`), merged into one result of
    the same shape in which every float is a Seeded over the runs.

    Dicts and lists of dicts merge item by item; anything else (counts, names, lists of numbers) is a
    setting the runs share and is kept from the first.
    """
    if not runs or len(runs) != len(seeds):
        raise ValueError(f"merge_runs needs one run per seed. Received: {len(runs)} runs, seeds={list(seeds)}")
    first = runs[0]
    if isinstance(first, float):
        return seeded(runs, seeds)
    if isinstance(first, dict):
        return {key: merge_runs([run[key] for run in runs], seeds) for key in first}
    if isinstance(first, list) and first and all(isinstance(item, (dict, list)) for item in first):
        if any(len(run) != len(first) for run in runs):
            raise ValueError("runs to merge must have lists of one length")
        return [merge_runs(list(items), seeds) for items in zip(*runs)]
    return first


def _json_default(value):
    if isinstance(value, Seeded):
        return value.to_json()
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:     # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):                                      # numpy arrays
        return value.tolist()
    return str(value)
