"""The GradientTape training engine every problem of the sheet trains with.

One step is the textbook loop body:

    loss, grads, outputs = gradients(model, loss_fn, x_batch, y_batch)   # tape by default
    optimizer.apply(grads, model.trainable_variables)

What the engine adds around it:
  * speed: data stays in memory as tensors and batches are gathered inside one compiled
    tf.function that runs many steps (a whole epoch by default), so the ~0.2 ms dispatch cost
    of a tf.function call and the tf.data pipeline are paid once per call, not once per step;
  * repeatability: the epoch's order is a stateless shuffle of (seed, epoch), so the position in
    the data is derived from the step counter alone, and a resumed run sees the same batches;
  * checkpoints (model, optimizer slots, step, the Keras seed-generator states) every N steps
    and at each epoch end, restored on start, skipping unreadable ones;
  * NaN/Inf losses stop training before the bad update is applied, with no checkpoint written,
    so the last good checkpoint survives;
  * TensorBoard scalars, a progress line, a history of per-epoch metrics.

Sequence training with carried state (truncated BPTT) uses shuffle=False and a model that keeps
its recurrent state in a non-trainable variable; gradients from elsewhere (RTRL) come in
through `gradients`.
"""

import dataclasses
import math
import pathlib
import sys
import time

import numpy as np
import tensorflow as tf

from tfsheet.errors import CheckpointError, NonFiniteLossError
from tfsheet.training import run_logs
from tfsheet.training.checkpoints import Checkpointer
from tfsheet.training.gradients import autodiff_gradients
from tfsheet.training.seeding import seed_generator_states


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How to train; each default says why."""

    epochs: int = 5                 # a convex model on MNIST settles within a few epochs
    batch_size: int = 128           # the usual MNIST mini-batch
    seed: int = 0                   # fixes the shuffle order of every epoch
    steps_per_call: int = 0         # steps per compiled call; 0 = a whole epoch (fastest here)
    checkpoint_every: int = 0       # steps between checkpoints; 0 = only at epoch ends
    keep_checkpoints: int = 3       # older checkpoints are deleted
    eval_batch_size: int = 2000     # evaluation needs no gradients, so larger batches are fine
    shuffle: bool = True            # False keeps data order (sequence windows for TBPTT)
    jit_compile: bool = False       # XLA: measure first; it slows recurrent loops on this CPU
    verbose: bool = True            # one progress line per call and per epoch

    def __post_init__(self):
        for name in ("epochs", "batch_size", "eval_batch_size", "keep_checkpoints"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1. Received: {name}={value!r}")
        for name in ("seed", "steps_per_call", "checkpoint_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0. Received: {name}={value!r}")


@dataclasses.dataclass(frozen=True)
class ArrayData:
    """In-memory examples: `x` (N, ...) and targets `y` (N, ...), aligned on the first axis."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self):
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
        workdir: where `checkpoints/` and `logs/` go; None for neither.
        name: the run's TensorBoard name under an active log root (tfsheet.training.run_logs);
            the model's name by default.
    """

    def __init__(self, model, loss, optimizer, config=TrainConfig(), *, metrics=None,
                 gradients=autodiff_gradients, workdir=None, name=None):
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.config = config
        self.metrics = dict(metrics or {})
        self.gradients = gradients
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self._data_shape = tf.Variable([0, 0], dtype=tf.int64, trainable=False, name="data_shape")
        self.optimizer.build(model.trainable_variables)
        self.workdir = pathlib.Path(workdir) if workdir is not None else None
        self.checkpointer = None
        self._writer = None
        if self.workdir is not None:
            carried = {"gradient_state": gradients} if isinstance(gradients, tf.Module) else {}
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=self.step,
                                             data_shape=self._data_shape, rng=seed_generator_states(model), **carried)
            self.checkpointer = Checkpointer(checkpoint, self.workdir / "checkpoints", config.keep_checkpoints)
        logs = run_logs.log_dir(name or model.name, self.workdir)
        if logs is not None:
            self._writer = tf.summary.create_file_writer(str(logs))
        self._train_steps = tf.function(self._train_steps_impl, jit_compile=config.jit_compile)
        self._eval_sums = tf.function(self._eval_sums_impl)

    # -- compiled parts ------------------------------------------------------------------------

    def _batch(self, x, y, order, index, batch_size):
        ids = order[index * batch_size:(index + 1) * batch_size]        # (B,)
        return tf.gather(x, ids), tf.gather(y, ids)

    def _metric_values(self, y, outputs):
        if not self.metrics:
            return tf.zeros([0])
        return tf.stack([tf.reduce_sum(tf.cast(fn(y, outputs), tf.float32))
                         for fn in self.metrics.values()])                # (num_metrics,)

    def _train_steps_impl(self, x, y, order, first, last):
        """Run steps first..last-1 of an epoch; stop before applying a non-finite loss."""
        batch_size = self.config.batch_size
        loss_sum = tf.constant(0.0)
        metric_sums = tf.zeros([len(self.metrics)])
        count = tf.constant(0.0)
        bad_loss = tf.constant(0.0)
        finite = tf.constant(True)
        for index in tf.range(first, last):
            x_batch, y_batch = self._batch(x, y, order, index, batch_size)
            loss, grads, outputs = self.gradients(self.model, self.loss, x_batch, y_batch)
            if not tf.math.is_finite(loss):
                finite = tf.constant(False)
                bad_loss = tf.cast(loss, tf.float32)
                break
            self.optimizer.apply(grads, self.model.trainable_variables)
            self.step.assign_add(1)
            batch_count = tf.cast(tf.shape(x_batch)[0], tf.float32)
            loss_sum += tf.cast(loss, tf.float32) * batch_count
            metric_sums += self._metric_values(y_batch, outputs)
            count += batch_count
        return {"loss_sum": loss_sum, "metric_sums": metric_sums, "count": count,
                "finite": finite, "bad_loss": bad_loss}

    def _eval_sums_impl(self, x, y):
        batch_size = self.config.eval_batch_size
        order = tf.range(tf.shape(x)[0])
        num_batches = (tf.shape(x)[0] + batch_size - 1) // batch_size
        loss_sum = tf.constant(0.0)
        metric_sums = tf.zeros([len(self.metrics)])
        for index in tf.range(num_batches):
            x_batch, y_batch = self._batch(x, y, order, index, batch_size)
            outputs = self.model(x_batch, training=False)
            loss_sum += tf.reduce_sum(tf.cast(self.loss(y_batch, outputs), tf.float32))
            metric_sums += self._metric_values(y_batch, outputs)
        return loss_sum, metric_sums

    # -- public API ----------------------------------------------------------------------------

    def evaluate(self, data):
        """Mean loss and metrics over `data` (an ArrayData), without training."""
        loss_sum, metric_sums = self._eval_sums(tf.constant(data.x), tf.constant(data.y))
        means = {"loss": float(loss_sum) / len(data)}
        means.update({name: float(value) / len(data) for name, value in zip(self.metrics, metric_sums.numpy())})
        return means

    def fit(self, train, validation=None):
        """Train for config.epochs epochs (resuming from the latest checkpoint); return the history.

        Returns:
            A list with one dict per epoch trained in this call: `epoch`, `loss`, each metric,
            `val_*` when validation data is given, and `seconds`.

        Raises:
            NonFiniteLossError: when a loss is NaN or infinite (the bad update is not applied).
            CheckpointError: when the checkpoints on disk cannot be used for this run.
        """
        config = self.config
        steps_per_epoch = math.ceil(len(train) / config.batch_size)
        total_steps = config.epochs * steps_per_epoch
        self._restore(len(train))
        x, y = tf.constant(train.x), tf.constant(train.y)
        history = []
        epoch_seconds = 0.0
        while int(self.step) < total_steps:
            epoch, first = divmod(int(self.step), steps_per_epoch)
            last = self._chunk_end(first, steps_per_epoch)
            started = time.perf_counter()
            sums = self._train_steps(x, y, self._epoch_order(epoch, len(train)),
                                     tf.constant(first, tf.int64), tf.constant(last, tf.int64))
            epoch_seconds += time.perf_counter() - started
            if not bool(sums["finite"]):
                self._stop_on_non_finite(float(sums["bad_loss"]), epoch)
            means = self._means(sums)
            self._log_scalars("train", means)
            self._progress(epoch, int(self.step) - epoch * steps_per_epoch, steps_per_epoch, means)
            if int(self.step) % steps_per_epoch == 0:
                record = {"epoch": epoch + 1, **means, "seconds": round(epoch_seconds, 3)}
                if validation is not None:
                    val = self.evaluate(validation)
                    self._log_scalars("validation", val)
                    record.update({f"val_{name}": value for name, value in val.items()})
                history.append(record)
                epoch_seconds = 0.0
                self._print_epoch(record)
                self._save()
            elif config.checkpoint_every and int(self.step) % config.checkpoint_every == 0:
                self._save()
        return history

    # -- helpers -------------------------------------------------------------------------------

    def _epoch_order(self, epoch, num_examples):
        if not self.config.shuffle:
            return tf.range(num_examples)
        seed = tf.constant([self.config.seed, epoch], tf.int64)
        return tf.random.experimental.stateless_shuffle(tf.range(num_examples), seed=seed)

    def _chunk_end(self, first, steps_per_epoch):
        last = steps_per_epoch
        if self.config.steps_per_call:
            last = min(last, first + self.config.steps_per_call)
        every = self.config.checkpoint_every
        if every:
            step = int(self.step)
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

    def _save(self):
        if self.checkpointer is not None:
            self.checkpointer.save(self.step.numpy())

    def _stop_on_non_finite(self, bad_loss, epoch):
        kept = self.checkpointer.latest if self.checkpointer is not None else None
        raise NonFiniteLossError(
            f"The training loss became {bad_loss} at step {int(self.step) + 1} (epoch {epoch + 1}); training "
            f"stopped before applying that update. Last good checkpoint: {kept or 'none (no workdir)'}. "
            "Try a smaller learning rate, or check the inputs for NaN or huge values.")

    def _log_scalars(self, prefix, values):
        if self._writer is not None:
            with self._writer.as_default(step=int(self.step)):
                for name, value in values.items():
                    tf.summary.scalar(f"{prefix}/{name}", value)

    def _progress(self, epoch, done, steps_per_epoch, means):
        if self.config.verbose and done < steps_per_epoch:
            text = " ".join(f"{name} {value:.4f}" for name, value in means.items())
            print(f"\repoch {epoch + 1}/{self.config.epochs} step {done}/{steps_per_epoch} {text}",
                  end="", file=sys.stderr, flush=True)

    def _print_epoch(self, record):
        if self.config.verbose:
            text = " ".join(f"{k} {v:.4f}" for k, v in record.items() if k not in ("epoch", "seconds"))
            print(f"\repoch {record['epoch']}/{self.config.epochs} {text} ({record['seconds']:.1f}s)",
                  file=sys.stderr, flush=True)
