"""Checkpoints that survive crashes: keep the last K (the newest alone once training finished), restore the
newest readable one.

In a multi-worker run every worker saves (saving is a collective), but only the chief keeps its
files; the others write into a temporary folder that is emptied after each save. Every worker
restores from the chief's folder, which therefore must be shared (the same path on one machine,
a shared file system or bucket across machines).
"""

import logging
import os
import pathlib
import shutil
import tempfile
import weakref

import tensorflow as tf

from tfsheet.errors import CheckpointError

log = logging.getLogger(__name__)


class Checkpointer:
    """A tf.train.CheckpointManager that falls back past unreadable checkpoints.

    A checkpoint truncated by a crash mid-write is skipped with a warning and the previous one is
    used; when every checkpoint is unreadable, CheckpointError is raised and nothing is deleted.
    """

    def __init__(self, checkpoint, directory, max_to_keep, chief=True):
        self.checkpoint = checkpoint
        self.directory = str(directory)
        self.chief = chief
        # Every worker runs the same save (under MultiWorkerMirroredStrategy making the save counter
        # is a collective), so the others save too, into a scratch folder emptied after each save.
        self._scratch = None if chief else tempfile.mkdtemp(prefix="tfsheet-worker-checkpoints-")
        if self._scratch is not None:
            weakref.finalize(self, shutil.rmtree, self._scratch, True)
        checkpoint.save_counter  # noqa: B018 - create it now, on every worker alike
        if chief:
            _repair_state(self.directory)
        self.max_to_keep = max_to_keep if chief else 1
        self.manager = tf.train.CheckpointManager(checkpoint, self._scratch or self.directory,
                                                  max_to_keep=self.max_to_keep)

    @property
    def latest(self):
        return tf.train.latest_checkpoint(self.directory)

    def save(self, step):
        """Write a checkpoint numbered `step` (on a non-chief worker: write it aside, then delete it)."""
        path = self.manager.save(checkpoint_number=int(step))
        if self._scratch is None:
            return path
        for entry in os.listdir(self._scratch):
            os.remove(os.path.join(self._scratch, entry))
        return None

    def keep_only_latest(self):
        """Delete every checkpoint but the newest (once a training has finished, the older ones would only
        be a fallback for a step that never comes again); the state file then lists the newest alone."""
        if self._scratch is not None or self.latest is None:
            return
        latest = self.latest
        for path in self._saved():
            if path != latest:
                for piece in pathlib.Path(path).parent.glob(pathlib.Path(path).name + ".*"):
                    piece.unlink(missing_ok=True)
        saved_at = os.path.getmtime(latest + ".index")        # with its time, so that rotation may delete it later
        name = os.path.basename(latest)                     # relative, like the manager's: the folder may move
        tf.compat.v1.train.update_checkpoint_state(self.directory, name, all_model_checkpoint_paths=[name],
                                                   all_model_checkpoint_timestamps=[saved_at],
                                                   last_preserved_timestamp=saved_at - 1)
        self.manager = tf.train.CheckpointManager(self.checkpoint, self.directory,
                                                  max_to_keep=self.max_to_keep)      # reads the new state file

    def _saved(self):
        return _listed(self.directory) or _found(self.directory)

    def restore_latest(self):
        """Restore the newest readable checkpoint; return its path, or None if there is none."""
        failures = []
        for path in reversed(self._saved()):
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
            raise CheckpointError(f"No checkpoint in {self.directory} could be restored (damaged, or made by another "
                                  "model or settings); they were left in place:\n  " + "\n  ".join(failures)
                                  + f"\nTo start over, delete {self.directory} or use another workdir.")
        return None


def _listed(directory):
    """The checkpoints the state file lists, oldest first ([] when it is missing or unreadable)."""
    try:
        state = tf.train.get_checkpoint_state(directory)
    except Exception:  # noqa: BLE001 - a damaged state file fails in the text-proto parser
        state = None
    return list(state.all_model_checkpoint_paths) if state is not None else []


def _found(directory):
    """The checkpoints in `directory` found by name (ckpt-N.index), oldest first."""
    numbered = []
    for index in pathlib.Path(directory).glob("ckpt-*.index"):
        number = index.name[len("ckpt-"):-len(".index")]
        if number.isdigit():
            numbered.append((int(number), str(index.with_suffix(""))))
    return [path for _, path in sorted(numbered)]


def _repair_state(directory):
    """Rewrite a missing or unreadable state file from the checkpoints found by name, so that the newest is
    restored and a new save neither overwrites nor forgets them (a run that restarted from step 0 would
    overwrite ckpt-1, ckpt-2, ... and rotate the rest away)."""
    found = _found(directory)
    if not found or _listed(directory):
        return
    log.warning("the checkpoint state file in %s is missing or unreadable; rebuilt it from %d checkpoint(s) found "
                "by name, newest %s", directory, len(found), found[-1])
    times = [os.path.getmtime(path + ".index") for path in found]     # so that rotation may delete them again
    tf.compat.v1.train.update_checkpoint_state(directory, os.path.basename(found[-1]),
                                               all_model_checkpoint_paths=[os.path.basename(path) for path in found],
                                               all_model_checkpoint_timestamps=times,
                                               last_preserved_timestamp=min(times) - 1)
