"""Where tfsheet finds its data and writes its outputs, read from environment variables.

TFSHEET_DATA_DIR   an offline data folder holding mnist/ (four IDX gz files) and
                   tiny_shakespeare/input.txt. When set, nothing is downloaded.
                   When unset, TFDS loads (and if needed downloads) the datasets.
TFSHEET_CACHE_DIR  where prepared TFDS datasets go when TFSHEET_DATA_DIR is set
                   (the data folder itself may be read-only); default ~/.cache/tfsheet.
TFSHEET_SAVED_MODELS  the SavedModel root; default ./saved_models (run from the repository).
TFSHEET_STRATEGY   the tf.distribute strategy when --strategy is not given: one of tfsheet.choices.STRATEGIES
                   (tfsheet.training.distribution makes it); default one device.
"""

import os
import pathlib

DATA_DIR_ENV = "TFSHEET_DATA_DIR"
CACHE_DIR_ENV = "TFSHEET_CACHE_DIR"
SAVED_MODELS_ENV = "TFSHEET_SAVED_MODELS"
STRATEGY_ENV = "TFSHEET_STRATEGY"


def data_dir():
    """The offline data folder, or None to use TFDS the normal way."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    return pathlib.Path(value).expanduser().resolve() if value else None


def cache_dir():
    value = os.environ.get(CACHE_DIR_ENV, "").strip()
    return pathlib.Path(value).expanduser() if value else pathlib.Path.home() / ".cache" / "tfsheet"


def tfds_data_dir():
    """TFDS's data_dir: TFDS's own default unless an offline data folder is in use."""
    if data_dir() is None:
        return None
    return cache_dir() / "tensorflow_datasets"


def saved_models_dir():
    value = os.environ.get(SAVED_MODELS_ENV, "").strip()
    return pathlib.Path(value).expanduser() if value else pathlib.Path.cwd() / "saved_models"


def strategy_name(name=None):
    """`name`, else $TFSHEET_STRATEGY, else "default" (lower case)."""
    return (name or os.environ.get(STRATEGY_ENV, "").strip() or "default").lower()
