"""Checkpoints that survive crashes: keep the last K, restore the newest readable one."""

import logging

import tensorflow as tf

from tfsheet.errors import CheckpointError

log = logging.getLogger(__name__)


class Checkpointer:
    """A tf.train.CheckpointManager that falls back past unreadable checkpoints.

    A checkpoint truncated by a crash mid-write is skipped with a warning and the previous one is
    used; when every checkpoint is unreadable, CheckpointError is raised and nothing is deleted.
    """

    def __init__(self, checkpoint, directory, max_to_keep):
        self.checkpoint = checkpoint
        self.manager = tf.train.CheckpointManager(checkpoint, str(directory), max_to_keep=max_to_keep)

    @property
    def latest(self):
        return self.manager.latest_checkpoint

    def save(self, step):
        return self.manager.save(checkpoint_number=int(step))

    def restore_latest(self):
        """Restore the newest readable checkpoint; return its path, or None if there is none."""
        failures = []
        for path in reversed(self.manager.checkpoints):
            try:
                self.checkpoint.restore(path).assert_existing_objects_matched()
            except Exception as error:  # a damaged file fails in the reader with many error types
                first_line = (str(error).splitlines() or [""])[0]
                failures.append(f"{path}: {type(error).__name__}: {first_line}")
                log.warning("checkpoint %s is unreadable (%s); trying the previous one", path, failures[-1])
                continue
            if failures:
                log.warning("resumed from %s after skipping %d unreadable checkpoint(s)", path, len(failures))
            return path
        if failures:
            raise CheckpointError("No checkpoint could be restored; they were left in place:\n  "
                                  + "\n  ".join(failures))
        return None
