"""The GradientTape training engine every problem of the sheet trains with, on one device or many.

One step is the textbook loop body, run on every replica of a tf.distribute strategy (one device
is the default strategy, with one replica):

    loss, grads, outputs = gradients(model, loss_fn, x_batch, y_batch)   # tape by default
    optimizer.apply(grads, model.trainable_variables)                     # all-reduced across replicas

What the engine adds around it:
  * speed: data stays in memory as tensors and batches are gathered inside one compiled
    tf.function that runs many steps (a whole epoch by default), so the ~0.2 ms dispatch cost
    of a tf.function call and a tf.data pipeline are paid once per call, not once per step;
  * one batching rule (tfsheet.training.batches): the epoch's order is a stateless shuffle of
    (seed, epoch), the last partial batch is kept (dropped only with drop_remainder), and R
    replicas split every global batch of b rows into slices of floor(b / R) or ceil(b / R) rows,
    so a run on R replicas sees exactly the batches of one device, and the position in the data
    follows from the step counter alone (a resumed run sees the same batches);
  * each replica's gradient is the mean over its slice times its share of the global batch,
    b_r / b, so the all-reduce sum is the global mean (on one device the share is 1 and skipped);
  * checkpoints (model, optimizer slots, step, the epoch's running sums, the Keras seed-generator
    states) every N steps and at each epoch end, or with `checkpoint_seconds` at most once a minute
    (say) and at the end, the compiled calls sized to fit; restored on start, skipping unreadable
    ones. How an epoch is cut into calls changes no number: each step runs the same ops, and the
    epoch's sums carry from call to call (and through a checkpoint) in step order;
  * a NaN/Inf loss on any replica stops training before the bad update is applied, with no
    checkpoint written, so the last good checkpoint survives;
  * SIGTERM (preemption) stops a run with a workdir after the current compiled call, every worker
    agreeing, with a checkpoint, raising `Preempted`; keep calls short with `checkpoint_every` or
    `steps_per_call` when epochs are long;
  * a history of per-epoch metrics; what is shown or kept along the way (progress lines, TensorBoard
    scalars, the best epoch's weights) is left to callbacks (tfsheet.training.callbacks).

Sequence training with carried state (truncated BPTT) uses shuffle=False and a model that keeps
its recurrent state in a non-trainable variable, one row per stream; gradients from elsewhere
(RTRL) come in through `gradients`.
"""

import contextlib
import dataclasses
import json
import pathlib
import time

import keras
import numpy as np
import tensorflow as tf

from tfsheet.choices import LARGEST_INT
from tfsheet.errors import CheckpointError, NonFiniteLossError, Preempted
from tfsheet.results import write_json
from tfsheet.training import batches, distribution
from tfsheet.training.callbacks import Heartbeat, ProgressPrinter, TensorBoardLogger
from tfsheet.training.checkpoints import Checkpointer
from tfsheet.training.preemption import PreemptionWatcher
from tfsheet.training.gradients import autodiff_gradients, per_example
from tfsheet.training.seeding import seed_generator_states


HISTORY_FILE = "history.json"   # a workdir's epoch records, so that a resumed run reports all of them
DIVERGENCE_FACTOR = 1e3         # an epoch's mean loss this many times the first epoch's: diverged
PROBE_STEPS = 16                # with checkpoint_seconds: the first call's steps, which measure the speed
DIVERGED_LOSS = 1e6             # ... or this large at all: no loss of the sheet's models gets near it when training


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How to train; each default says why."""

    epochs: int = 5                 # a convex model on MNIST settles within a few epochs
    batch_size: int = 128           # the usual MNIST mini-batch
    seed: int = 0                   # fixes the shuffle order of every epoch
    steps_per_call: int = 0         # steps per compiled call; 0 = a whole epoch (fastest here)
    checkpoint_every: int = 0       # steps between checkpoints; 0 = only at epoch ends
    checkpoint_seconds: float = 0.0  # > 0: a checkpoint when this long has passed (mid-epoch too) and at the end,
                                     # instead of one per epoch: a kill loses about this much time, whatever
                                     # an epoch takes (the experiments use 60 s)
    keep_checkpoints: int = 3       # older checkpoints are deleted (all but the newest once training finished)
    eval_batch_size: int = 2000     # evaluation needs no gradients, so larger batches are fine
    shuffle: bool = True            # False keeps data order (sequence windows for TBPTT)
    drop_remainder: bool = False    # True skips each epoch's last partial batch (kept by default)
    max_updates: int = 0            # stop after this many updates, even mid-epoch (0: no limit); equal budgets
    jit_compile: bool = False       # XLA: measure first; it slows recurrent loops on this CPU
    verbose: bool = True            # a progress line per epoch; False: a heartbeat line at most once a minute

    def __post_init__(self):
        for name in ("epochs", "batch_size", "eval_batch_size", "keep_checkpoints", "seed", "steps_per_call",
                     "checkpoint_every", "max_updates"):
            value = getattr(self, name)
            if isinstance(value, np.integer):            # numpy's ints are ints; kept as Python ints for JSON
                object.__setattr__(self, name, int(value))
        for name in ("epochs", "batch_size", "eval_batch_size", "keep_checkpoints"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1. Received: {name}={value!r}")
        for name in ("seed", "steps_per_call", "checkpoint_every", "max_updates"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0. Received: {name}={value!r}")
        for name in ("epochs", "batch_size", "eval_batch_size", "seed", "steps_per_call", "checkpoint_every",
                     "max_updates"):
            if getattr(self, name) > LARGEST_INT:
                raise ValueError(f"{name} must be at most {LARGEST_INT}. Received: {name}={getattr(self, name)!r}")
        for name in ("shuffle", "drop_remainder", "jit_compile", "verbose"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False. Received: {name}={getattr(self, name)!r}")
        seconds = self.checkpoint_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < float("inf"):
            raise ValueError(f"checkpoint_seconds must be a finite number >= 0. Received: checkpoint_seconds={seconds!r}")


@dataclasses.dataclass(frozen=True)
class ArrayData:
    """In-memory examples: `x` (N, ...) and targets `y` (N, ...), aligned on the first axis."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self):
        for name in ("x", "y"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray):      # a list of rows: one array, or say which rows disagree
                try:
                    value = np.asarray(value)
                except ValueError as error:
                    raise ValueError(f"ArrayData's {name} must be rectangular (every example of one shape); its "
                                     f"rows differ in length: {error}") from None
                object.__setattr__(self, name, value)
            if value.ndim == 0:
                raise TypeError(f"ArrayData's {name} must be an array whose first axis is the examples. Received: "
                                f"{name}={value!r:.80}")
            if value.dtype == object or value.dtype.kind in "SUVcmM":
                raise TypeError(f"ArrayData's {name} must hold numbers (ints, floats or bools). Received: dtype "
                                f"{value.dtype}")
        if len(self.x) != len(self.y):
            raise ValueError(f"x and y must hold the same number of examples. Received: "
                             f"len(x)={len(self.x)}, len(y)={len(self.y)}")
        if len(self.x) == 0:
            raise ValueError("ArrayData needs at least one example. Received: 0 examples")

    def __len__(self):
        return len(self.x)


class Trainer:
    """Trains `model` on `loss` with `optimizer`; see the module docstring.

    Args:
        model: a built Keras model.
        loss: `loss(y, outputs) -> (N,)` per-example losses; the step minimises their mean.
        optimizer: a Keras optimizer; built here for the model's trainable variables.
        config: a TrainConfig.
        metrics: `{name: fn(y, outputs) -> (N,)}` per-example values, averaged per epoch.
        gradients: where gradients come from (tfsheet.training.gradients); autodiff by default. A
            gradient source that is a tf.Module (online RTRL) has its variables checkpointed too.
        workdir: where `checkpoints/` (and, without `log_dir`, `logs/`) go; None for neither.
        log_dir: the run's TensorBoard folder; None for `workdir/logs` (or no logs without a workdir).
        callbacks: tfsheet.training.callbacks objects, called after every compiled call and epoch; the
            progress lines (config.verbose; else a once-a-minute heartbeat) and TensorBoard (log_dir) are
            callbacks added here.
        strategy: the tf.distribute strategy to train under; None for one device. The model and the
            optimizer must have been created inside its scope (tfsheet.training.runtime does this).
    """

    def __init__(self, model, loss, optimizer, config=TrainConfig(), *, metrics=None,
                 gradients=autodiff_gradients, workdir=None, log_dir=None, strategy=None, callbacks=()):
        _check_arguments(model, loss, optimizer, config, metrics, gradients)
        if strategy is None:
            if tf.distribute.has_strategy():
                raise ValueError("A Trainer made inside a strategy's scope needs that strategy passed explicitly: "
                                 "Trainer(..., strategy=strategy).")
            strategy = tf.distribute.get_strategy()
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.config = config
        self.metrics = dict(metrics or {})
        self.gradients = gradients
        self.strategy = strategy
        self.replicas = strategy.num_replicas_in_sync
        if distribution.is_distributed(strategy):
            self._check_created_in_scope(model, optimizer)
        if config.checkpoint_seconds and distribution.spans_workers(strategy):
            raise ValueError("checkpoint_seconds sizes calls by each worker's own clock, so workers would disagree on "
                             "when to save; use checkpoint_every (steps) with several workers.")
        with self.strategy.scope():
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step",
                                    aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            self._data_shape = tf.Variable([0, 0], dtype=tf.int64, trainable=False, name="data_shape",
                                           aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            self._epoch_sums = tf.Variable(tf.zeros([3 + len(self.metrics)]), trainable=False, name="epoch_sums",
                                           aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            self.optimizer.build(model.trainable_variables)
        self.chief = distribution.is_chief(self.strategy)
        self._last_save, self._seconds_per_step, self._total_steps = time.perf_counter(), None, 0
        self.workdir = pathlib.Path(workdir) if workdir is not None else None
        self.checkpointer = None
        if self.workdir is not None:
            carried = {"gradient_state": gradients} if isinstance(gradients, tf.Module) else {}
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=self.step,
                                             data_shape=self._data_shape, epoch_sums=self._epoch_sums,
                                             rng=seed_generator_states(model), **carried)
            self.checkpointer = Checkpointer(checkpoint, self.workdir / "checkpoints", config.keep_checkpoints,
                                             chief=self.chief)
        if log_dir is None and self.workdir is not None:
            log_dir = self.workdir / "logs"
        self.callbacks = list(callbacks)
        self.callbacks.insert(0, ProgressPrinter() if config.verbose else Heartbeat())
        if log_dir is not None and self.chief:
            self.callbacks.insert(0, TensorBoardLogger(log_dir))
        jit = config.jit_compile if not distribution.is_distributed(strategy) else None
        self._train_steps = tf.function(self._train_steps_impl, jit_compile=jit)
        self._eval_sums = tf.function(self._eval_sums_impl)

    def _check_created_in_scope(self, model, optimizer):
        """Refuse, with the fix, a model or optimizer created outside the strategy's scope."""
        created_here = getattr(optimizer, "_distribution_strategy", self.strategy) is self.strategy
        if not created_here:
            raise ValueError("The optimizer was created outside the strategy's scope; create it (and the model) "
                             "inside `with strategy.scope():` so its slots are mirrored on every replica.")
        if any(not self.strategy.extended.variable_created_in_scope(getattr(v, "value", v))
               for v in model.trainable_variables):
            raise ValueError("The model's variables were created outside the strategy's scope; build the model "
                             "inside `with strategy.scope():`.")

    # -- compiled parts ------------------------------------------------------------------------

    def _metric_values(self, y, outputs):
        if not self.metrics:
            return tf.zeros([0])
        return tf.stack([tf.reduce_sum(tf.cast(per_example(fn(y, outputs), f"metric {name!r}"), tf.float32))
                         for name, fn in self.metrics.items()])                # (num_metrics,)

    def _replica_step(self, x, y, ids):
        """One replica's part of a step: its slice of the global batch `ids`, its gradient share and its sums.

        sums = [loss * b_r, b_r, non-finite flag, metric sums...]; a replica with an empty slice
        (b < R) contributes zeros.
        """
        local_ids = ids
        if self.replicas > 1:
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            first, stop = batches.replica_rows(tf.size(ids), self.replicas, replica)
            local_ids = ids[first:stop]                                   # (b_r,)
        with tf.device("/device:CPU:0"):                                  # the data stays in host memory
            x_batch, y_batch = tf.gather(x, local_ids), tf.gather(y, local_ids)
        loss, grads, outputs = self.gradients(self.model, self.loss, x_batch, y_batch)
        loss = tf.cast(loss, tf.float32)
        local = tf.cast(tf.size(local_ids), tf.float32)
        bad = tf.cast(tf.logical_not(tf.math.is_finite(loss)), tf.float32)
        if self.replicas > 1:
            share = local / tf.cast(tf.size(ids), tf.float32)             # b_r / b: the all-reduce sum is the mean
            grads = [_scaled(g, share) for g in grads]
            bad = tf.where(local > 0, bad, 0.0)
            loss = tf.math.multiply_no_nan(loss, tf.cast(local > 0, tf.float32))
        sums = tf.concat([[loss * local, local, bad], self._metric_values(y_batch, outputs)], axis=0)
        return sums, grads

    def _apply(self, grads):
        self.optimizer.apply(grads, self.model.trainable_variables)

    def _train_steps_impl(self, x, y, order, first, last, totals):
        """Run steps first..last-1 of an epoch, adding each step's sums to `totals` (the epoch's so far); stop
        before applying a non-finite loss on any replica."""
        finite = tf.constant(True)
        bad_loss = tf.constant(0.0)
        for index in tf.range(first, last):
            ids = batches.batch_ids(order, index, self.config.batch_size)                 # (b,)
            per_replica, grads = self.strategy.run(self._replica_step, args=(x, y, ids))
            sums = self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)
            if sums[2] > 0:
                finite = tf.constant(False)
                bad_loss = sums[0] / tf.maximum(sums[1], 1.0)
                break
            self.strategy.run(self._apply, args=(grads,))   # outside control flow in the replica function
            self.step.assign_add(1)
            totals += sums
        return {"loss_sum": totals[0], "metric_sums": totals[3:], "count": totals[1], "totals": totals,
                "finite": finite, "bad_loss": bad_loss}

    def _eval_sums_impl(self, x, y):
        batch_size = self.config.eval_batch_size
        order = tf.range(tf.shape(x)[0])
        num_batches = (tf.shape(x)[0] + batch_size - 1) // batch_size
        loss_sum = tf.constant(0.0)
        metric_sums = tf.zeros([len(self.metrics)])
        for index in tf.range(num_batches):
            ids = batches.batch_ids(order, index, batch_size)
            x_batch, y_batch = tf.gather(x, ids), tf.gather(y, ids)
            outputs = self.model(x_batch, training=False)
            loss_sum += tf.reduce_sum(tf.cast(per_example(self.loss(y_batch, outputs)), tf.float32))
            metric_sums += self._metric_values(y_batch, outputs)
        return loss_sum, metric_sums

    # -- public API ----------------------------------------------------------------------------

    def evaluate(self, data):
        """Mean loss and metrics over `data` (an ArrayData), without training."""
        _check_data(data, "data")
        with _data_errors_named("evaluation"):
            loss_sum, metric_sums = self._eval_sums(tf.constant(data.x), tf.constant(data.y))
        means = {"loss": float(loss_sum) / len(data)}
        means.update({name: float(value) / len(data) for name, value in zip(self.metrics, metric_sums.numpy())})
        return means

    def fit(self, train, validation=None, epochs=None, after_epoch=None):
        """Train until `epochs` epochs in all (config.epochs when None), resuming from the latest checkpoint
        or from where the previous call stopped; return the history. `after_epoch(model)`, when given, is
        called at the end of every epoch and the dict it returns (say a loss on other data: a learning
        curve) joins that epoch's record.

        Returns:
            A list with one dict per epoch: `epoch`, `loss`, each metric, `val_*` when validation data
            is given, and `seconds`; with a workdir, the epochs of earlier calls that the restored
            checkpoint holds come first (kept in WORKDIR/history.json), so a resumed run reports its
            whole history.

        Raises:
            NonFiniteLossError: when a loss is NaN or infinite (the bad update is not applied).
            CheckpointError: when the checkpoints on disk cannot be used for this run.
        """
        config = self.config
        _check_data(train, "train")
        if validation is not None:
            _check_data(validation, "validation")
        if after_epoch is not None and not callable(after_epoch):
            raise TypeError(f"after_epoch must be a function of the model. Received: after_epoch={after_epoch!r:.80}")
        if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1):
            raise ValueError(f"epochs must be an int >= 1. Received: epochs={epochs!r}")
        if config.batch_size > len(train):
            raise ValueError(f"batch_size {config.batch_size} is larger than the {len(train)} training examples, so "
                             f"every epoch would be one step on all of them; choose a batch size <= {len(train)}.")
        steps_per_epoch = batches.steps_per_epoch(len(train), config.batch_size, config.drop_remainder)
        total_steps = (epochs or config.epochs) * steps_per_epoch
        if config.max_updates:
            total_steps = min(total_steps, config.max_updates)
        self._total_steps = total_steps
        self._restore(len(train))
        for callback in self.callbacks:
            callback.on_fit_start(self, total_steps, -(-total_steps // steps_per_epoch))
        x, y = tf.constant(train.x), tf.constant(train.y)
        history = self._earlier_history(steps_per_epoch)
        self._first_loss = history[0]["loss"] if history else None     # a resumed run is judged by its first epoch
        epoch_seconds = 0.0
        self._last_save, self._seconds_per_step = time.perf_counter(), None
        with PreemptionWatcher(self.strategy, enabled=self.checkpointer is not None) as preemption:
            while self.current_step() < total_steps:
                epoch, first = divmod(self.current_step(), steps_per_epoch)
                last = min(self._chunk_end(first, steps_per_epoch), first + total_steps - self.current_step())
                order = batches.epoch_order(len(train), config.seed, epoch, config.shuffle)
                if first == 0:
                    self._epoch_sums.assign(tf.zeros_like(self._epoch_sums))
                started = time.perf_counter()
                with _data_errors_named("training"):
                    sums = self._train_steps(x, y, order, tf.constant(first, tf.int64), tf.constant(last, tf.int64),
                                             tf.convert_to_tensor(self._epoch_sums))
                took = time.perf_counter() - started
                epoch_seconds += took
                if not bool(sums["finite"]):
                    self._stop_on_non_finite(float(sums["bad_loss"]), epoch)
                self._epoch_sums.assign(sums["totals"])
                self._seconds_per_step = took / max(last - first, 1)
                record = self._after_call(sums, epoch, steps_per_epoch, epoch_seconds, validation, after_epoch)
                if record is not None:
                    history.append(record)
                    if self.workdir is not None:         # before the checkpoint, so a checkpoint never lacks its record
                        write_json(self.workdir / HISTORY_FILE, history)
                    epoch_seconds = 0.0
                    if not config.checkpoint_seconds or self._save_is_due():
                        self._save()
                if preemption.requested():
                    self._save()
                    raise Preempted(f"Stopped by SIGTERM at step {self.current_step()}; the checkpoint "
                                    f"{self.checkpointer.latest if self.checkpointer else '(none: no workdir)'} "
                                    "holds it. Run the same command again to resume.")
        if self.checkpointer is not None:      # finished: the newest checkpoint is all a restore will read
            self.checkpointer.keep_only_latest()
        return history

    def _after_call(self, sums, epoch, steps_per_epoch, epoch_seconds, validation, after_epoch=None):
        """Log and checkpoint after a compiled call; return the epoch's record when the epoch ended."""
        means = self._means(sums)
        for callback in self.callbacks:
            callback.on_chunk(self, epoch, self.current_step() - epoch * steps_per_epoch, steps_per_epoch, means)
        if self.current_step() % steps_per_epoch == 0 or self.current_step() == self._total_steps:
            record = {"epoch": epoch + 1, **means, "seconds": round(epoch_seconds, 3)}
            if validation is not None:
                val = self.evaluate(validation)
                record.update({f"val_{name}": value for name, value in val.items()})
            if after_epoch is not None:
                extra = after_epoch(self.model)
                if extra is not None and not isinstance(extra, dict):
                    raise TypeError(f"after_epoch must return a dict of values to record (or None). Received: "
                                    f"{extra!r:.80}")
                record.update(extra or {})
            for callback in self.callbacks:
                callback.on_epoch_end(self, record)
            self._stop_if_diverging(record["loss"], epoch)      # before the checkpoint: it must not keep them
            return record
        if self.config.checkpoint_every and self.current_step() % self.config.checkpoint_every == 0:
            self._save()
        elif self.config.checkpoint_seconds and self._save_is_due():
            self._save()
        return None

    def _save_is_due(self):
        """With checkpoint_seconds: the end of training, or that many seconds since the last checkpoint (90 % of
        them, so that calls sized to the interval do not miss it by a hair)."""
        return (self.current_step() >= self._total_steps
                or time.perf_counter() - self._last_save >= 0.9 * self.config.checkpoint_seconds)

    def current_step(self):
        """The number of updates applied so far (restored checkpoints included)."""
        return int(self.step.numpy())

    # -- helpers -------------------------------------------------------------------------------

    def _chunk_end(self, first, steps_per_epoch):
        last = steps_per_epoch
        if self.config.steps_per_call:
            last = min(last, first + self.config.steps_per_call)
        if self.config.checkpoint_seconds and self.checkpointer is not None:
            # Calls of about checkpoint_seconds, sized from the last call's speed (a short first call measures it).
            steps = (PROBE_STEPS if self._seconds_per_step is None
                     else int(self.config.checkpoint_seconds / max(self._seconds_per_step, 1e-9)))
            last = min(last, first + max(steps, 1))
        every = self.config.checkpoint_every
        if every:
            step = self.current_step()
            last = min(last, first + (every - step % every))
        return last

    def _means(self, sums):
        count = max(float(sums["count"]), 1.0)
        means = {"loss": float(sums["loss_sum"]) / count}
        means.update({name: float(value) / count for name, value in zip(self.metrics, sums["metric_sums"].numpy())})
        return means

    def _restore(self, num_examples):
        data_shape = [num_examples, self.config.batch_size]
        if self.checkpointer is not None and self.checkpointer.restore_latest() is not None:
            saved = [int(v) for v in self._data_shape.numpy()]
            if saved != data_shape:
                raise CheckpointError(
                    f"The checkpoints in {self.workdir / 'checkpoints'} were made with {saved[0]} examples "
                    f"and batch size {saved[1]}, but this run has {num_examples} and {self.config.batch_size}; "
                    "resume with the same data and batch size, or use a new workdir.")
        self._data_shape.assign(data_shape)

    def _earlier_history(self, steps_per_epoch):
        """The epoch records of earlier calls up to the restored step (none without a workdir)."""
        if self.workdir is None:
            return []
        try:
            saved = json.loads((self.workdir / HISTORY_FILE).read_text())
        except (OSError, ValueError):
            return []
        step = self.current_step()
        finished = -(-step // steps_per_epoch) if step >= self._total_steps else step // steps_per_epoch  # a last part
        return [record for record in saved if isinstance(record, dict) and record.get("epoch", 0) <= finished]

    def _save(self):
        if self.checkpointer is not None:
            self.checkpointer.save(self.current_step())
            self._last_save = time.perf_counter()

    def _stop_on_non_finite(self, bad_loss, epoch):
        raise NonFiniteLossError(
            f"The training loss became {bad_loss} at step {self.current_step() + 1} (epoch {epoch + 1}); training "
            f"stopped before applying that update. {self._kept()} "
            "Try a smaller learning rate, or check the inputs for NaN or huge values.")

    def _kept(self):
        """Which checkpoint survives a stop, said plainly."""
        if self.checkpointer is None:
            return "Nothing was saved: this run has no workdir."
        if self.checkpointer.latest is None:
            return f"No checkpoint had been written yet in {self.workdir / 'checkpoints'}."
        return f"Last good checkpoint: {self.checkpointer.latest}."

    def _stop_if_diverging(self, loss, epoch):
        """A finite loss above DIVERGED_LOSS, or grown DIVERGENCE_FACTOR-fold over the run's first epoch, has
        diverged as surely as a NaN: stop the same way, before this epoch's checkpoint is written."""
        if self._first_loss is None:
            self._first_loss = loss
        if loss > DIVERGED_LOSS or loss > DIVERGENCE_FACTOR * max(self._first_loss, 1e-3):
            raise NonFiniteLossError(
                f"The training loss reached {loss:.4g} in epoch {epoch + 1} (first epoch of this run: "
                f"{self._first_loss:.4g}): training diverged and was stopped. {self._kept()} "
                "Try a smaller learning rate.")


@contextlib.contextmanager
def _data_errors_named(what):
    """A step that TensorFlow rejects for its data (a label past the classes, a shape the model does not take)
    raised as one ValueError naming the likely fix, not a traceback through the traced loop; a ValueError
    raised while tracing (a loss of the wrong shape) keeps only its own message."""
    try:
        yield
    except tf.errors.InvalidArgumentError as error:
        raise ValueError(f"The {what} step rejected the data: {_reason(error.message)}. Check that the labels "
                         "lie in the model's range of classes and that x has the shape and dtype the model "
                         "takes.") from None
    except (ValueError, TypeError) as error:     # raised while tracing: its own words, without the trace
        message, kind = str(error), f"{type(error).__name__}: "
        if "in user code:" not in message:
            raise
        said = message[message.rfind(kind) + len(kind):] if kind in message else message
        raise type(error)(" ".join(said.split())) from None


def _reason(message):
    """The line of a traced op's error that says what went wrong, without the trace around it."""
    lines = [line.strip() for line in message.splitlines()]
    said = [line for line in lines if line and not line.startswith(("File ", "[[", "Graph execution error",
                                                                     "Detected at node", "in user code"))]
    return (said[-1] if said else message.strip()).rstrip(".")


def _check_data(data, name):
    """`data` must be an ArrayData: a tuple or a bare array would fail later with a message about something else."""
    if not isinstance(data, ArrayData):
        raise TypeError(f"{name} must be an ArrayData(x, y). Received: {type(data).__name__}")


def _check_arguments(model, loss, optimizer, config, metrics, gradients):
    """Refuse, naming the fix, the arguments Keras or TensorFlow would only reject deep inside a traced step."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model. Received: model={model!r:.80}")
    if not model.built or not model.trainable_variables:
        raise ValueError(f"The model {model.name!r} has no trainable variables yet; build it first (call it once on "
                         "a batch, or model.build(input_shape)), so the optimizer knows what it updates.")
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"optimizer must be a Keras optimizer object, e.g. keras.optimizers.SGD(0.1). Received: "
                        f"optimizer={optimizer!r:.80}")
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig. Received: config={config!r:.80}")
    for name, value in (("loss", loss), ("gradients", gradients)):
        if not callable(value):
            raise TypeError(f"{name} must be a function. Received: {name}={value!r:.80}")
    if metrics is not None and (not isinstance(metrics, dict)
                                or not all(isinstance(k, str) and callable(f) for k, f in metrics.items())):
        raise TypeError(f"metrics must be a dict of name -> fn(y, outputs). Received: metrics={metrics!r:.80}")


def _scaled(gradient, share):
    """gradient * share, exactly 0 where share is 0 (a replica with no rows), dense or sparse."""
    if gradient is None:
        return None
    if isinstance(gradient, tf.IndexedSlices):
        return tf.IndexedSlices(tf.math.multiply_no_nan(gradient.values, tf.cast(share, gradient.dtype)),
                                gradient.indices, gradient.dense_shape)
    return tf.math.multiply_no_nan(gradient, tf.cast(share, gradient.dtype))
