"""Shared test set-up: quiet TensorFlow, the real MNIST splits, and a seeded start for every test."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pathlib

import pytest

from tfsheet import settings

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent


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
