"""Checkpoints survive crashes: the last K are kept, and an unreadable newest one falls back to the previous."""

import pathlib

import pytest
import tensorflow as tf

from tfsheet.errors import CheckpointError
from tfsheet.training.checkpoints import Checkpointer


def _checkpointed(directory, value=0.0, max_to_keep=2, chief=True):
    variable = tf.Variable(value)
    return variable, Checkpointer(tf.train.Checkpoint(v=variable), directory, max_to_keep, chief=chief)


def test_the_newest_checkpoint_is_restored_and_only_the_last_k_are_kept(tmp_path):
    variable, checkpointer = _checkpointed(tmp_path)
    for step in (1, 2, 3):
        variable.assign(float(step))
        checkpointer.save(step)
    assert sorted(path.name for path in tmp_path.glob("*.index")) == ["ckpt-2.index", "ckpt-3.index"]
    restored, fresh = _checkpointed(tmp_path)
    assert fresh.restore_latest().endswith("ckpt-3") and restored.numpy() == 3.0


def test_a_finished_training_keeps_only_its_newest_checkpoint_and_goes_on_rotating_from_it(tmp_path):
    variable, checkpointer = _checkpointed(tmp_path / "run", max_to_keep=3)
    for step in (1, 2, 3):
        variable.assign(float(step))
        checkpointer.save(step)
    checkpointer.keep_only_latest()
    kept = sorted(path.name for path in (tmp_path / "run").glob("ckpt-*"))
    assert kept == ["ckpt-3.data-00000-of-00001", "ckpt-3.index"]
    moved = (tmp_path / "run").rename(tmp_path / "moved")          # the state file names it relative to its folder
    restored, fresh = _checkpointed(moved, max_to_keep=3)
    assert fresh.restore_latest().endswith("ckpt-3") and restored.numpy() == 3.0
    for step in (4, 5, 6):
        fresh.save(step)
    assert sorted(path.name for path in moved.glob("*.index")) == ["ckpt-4.index", "ckpt-5.index", "ckpt-6.index"]


def test_nothing_to_restore_is_none_not_an_error(tmp_path):
    _, checkpointer = _checkpointed(tmp_path)
    assert checkpointer.restore_latest() is None and checkpointer.latest is None


def _damage(prefix):
    for path in pathlib.Path(prefix).parent.glob(pathlib.Path(prefix).name + ".data-*"):
        path.write_bytes(b"garbage")


def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one_and_is_kept(tmp_path, caplog):
    variable, checkpointer = _checkpointed(tmp_path)
    for step in (1, 2):
        variable.assign(float(step))
        checkpointer.save(step)
    _damage(checkpointer.latest)
    restored, fresh = _checkpointed(tmp_path)
    assert fresh.restore_latest().endswith("ckpt-1") and restored.numpy() == 1.0
    assert "unreadable" in caplog.text
    assert (tmp_path / "ckpt-2.index").exists()                           # left in place, not deleted


def test_when_every_checkpoint_is_damaged_the_error_names_them_and_deletes_none(tmp_path):
    variable, checkpointer = _checkpointed(tmp_path)
    checkpointer.save(1)
    _damage(checkpointer.latest)
    with pytest.raises(CheckpointError, match="ckpt-1"):
        _checkpointed(tmp_path)[1].restore_latest()
    assert (tmp_path / "ckpt-1.index").exists()


def test_a_worker_that_is_not_the_chief_saves_aside_and_keeps_nothing(tmp_path):
    _, worker = _checkpointed(tmp_path, chief=False)
    assert worker.save(1) is None
    assert not list(tmp_path.iterdir())


def test_a_garbage_state_file_is_rebuilt_from_the_checkpoints_so_the_newest_is_resumed_not_overwritten(tmp_path,
                                                                                                       caplog):
    variable, checkpointer = _checkpointed(tmp_path)
    for step in (1, 2):
        variable.assign(float(step))
        checkpointer.save(step)
    (tmp_path / "checkpoint").write_text("garbage {{{")
    restored, fresh = _checkpointed(tmp_path)
    assert fresh.restore_latest().endswith("ckpt-2") and restored.numpy() == 2.0
    assert "rebuilt it from 2 checkpoint(s)" in caplog.text
    restored.assign(3.0)
    fresh.save(3)                                                  # rotation keeps the last two, 2 and 3
    assert sorted(path.name for path in tmp_path.glob("*.index")) == ["ckpt-2.index", "ckpt-3.index"]
