"""MNIST arrives as 784-pixel float32 vectors in [0, 1] with labels 0-9, or with a clear error."""

import numpy as np
import pytest

from tfsheet import settings
from tfsheet.data import load_mnist
from tfsheet.data import mnist as mnist_module
from tfsheet.errors import DataError
from tests.data.test_idx import write_idx


def test_splits_have_the_published_sizes_and_ranges(mnist_train, mnist_test):
    validation = load_mnist("validation")
    for split, count in ((mnist_train, 55_000), (validation, 5_000), (mnist_test, 10_000)):
        assert split.images.shape == (count, 784) and split.images.dtype == np.float32
        assert split.labels.shape == (count,) and split.labels.dtype == np.int64
        assert 0.0 <= split.images.min() and split.images.max() == 1.0
        assert set(np.unique(split.labels)) == set(range(10))
    assert mnist_train.labels[0] == 5 and mnist_test.labels[0] == 7  # the original order


def test_training_images_match_the_original_statistics(mnist_train):
    everything = np.concatenate([mnist_train.images, load_mnist("validation").images])
    assert abs(float(everything.mean()) - 0.1307) < 5e-4       # the published mean of all 60,000


def test_validation_is_the_last_five_thousand_training_images_and_disjoint_from_train(mnist_train):
    validation = load_mnist("validation")
    assert validation.labels[-1] == 8 and validation.labels[0] == 1  # the file's images 55,000 and 59,999
    train_rows = {row.tobytes() for row in mnist_train.images[-2000:]}
    assert not any(row.tobytes() in train_rows for row in validation.images[:2000])


def test_unknown_split():
    with pytest.raises(ValueError, match="Unknown MNIST split 'valid'"):
        load_mnist("valid")


def test_missing_files_name_the_setting_and_tfds(offline_data_dir):
    with pytest.raises(DataError) as error:
        load_mnist("test")
    message = str(error.value)
    assert "t10k-images-idx3-ubyte.gz" in message and "TFSHEET_DATA_DIR" in message and "TFDS" in message


def test_labels_out_of_range_are_refused(offline_data_dir):
    folder = offline_data_dir / "mnist"
    folder.mkdir()
    write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((10_000, 28, 28), np.uint8))
    labels = np.full(10_000, 3, np.uint8)
    labels[17] = 12
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels)
    with pytest.raises(DataError, match="label 12 is at index 17"):
        load_mnist("test")


def test_tfds_layout_gives_the_same_arrays_as_idx():
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([5, 0, 4, 1, 9])
    from_idx = mnist_module._to_split(images, labels.astype(np.uint8), source="idx")
    from_tfds = mnist_module._to_split(images[..., None], labels.astype(np.int64), source="tfds")
    np.testing.assert_array_equal(from_idx.images, from_tfds.images)
    np.testing.assert_array_equal(from_idx.labels, from_tfds.labels)


def test_tfds_failure_becomes_a_clear_error(monkeypatch):
    import tensorflow_datasets as tfds

    def offline(*args, **kwargs):
        raise ConnectionError("no route to host")

    monkeypatch.delenv(settings.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(mnist_module, "require_prepared_or_reachable", lambda *args: None)   # TFDS itself fails
    monkeypatch.setattr(tfds, "load", offline)
    mnist_module._load_cached.cache_clear()
    with pytest.raises(DataError, match="TFSHEET_DATA_DIR") as error:
        load_mnist("test")
    assert "no route to host" in str(error.value)
    mnist_module._load_cached.cache_clear()


def test_a_prefix_of_the_split_is_its_first_examples(mnist_test):
    first = load_mnist("test", examples=100)
    assert len(first) == 100
    np.testing.assert_array_equal(first.labels, mnist_test.labels[:100])
    with pytest.raises(ValueError, match="examples must be an int >= 0"):
        load_mnist("test", examples=-1)
