"""Tiny Shakespeare (character level) for the language models of sheet Problem 5.

Loaded through TFDS's `tiny_shakespeare` builder. With TFSHEET_DATA_DIR set, TFDS builds it
offline from $TFSHEET_DATA_DIR/tiny_shakespeare/input.txt (its manual_dir) into a writable cache;
otherwise TFDS downloads it the normal way. TFDS's splits: train (the first 1,003,854
characters), validation and test (55,770 each).
"""

import dataclasses
import functools
import hashlib

import numpy as np

from tfsheet import settings
from tfsheet.errors import DataError
from tfsheet.data.tfds_access import quietly, require_prepared_or_reachable, tfds_module, writable_tfds_dir
from tfsheet.data.vocabulary import CharVocabulary

SPLITS = ("train", "validation", "test")
SOURCE_FILE = "input.txt"
# the file TFDS's tiny_shakespeare builder downloads (its checksums.tsv): size in bytes and sha256
SOURCE_BYTES = 1_115_394
SOURCE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def load_tiny_shakespeare(split):
    """The text of one split as a Python str.

    Raises:
        ValueError: for an unknown split name.
        DataError: when the offline file is missing or corrupt, or TFDS cannot provide the data.
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown Tiny Shakespeare split {split!r}; expected one of {SPLITS}.")
    return _load_cached(split, settings.data_dir(), settings.tfds_data_dir())


@functools.lru_cache(maxsize=4)
def _load_cached(split, data_dir, tfds_dir):
    """One split's text, read once per (data folder, TFDS cache folder): the key holds both settings."""
    tfds = tfds_module()
    load_kwargs = {"data_dir": writable_tfds_dir()}
    where = "TFDS (download)"
    if data_dir is not None:
        manual_dir = data_dir / "tiny_shakespeare"
        if not (manual_dir / SOURCE_FILE).is_file():
            raise DataError(f"Tiny Shakespeare not found: {manual_dir / SOURCE_FILE}. Put TFDS's "
                            f"tiny_shakespeare input.txt there, point {settings.DATA_DIR_ENV} at the "
                            "folder holding tiny_shakespeare/, or unset it to let TFDS download it.")
        _require_intact(manual_dir / SOURCE_FILE)
        config = tfds.download.DownloadConfig(manual_dir=str(manual_dir))
        load_kwargs["download_and_prepare_kwargs"] = {"download_config": config}
        where = str(manual_dir / SOURCE_FILE)
    else:
        require_prepared_or_reachable("tiny_shakespeare", "raw.githubusercontent.com")
    try:
        with quietly():
            dataset = tfds.load("tiny_shakespeare", split=split, **load_kwargs)
            texts = [example["text"].decode("utf-8") for example in tfds.as_numpy(dataset)]
    except Exception as error:  # checksum mismatch, network, a half-built cache, ...
        raise DataError(f"TFDS could not build tiny_shakespeare from {where} ({type(error).__name__}: "
                        f"{error}). Check that the file is TFDS's intact input.txt; without internet set "
                        f"{settings.DATA_DIR_ENV}.") from error
    return "".join(texts)


def _require_intact(path):
    """A DataError unless `path` is the file TFDS builds from, byte for byte: a damaged copy must not pass as
    the data a cached build was made from (TFDS reads the file only when it builds)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != SOURCE_BYTES or digest != SOURCE_SHA256:
        raise DataError(f"{path} is not TFDS's tiny_shakespeare input.txt ({len(data):,} bytes, sha256 {digest}; "
                        f"expected {SOURCE_BYTES:,} bytes, sha256 {SOURCE_SHA256}). Restore the original file "
                        f"(https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
                        f"input.txt) or unset {settings.DATA_DIR_ENV} to let TFDS download it.")


@dataclasses.dataclass(frozen=True)
class CharacterData:
    """Tiny Shakespeare as ids of the training split's vocabulary: the training ids, and the ids of each
    held-out split ("validation", "test")."""

    vocab: CharVocabulary
    train_ids: np.ndarray
    splits: dict

    @classmethod
    def load(cls, train_chars=0):
        """The three splits, the training text cut to its first `train_chars` characters when given."""
        train_text = load_tiny_shakespeare("train")
        if train_chars:
            train_text = train_text[:train_chars]
        vocab = CharVocabulary.from_text(train_text)
        return cls(vocab, vocab.encode(train_text),
                   {name: vocab.encode(load_tiny_shakespeare(name)) for name in ("validation", "test")})
