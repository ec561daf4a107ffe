"""How a piece of training runs: the tf.distribute strategy, where TensorBoard logs go, how much it prints.

A Runtime is passed explicitly from the command line down to every Trainer; nothing is read from
a global scope. One device is the default strategy. `make_trainer` builds the model, optimizer
and Trainer inside the strategy's scope, as tf.distribute requires, so experiments never open a
scope themselves:

    runtime = Runtime(strategy=make_strategy("mirrored"), log_root=Path("report/tensorboard/P2_sweep"))
    model, trainer = runtime.make_trainer(lambda: build_mlp(64, "one_hot"), squared_loss,
                                          lambda: keras.optimizers.Adam(1e-3), TrainConfig(epochs=3),
                                          name="one_hot_H64_seed0")
    # logs -> report/tensorboard/P2_sweep/one_hot_H64_seed0

With a `checkpoint_root` every Trainer gets a workdir of its own below it, named after its run (the
second run of a name in this runtime gets name_2, and so on, in the order the runs are made, so the
same program makes the same folders again). Run the same program again after a kill and each training
resumes: a finished one is restored from its last checkpoint without a step, the interrupted one goes on
from its newest checkpoint (at most about `checkpoint_seconds` old), bit for bit as if never stopped.
Work done outside a Trainer is kept the same way by `remember(name, compute)` (JSON values).
"""

import dataclasses
import json
import pathlib
import re
from typing import Any, Optional

import tensorflow as tf

from tfsheet.results import write_json
from tfsheet.training.engine import Trainer
from tfsheet.training.gradients import autodiff_gradients


def one_device():
    """The default strategy (no distribution), taken outside any scope."""
    if tf.distribute.has_strategy():
        raise ValueError("one_device() was called inside a strategy's scope; pass that strategy explicitly instead.")
    return tf.distribute.get_strategy()


@dataclasses.dataclass(frozen=True)
class Runtime:
    """Where training runs (`strategy`), where its TensorBoard logs go (`log_root`), and whether it prints."""

    strategy: Any = dataclasses.field(default_factory=one_device)
    log_root: Optional[pathlib.Path] = None     # None: each Trainer logs into its workdir, if it has one
    verbose: bool = False                       # per-epoch progress lines of every Trainer
    checkpoint_root: Optional[pathlib.Path] = None   # None: trainings keep no checkpoints of their own
    checkpoint_seconds: float = 60.0            # with a checkpoint_root: a kill loses about this much training
    callbacks: tuple = ()                       # given to every Trainer, after the ones make_trainer is passed
    _names: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.strategy, tf.distribute.Strategy):
            raise TypeError(f"strategy must be a tf.distribute.Strategy, such as the one "
                            f"tfsheet.training.distribution.make_strategy({self.strategy!r}) makes. Received: "
                            f"strategy={self.strategy!r:.80}")

    def below(self, name):
        """The same runtime with its logs one folder deeper (an experiment's name under a report's root)."""
        if self.log_root is None and self.checkpoint_root is None:
            return self
        return dataclasses.replace(
            self, log_root=None if self.log_root is None else pathlib.Path(self.log_root) / _safe(name),
            checkpoint_root=None if self.checkpoint_root is None else pathlib.Path(self.checkpoint_root) / _safe(name))

    def run_name(self, name):
        """`name` made safe for a folder, with _2, _3, ... for its second, third, ... run in this runtime."""
        base, count = _safe(name), 1
        candidate = base
        while candidate in self._names:                   # names handed out already, suffixed ones included
            count += 1
            candidate = f"{base}_{count}"
        self._names[candidate] = True
        return candidate

    def remember(self, name, compute):
        """compute(), kept as JSON under checkpoint_root/remembered/ so that a resumed run reads it instead of
        computing it again (every call computes without a checkpoint_root). The value must be JSON: dicts,
        lists, str, finite or infinite floats, ints, bools, None."""
        if self.checkpoint_root is None:
            return compute()
        path = pathlib.Path(self.checkpoint_root) / "remembered" / f"{self.run_name(name)}.json"
        try:
            return json.loads(path.read_text())["value"]
        except (OSError, ValueError, KeyError, TypeError):
            pass                                                    # not there, or cut short by a kill: compute
        value = compute()
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, {"value": value})
        return json.loads(path.read_text())["value"]               # what a resumed run will read, exactly

    def log_dir(self, name):
        """A new folder for the run called `name` under log_root (name, name_2, ...); None without a root."""
        if self.log_root is None:
            return None
        base = pathlib.Path(self.log_root)
        candidate, count = base / _safe(name), 1
        while candidate.exists():
            count += 1
            candidate = base / f"{_safe(name)}_{count}"
        return candidate

    def make_trainer(self, build_model, loss, make_optimizer, config, *, name, metrics=None,
                     gradients_for=None, workdir=None, callbacks=()):
        """(model, trainer): `build_model()` and `make_optimizer()` made inside the strategy's scope.

        Args:
            gradients_for: `gradients_for(model) -> gradient source` (tfsheet.training.gradients);
                autodiff when None. A factory, because some sources (online RTRL) hold per-model state.
            name: the run's TensorBoard name under log_root.
            callbacks: tfsheet.training.callbacks objects for the trainer (progress and TensorBoard are added
                by the trainer itself, from `verbose` and the log folder).
        """
        config = dataclasses.replace(config, verbose=self.verbose)
        log_dir = self.log_dir(name)
        if self.checkpoint_root is not None and workdir is None:
            run = self.run_name(name)
            workdir = pathlib.Path(self.checkpoint_root) / run
            config = dataclasses.replace(config, checkpoint_seconds=config.checkpoint_seconds or self.checkpoint_seconds)
            if self.log_root is not None:                   # the same folder again when resumed
                log_dir = pathlib.Path(self.log_root) / run
        with self.strategy.scope():
            model = build_model()
            gradients = gradients_for(model) if gradients_for is not None else autodiff_gradients
            trainer = Trainer(model, loss, make_optimizer(), config, metrics=metrics, gradients=gradients,
                              workdir=workdir, log_dir=log_dir, strategy=self.strategy,
                              callbacks=tuple(callbacks) + tuple(self.callbacks))
        return model, trainer


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", str(name)).strip("_") or "run"
