"""Where a training run's TensorBoard logs go.

On its own a Trainer logs into `workdir/logs` (or nowhere without a workdir). A larger job that
trains many models, such as `tfsheet report`, opens one log root for all of them and names a
scope per experiment, so every run lands side by side for one `tensorboard --logdir`:

    with tensorboard_root("report/tensorboard"), log_scope("P2_sweep"):
        ... Trainer(..., name="one_hot_H16_seed0")  # -> report/tensorboard/P2_sweep/one_hot_H16_seed0
"""

import contextlib
import pathlib
import re

_state = {"root": None, "scope": ()}


@contextlib.contextmanager
def tensorboard_root(path):
    """Send the logs of every Trainer made inside this block under `path`."""
    saved = dict(_state)
    _state.update(root=pathlib.Path(path), scope=())
    try:
        yield pathlib.Path(path)
    finally:
        _state.update(saved)


@contextlib.contextmanager
def log_scope(name):
    """Add a folder level (an experiment's name) below the active root."""
    saved = _state["scope"]
    _state["scope"] = (*saved, _safe(name))
    try:
        yield
    finally:
        _state["scope"] = saved


def log_dir(name, workdir=None):
    """The log folder for a run called `name`: under the active root if any, else `workdir/logs`.

    Under a root the folder is new: a second run with the same name gets `name_2`, and so on.
    Returns None when there is neither a root nor a workdir.
    """
    if _state["root"] is None:
        return pathlib.Path(workdir) / "logs" if workdir is not None else None
    base = _state["root"].joinpath(*_state["scope"])
    candidate, count = base / _safe(name), 1
    while candidate.exists():
        count += 1
        candidate = base / f"{_safe(name)}_{count}"
    return candidate


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", str(name)).strip("_") or "run"
