"""MNIST for every MNIST problem of the sheet (1, 2, 3): 784-pixel vectors in [0, 1] and labels 0-9.

Three splits: "train" is the first 55,000 images of the training file and "validation" its last
5,000 (held out for every choice of a setting), "test" the 10,000 of the test file (read only for
final numbers).

Two sources give identical arrays:
  * the four IDX gz files in $TFSHEET_DATA_DIR/mnist (offline; no network attempt is made), or
  * TFDS's `mnist` builder (prepared, or downloaded the normal way) when TFSHEET_DATA_DIR is unset.
"""

import dataclasses
import functools

import numpy as np

from tfsheet import settings
from tfsheet.data.idx import read_idx
from tfsheet.data.tfds_access import quietly, require_prepared_or_reachable, tfds_module
from tfsheet.errors import DataError

NUM_PIXELS = 784
NUM_CLASSES = 10
SPLITS = ("train", "validation", "test")
VALIDATION_EXAMPLES = 5_000   # the last images of the training file
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60_000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10_000),
}


@dataclasses.dataclass(frozen=True)
class MnistSplit:
    """One split: `images` float32 (N, 784) in [0, 1], `labels` int64 (N,) in 0..9."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self):
        return len(self.labels)

    def take(self, count):
        """The first `count` examples (for quick runs and tests)."""
        return MnistSplit(self.images[:count], self.labels[:count])


def load_mnist(split, examples=0):
    """Load an MNIST split ("train", "validation" or "test") from the configured source; only its first
    `examples` if > 0.

    Raises:
        ValueError: for an unknown split name or a negative count.
        DataError: when the files are missing or damaged, or TFDS cannot provide the data.
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown MNIST split {split!r}; expected one of {SPLITS}.")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ValueError(f"examples must be an int >= 0 (0 = the whole split). Received: examples={examples!r}")
    loaded = _load_cached("test" if split == "test" else "train", settings.data_dir())
    if split != "test":
        cut = len(loaded) - VALIDATION_EXAMPLES
        loaded = loaded.take(cut) if split == "train" else MnistSplit(loaded.images[cut:], loaded.labels[cut:])
    return loaded.take(examples) if examples else loaded


@functools.lru_cache(maxsize=4)
def _load_cached(split, data_dir):
    if data_dir is not None:
        images, labels = _read_idx_split(data_dir / "mnist", split)
    else:
        images, labels = _read_tfds_split(split)
    return _to_split(images, labels, source=str(data_dir / "mnist") if data_dir else "TFDS mnist")


def _read_idx_split(folder, split):
    images_name, labels_name, count = _IDX_FILES[split]
    images = read_idx(folder / images_name, expected_shape=(count, 28, 28))
    labels = read_idx(folder / labels_name, expected_shape=(count,))
    return images, labels


def _read_tfds_split(split):
    require_prepared_or_reachable("mnist", "storage.googleapis.com")
    tfds = tfds_module()
    try:
        with quietly():
            arrays = tfds.as_numpy(tfds.load("mnist", split=split, batch_size=-1,
                                             data_dir=settings.tfds_data_dir()))
    except Exception as error:  # TFDS raises many kinds (network, checksum, missing builder files).
        raise DataError(f"TFDS could not load MNIST ({type(error).__name__}: {error}). Without internet, "
                        f"set {settings.DATA_DIR_ENV} to a folder holding mnist/ with the four IDX .gz "
                        "files.") from error
    return arrays["image"], arrays["label"]


def _to_split(images, labels, source):
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    bad = np.flatnonzero((labels < 0) | (labels >= NUM_CLASSES))
    if bad.size:
        raise DataError(f"MNIST labels from {source} must be 0..9, but label {labels[bad[0]]} is at "
                        f"index {bad[0]} ({bad.size} such labels). The labels file is corrupt: "
                        "replace it with an intact copy.")
    pixels = np.asarray(images, dtype=np.float32).reshape(len(labels), NUM_PIXELS) / 255.0  # (N, 784)
    pixels.flags.writeable = False
    labels.flags.writeable = False
    return MnistSplit(pixels, labels)
