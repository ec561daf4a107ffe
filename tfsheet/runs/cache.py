"""The report's results cache: one JSON record per experiment, reused while its key is unchanged.

key = sha256 of the experiment's name, its configuration (with the settings changed from the
command line, recorded apart as well), the fingerprint of the data it reads, tfsheet's version,
the tf.distribute strategy and the keys of the experiments it needs. A record also keeps what the key does not need but a reader does: the
seed(s), library versions and machine, when it ran and how long it took. Records are written
atomically, so a report killed half-way leaves only whole records, and the next run starts from them.
"""

import dataclasses
import datetime
import functools
import hashlib
import json
import pathlib

import tfsheet
from tfsheet import settings
from tfsheet.results import environment, write_json
from tfsheet.training import distribution

_DATA_FILES = {"mnist": ("mnist/train-images-idx3-ubyte.gz", "mnist/train-labels-idx1-ubyte.gz",
                         "mnist/t10k-images-idx3-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz"),
               "tiny_shakespeare": ("tiny_shakespeare/input.txt",)}


@functools.lru_cache(maxsize=None)
def _file_sha256(path, size, mtime):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_fingerprint(dataset):
    """What identifies `dataset`'s bytes: the sha256 of each offline file, or TFDS's name and version.

    A missing offline file gets "missing" here; loading it later gives the clear error.
    """
    folder = settings.data_dir()
    if folder is None:
        import tensorflow_datasets as tfds

        return {"source": "tfds", "dataset": dataset, "tfds": tfds.__version__}
    hashes = {}
    for name in _DATA_FILES[dataset]:
        path = folder / name
        if path.is_file():
            stat = path.stat()
            hashes[name] = _file_sha256(str(path), stat.st_size, stat.st_mtime_ns)
        else:
            hashes[name] = "missing"
    return {"source": "files", "sha256": hashes}


KEY_FIELDS = ("experiment", "config", "settings", "inputs", "tfsheet", "strategy", "needs")  # of key_fields


def key_fields(experiment, config, changed, strategy, needs=None):
    """What the key is made of: the experiment, its configuration (its own class: only the settings it reads)
    and the settings changed in it, its input data, tfsheet, the strategy, and the keys of the experiments
    it needs ({name: key}), so that a change upstream is a change here."""
    return {"experiment": experiment.name, "config": dataclasses.asdict(config), "settings": dict(changed),
            "inputs": {dataset: input_fingerprint(dataset) for dataset in experiment.inputs},
            "tfsheet": tfsheet.__version__, "strategy": distribution.describe(strategy), "needs": dict(needs or {})}


def cache_key(fields):
    """The key a cached record must carry to be reused: the sha256 of its key fields."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def record_key(record):
    """The key that a record's own key fields give: equal to its "key" unless the record was edited."""
    return cache_key({field: record[field] for field in KEY_FIELDS})


def record_path(out, experiment):
    return pathlib.Path(out) / "results" / f"{experiment.name}.json"


def load_cached(out, experiment, key):
    """The cached record of `experiment` when it succeeded with this key, else None."""
    path = record_path(out, experiment)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("key") != key or record.get("status") != "ok":
        return None
    return record


def new_record(experiment, scale, fields):
    """A record for a run that starts now (`fields` from key_fields); the runner adds status, results or error."""
    seeds = {name: value for name, value in fields["config"].items() if name in ("seed", "seeds")}
    return {**fields, "problem": experiment.problem, "scale": scale, "key": cache_key(fields),
            "seed": seeds, "environment": environment(),
            "started_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def write_record(out, experiment, record):
    """Write `record` atomically (a temporary file renamed over the old one); return its path."""
    return write_json(record_path(out, experiment), record)
