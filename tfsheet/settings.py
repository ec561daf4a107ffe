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

from tfsheet.errors import TfsheetError

DATA_DIR_ENV = "TFSHEET_DATA_DIR"
CACHE_DIR_ENV = "TFSHEET_CACHE_DIR"
SAVED_MODELS_ENV = "TFSHEET_SAVED_MODELS"
STRATEGY_ENV = "TFSHEET_STRATEGY"


def _folder(variable):
    """The folder $variable names (a leading ~ or ~user expanded), or None when it is unset or empty."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    try:
        return pathlib.Path(value).expanduser()
    except RuntimeError:                # ~user of no such user, or ~ without a home
        raise TfsheetError(f"{variable}={value!r} starts with a ~ whose home folder is unknown here; give the "
                           f"folder's full path.") from None


def data_dir():
    """The offline data folder, or None to use TFDS the normal way."""
    folder = _folder(DATA_DIR_ENV)
    if folder is not None and folder.exists() and not folder.is_dir():
        raise TfsheetError(f"{DATA_DIR_ENV}={os.environ[DATA_DIR_ENV]!r} is a file; point it at the offline data "
                           "folder (it holds mnist/ and tiny_shakespeare/; see the README's Data section).")
    return folder.resolve() if folder else None


def cache_dir():
    return _folder(CACHE_DIR_ENV) or pathlib.Path.home() / ".cache" / "tfsheet"


def tfds_data_dir():
    """TFDS's data_dir: TFDS's own default unless an offline data folder is in use."""
    if data_dir() is None:
        return None
    return cache_dir() / "tensorflow_datasets"


def saved_models_dir():
    return _folder(SAVED_MODELS_ENV) or pathlib.Path.cwd() / "saved_models"


def strategy_name(name=None):
    """`name`, else $TFSHEET_STRATEGY, else "default" (lower case)."""
    return (name or os.environ.get(STRATEGY_ENV, "").strip() or "default").lower()
