"""Shared test set-up: quiet TensorFlow, the real MNIST splits, and a seeded start for every test."""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pathlib

import pytest

from tfsheet import settings

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent


def run_experiment(tmp_path_factory, name, run, config, upstream=None):
    """(results, workdir) of `run(config, workdir, runtime, export_root[, upstream])` on one device, in a fresh
    folder `name` with its SavedModels under workdir/saved_models: the set-up of every experiment's tests.
    `upstream` ({name: registry.Upstream}) is what an experiment with needs reads."""
    from tfsheet.training import Runtime

    workdir = tmp_path_factory.mktemp(name)
    extra = {} if upstream is None else {"upstream": upstream}
    return run(config, workdir, Runtime(), export_root=workdir / "saved_models", **extra), workdir


def upstream(experiment, config, results, workdir):
    """{experiment's name: what a dependent experiment reads of it}."""
    from tfsheet.experiments.registry import Upstream

    return {experiment.name: Upstream(config, results, workdir)}


def comparable(results):
    """The results as written, wall times, export paths and Problem 5.2's timed costs left out (they differ between
    any two runs)."""
    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items()
                    if "seconds" not in key and key not in ("saved_models", "cost")}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value
    from tfsheet.results import as_written

    return strip(json.loads(json.dumps(as_written(results))))


def pytest_report_header(config):
    data_dir = settings.data_dir()
    return f"tfsheet data: {data_dir or 'TFDS (TFSHEET_DATA_DIR unset)'}"


@pytest.fixture(scope="session")
def mnist_test():
    from tfsheet.data import load_mnist
    return load_mnist("test")


@pytest.fixture(scope="session")
def mnist_train():
    from tfsheet.data import load_mnist
    return load_mnist("train")


@pytest.fixture
def offline_data_dir(tmp_path, monkeypatch):
    """An empty TFSHEET_DATA_DIR in a temporary folder, for tests of missing or damaged files."""
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    return tmp_path
