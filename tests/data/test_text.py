"""Tiny Shakespeare comes through TFDS from the offline folder, with TFDS's three splits."""

import os
import subprocess
import sys

import pytest

from tfsheet.data import load_tiny_shakespeare, text
from tfsheet.data.vocabulary import CharVocabulary
from tfsheet.errors import DataError


def test_tfds_splits_have_the_documented_sizes():
    sizes = {split: len(load_tiny_shakespeare(split)) for split in ("train", "validation", "test")}
    assert sizes == {"train": 1_003_854, "validation": 55_770, "test": 55_770}
    assert load_tiny_shakespeare("train").startswith("First Citizen:")


def test_unknown_split():
    with pytest.raises(ValueError, match="expected one of"):
        load_tiny_shakespeare("dev")


def test_missing_file_names_the_file_and_the_fix(offline_data_dir):
    with pytest.raises(DataError, match="TFSHEET_DATA_DIR") as error:
        load_tiny_shakespeare("test")
    assert "tiny_shakespeare/input.txt" in str(error.value)


def test_corrupt_file_is_reported(offline_data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("TFSHEET_CACHE_DIR", str(tmp_path / "cache"))
    (offline_data_dir / "tiny_shakespeare").mkdir()
    (offline_data_dir / "tiny_shakespeare" / "input.txt").write_text("not the real play")
    with pytest.raises(DataError, match="input.txt"):
        load_tiny_shakespeare("test")


def test_an_unusable_cache_folder_is_named_as_such_not_blamed_on_the_data(tmp_path, monkeypatch):
    (tmp_path / "a_file").write_text("")
    monkeypatch.setenv("TFSHEET_CACHE_DIR", str(tmp_path / "a_file"))
    with pytest.raises(DataError, match="TFSHEET_CACHE_DIR") as error:
        load_tiny_shakespeare("test")
    assert "input.txt" not in str(error.value)


def test_a_truncated_input_is_refused_even_when_a_tfds_build_is_cached(offline_data_dir):
    """The TFDS cache of the real run (TFSHEET_CACHE_DIR) already holds a build; TFDS would not read the file
    again, so the damage must be caught before TFDS is asked."""
    (offline_data_dir / "tiny_shakespeare").mkdir()
    (offline_data_dir / "tiny_shakespeare" / "input.txt").write_bytes(b"x" * text.SOURCE_BYTES)   # right size
    with pytest.raises(DataError, match="is not TFDS's tiny_shakespeare input.txt"):
        load_tiny_shakespeare("test")


def test_the_first_build_says_nothing_on_the_console(tmp_path):
    """TFDS announces a build ("Downloading and preparing dataset ...") and logs absl warnings; a command's
    output carries neither (--verbose brings them back)."""
    code = ("from tfsheet import console; console.quiet(); from tfsheet.data import load_tiny_shakespeare; "
            "load_tiny_shakespeare('test')")
    environment = {**os.environ, "TFSHEET_CACHE_DIR": str(tmp_path / "fresh_cache")}
    for name in ("TFSHEET_VERBOSE", "TF_CPP_MIN_LOG_LEVEL"):                 # as a new user's shell has them
        environment.pop(name, None)
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                               env=environment)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert (tmp_path / "fresh_cache" / "tensorflow_datasets").is_dir()          # it did build there
    assert completed.stdout == "" and completed.stderr == ""


@pytest.mark.parametrize("characters", [None, "abc", ["ab"], [1, 2], ["a", ""]])
def test_a_vocabulary_is_made_of_single_characters_only(characters):
    with pytest.raises(ValueError, match="one-character strings"):
        CharVocabulary(characters)


@pytest.mark.parametrize("unknown_id", ["0.0", "false"])
def test_a_vocabulary_file_names_unknown_as_the_integer_0(unknown_id):
    with pytest.raises(ValueError, match="a vocabulary must be"):
        CharVocabulary.from_json('{"unknown_id": %s, "characters": ["\\ufffd", "a"]}' % unknown_id)
