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

Under a tf.distribute strategy (a Trainer made inside `strategy.scope()`, or given `strategy=`) the
same loop runs as a custom distributed loop: each worker's input pipeline comes from
`distribute_datasets_from_function` and holds its replicas' slices of every global batch (the
same global batches as on one device); each replica's gradient is scaled by its share of the
global batch, b / B, so the optimizer's all-reduce sum is the global mean; losses and metrics are
summed across replicas. A last partial batch is dropped (every replica needs its equal slice).
On SIGTERM (preemption) a run with a workdir stops after the current compiled call, every worker
agreeing, saves a checkpoint and raises `Preempted`; keep calls short with `checkpoint_every` or
`steps_per_call` when epochs are long.
"""

import dataclasses
import math
import pathlib
import sys
import time

import numpy as np
import tensorflow as tf

from tfsheet.errors import CheckpointError, NonFiniteLossError, Preempted
from tfsheet.training import distribution, run_logs
from tfsheet.training.checkpoints import Checkpointer
from tfsheet.training.preemption import PreemptionWatcher
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
        strategy: a tf.distribute strategy; by default the one whose scope is open (none: one
            device). The model and the optimizer must have been created inside its scope.
    """

    def __init__(self, model, loss, optimizer, config=TrainConfig(), *, metrics=None,
                 gradients=autodiff_gradients, workdir=None, name=None, strategy=None):
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.config = config
        self.metrics = dict(metrics or {})
        self.gradients = gradients
        self.strategy = strategy or tf.distribute.get_strategy()
        self.distributed = tf.distribute.has_strategy() if strategy is None else True
        if self.distributed:
            self._check_distributed(model, optimizer)
        with self.strategy.scope():
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step",
                                    aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            self._data_shape = tf.Variable([0, 0], dtype=tf.int64, trainable=False, name="data_shape",
                                           aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            self.optimizer.build(model.trainable_variables)
        self.chief = distribution.is_chief(self.strategy)
        self.workdir = pathlib.Path(workdir) if workdir is not None else None
        self.checkpointer = None
        self._writer = None
        if self.workdir is not None:
            carried = {"gradient_state": gradients} if isinstance(gradients, tf.Module) else {}
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=self.step,
                                             data_shape=self._data_shape, rng=seed_generator_states(model), **carried)
            self.checkpointer = Checkpointer(checkpoint, self.workdir / "checkpoints", config.keep_checkpoints,
                                             chief=self.chief)
        logs = run_logs.log_dir(name or model.name, self.workdir) if self.chief else None
        if logs is not None:
            self._writer = tf.summary.create_file_writer(str(logs))
        if self.distributed:
            self._train_steps = tf.function(self._distributed_steps_impl)
        else:
            self._train_steps = tf.function(self._train_steps_impl, jit_compile=config.jit_compile)
        self._eval_sums = tf.function(self._eval_sums_impl)

    def _check_distributed(self, model, optimizer):
        """Refuse, with the fix, a model or optimizer created outside the strategy's scope."""
        created_here = getattr(optimizer, "_distribution_strategy", self.strategy) is self.strategy
        if not created_here:
            raise ValueError("The optimizer was created outside the strategy's scope; create it (and the model) "
                             "inside `with strategy.scope():` so its slots are mirrored on every replica.")
        if any(not self.strategy.extended.variable_created_in_scope(getattr(v, "value", v))
               for v in model.trainable_variables):
            raise ValueError("The model's variables were created outside the strategy's scope; build the model "
                             "inside `with strategy.scope():`.")
        if self.config.batch_size % self.strategy.num_replicas_in_sync:
            raise ValueError(f"batch_size {self.config.batch_size} does not split evenly over "
                             f"{self.strategy.num_replicas_in_sync} replicas; use a multiple of the replica count.")

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

    def _replica_gradients(self, batch):
        """One replica's part of a step: its loss, its share of the gradient, and its sums."""
        x, y = batch
        loss, grads, outputs = self.gradients(self.model, self.loss, x, y)
        local = tf.cast(tf.shape(x)[0], tf.float32)
        share = local / self.config.batch_size          # b / B: the all-reduce sum is the global mean
        grads = [None if g is None else g * tf.cast(share, g.dtype) for g in grads]
        loss = tf.cast(loss, tf.float32)
        bad = tf.cast(tf.logical_not(tf.math.is_finite(loss)), tf.float32)
        sums = tf.concat([[loss * local, local, bad], self._metric_values(y, outputs)], axis=0)
        return sums, grads

    def _apply(self, grads):
        self.optimizer.apply(grads, self.model.trainable_variables)

    def _distributed_steps_impl(self, iterator, count):
        """`count` steps from a distributed iterator; stop before applying a non-finite loss anywhere."""
        totals = tf.zeros([3 + len(self.metrics)])
        finite = tf.constant(True)
        bad_loss = tf.constant(0.0)
        for _ in tf.range(count):
            per_replica, grads = self.strategy.run(self._replica_gradients, args=(next(iterator),))
            sums = self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)
            if sums[2] > 0:
                finite = tf.constant(False)
                bad_loss = sums[0]
                break
            self.strategy.run(self._apply, args=(grads,))   # outside control flow in the replica function
            self.step.assign_add(1)
            totals += sums
        return {"loss_sum": totals[0], "metric_sums": totals[3:], "count": totals[1],
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
        steps_per_epoch = self._steps_per_epoch(len(train))
        total_steps = config.epochs * steps_per_epoch
        self._restore(len(train))
        if self.distributed:
            iterator = iter(self._distributed_batches(train, self._current_step(), steps_per_epoch))
        else:
            x, y = tf.constant(train.x), tf.constant(train.y)
        history = []
        epoch_seconds = 0.0
        with PreemptionWatcher(self.strategy, enabled=self.checkpointer is not None) as preemption:
            while self._current_step() < total_steps:
                epoch, first = divmod(self._current_step(), steps_per_epoch)
                last = self._chunk_end(first, steps_per_epoch)
                started = time.perf_counter()
                if self.distributed:
                    sums = self._train_steps(iterator, tf.constant(last - first, tf.int64))
                else:
                    sums = self._train_steps(x, y, self._epoch_order(epoch, len(train)),
                                             tf.constant(first, tf.int64), tf.constant(last, tf.int64))
                epoch_seconds += time.perf_counter() - started
                if not bool(sums["finite"]):
                    self._stop_on_non_finite(float(sums["bad_loss"]), epoch)
                record = self._after_call(sums, epoch, steps_per_epoch, epoch_seconds, validation)
                if record is not None:
                    history.append(record)
                    epoch_seconds = 0.0
                if preemption.requested():
                    self._save()
                    raise Preempted(f"Stopped by SIGTERM at step {self._current_step()}; the checkpoint "
                                    f"{self.checkpointer.latest if self.checkpointer else '(none: no workdir)'} "
                                    "holds it. Run the same command again to resume.")
        return history

    def _after_call(self, sums, epoch, steps_per_epoch, epoch_seconds, validation):
        """Log and checkpoint after a compiled call; return the epoch's record when the epoch ended."""
        means = self._means(sums)
        self._log_scalars("train", means)
        self._progress(epoch, self._current_step() - epoch * steps_per_epoch, steps_per_epoch, means)
        if self._current_step() % steps_per_epoch == 0:
            record = {"epoch": epoch + 1, **means, "seconds": round(epoch_seconds, 3)}
            if validation is not None:
                val = self.evaluate(validation)
                self._log_scalars("validation", val)
                record.update({f"val_{name}": value for name, value in val.items()})
            self._print_epoch(record)
            self._save()
            return record
        if self.config.checkpoint_every and self._current_step() % self.config.checkpoint_every == 0:
            self._save()
        return None

    def _current_step(self):
        return int(self.step.numpy())

    def _steps_per_epoch(self, num_examples):
        if not self.distributed:
            return math.ceil(num_examples / self.config.batch_size)
        if num_examples < self.config.batch_size:
            raise ValueError(f"{num_examples} examples make no full batch of {self.config.batch_size}; a distributed "
                             "run needs at least one.")
        return num_examples // self.config.batch_size

    def _distributed_batches(self, train, start_step, steps_per_epoch):
        """Every remaining step's global batch, each worker's pipeline holding its replicas' slices.

        Global batch s of epoch e is order(e)[s B:(s + 1) B], cut into R slices of b = B / R; worker w
        (of W) keeps slices w R/W .. (w + 1) R/W - 1, in replica order, so the replicas together see
        exactly the batch one device would. The pipeline starts at `start_step` (a resumed run).
        """
        batch, replicas = self.config.batch_size, self.strategy.num_replicas_in_sync
        per_replica = batch // replicas
        first_epoch, first_step = divmod(start_step, steps_per_epoch)
        x, y = tf.constant(train.x), tf.constant(train.y)

        def worker_pipeline(context):
            local = replicas // context.num_input_pipelines
            mine = slice(context.input_pipeline_id * local, (context.input_pipeline_id + 1) * local)

            def epoch_slices(epoch):
                order = self._epoch_order(epoch, len(train))[:steps_per_epoch * batch]
                slices = tf.reshape(order, [steps_per_epoch, replicas, per_replica])[:, mine]
                return tf.data.Dataset.from_tensor_slices(tf.reshape(slices, [-1, per_replica]))

            epochs = tf.data.Dataset.range(first_epoch, self.config.epochs)
            ids = epochs.flat_map(epoch_slices).skip(first_step * local)
            return ids.map(lambda rows: (tf.gather(x, rows), tf.gather(y, rows))).prefetch(2 * local)

        return self.strategy.distribute_datasets_from_function(worker_pipeline)

    # -- helpers -------------------------------------------------------------------------------

    def _epoch_order(self, epoch, num_examples):
        if not self.config.shuffle:
            return tf.range(num_examples)
        seed = tf.stack([tf.constant(self.config.seed, tf.int64), tf.cast(epoch, tf.int64)])
        return tf.random.experimental.stateless_shuffle(tf.range(num_examples), seed=seed)

    def _chunk_end(self, first, steps_per_epoch):
        last = steps_per_epoch
        if self.config.steps_per_call:
            last = min(last, first + self.config.steps_per_call)
        every = self.config.checkpoint_every
        if every:
            step = self._current_step()
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
            self.checkpointer.save(self._current_step())

    def _stop_on_non_finite(self, bad_loss, epoch):
        kept = self.checkpointer.latest if self.checkpointer is not None else None
        raise NonFiniteLossError(
            f"The training loss became {bad_loss} at step {self._current_step() + 1} (epoch {epoch + 1}); training "
            f"stopped before applying that update. Last good checkpoint: {kept or 'none (no workdir)'}. "
            "Try a smaller learning rate, or check the inputs for NaN or huge values.")

    def _log_scalars(self, prefix, values):
        if self._writer is not None:
            with self._writer.as_default(step=self._current_step()):
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
