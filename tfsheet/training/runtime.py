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
"""

import dataclasses
import pathlib
import re
from typing import Any, Optional

import tensorflow as tf

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

    def below(self, name):
        """The same runtime with its logs one folder deeper (an experiment's name under a report's root)."""
        if self.log_root is None:
            return self
        return dataclasses.replace(self, log_root=pathlib.Path(self.log_root) / _safe(name))

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
        with self.strategy.scope():
            model = build_model()
            gradients = gradients_for(model) if gradients_for is not None else autodiff_gradients
            trainer = Trainer(model, loss, make_optimizer(), config, metrics=metrics, gradients=gradients,
                              workdir=workdir, log_dir=self.log_dir(name), strategy=self.strategy,
                              callbacks=callbacks)
        return model, trainer


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", str(name)).strip("_") or "run"
