"""The IDX reader accepts the real MNIST files and names the file and the fault for damaged ones."""

import gzip
import struct

import numpy as np
import pytest

from tfsheet import settings
from tfsheet.data.idx import read_idx
from tfsheet.errors import DataError


def write_idx(path, array, magic_type=0x08, extra=b"", cut=0):
    header = struct.pack(">HBB", 0, magic_type, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes() + extra
    with gzip.open(path, "wb") as stream:
        stream.write(payload[:len(payload) - cut])
    return path


def test_reads_back_what_was_written(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a.gz", array)), array)


def test_real_test_labels_start_with_seven(tmp_path):
    """The original t10k labels file from the offline data folder; without one (TFDS), the same labels written
    as IDX here, so the test runs on any machine."""
    data_dir = settings.data_dir()
    if data_dir is not None:
        path = data_dir / "mnist" / "t10k-labels-idx1-ubyte.gz"
    else:
        from tfsheet.data import load_mnist

        path = tmp_path / "t10k-labels-idx1-ubyte.gz"
        write_idx(path, load_mnist("test").labels.astype(np.uint8))
    labels = read_idx(path, expected_shape=(10_000,))
    assert labels[0] == 7 and labels.dtype == np.uint8


@pytest.mark.parametrize("fault, kwargs, message", [
    ("truncated", {"cut": 5}, "truncated"),
    ("too long", {"extra": b"xx"}, "longer than its header"),
    ("bad magic", {"magic_type": 0x0D}, "magic number"),
])
def test_damaged_file_is_named_with_its_fault(tmp_path, fault, kwargs, message):
    path = write_idx(tmp_path / "damaged.gz", np.zeros((3, 2), np.uint8), **kwargs)
    with pytest.raises(DataError, match=message) as error:
        read_idx(path)
    assert str(path) in str(error.value)


def test_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(DataError, match="TFSHEET_DATA_DIR") as error:
        read_idx(tmp_path / "absent.gz")
    assert "absent.gz" in str(error.value) and "TFDS" in str(error.value)


def test_not_gzip(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(b"this is not gzip")
    with pytest.raises(DataError, match="not a readable gzip"):
        read_idx(path)


def test_wrong_shape(tmp_path):
    path = write_idx(tmp_path / "a.gz", np.zeros((3, 2), np.uint8))
    with pytest.raises(DataError, match=r"shape \(3, 2\), expected \(3, 3\)"):
        read_idx(path, expected_shape=(3, 3))
