"""Small benchmark helpers: medians of repeats, this machine's float32 matmul ceiling, a table."""

import statistics
import time

import keras
import numpy as np
import tensorflow as tf


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch of model.fit, in seconds."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def median(values):
    return statistics.median(values)


def matmul_ceiling_flops(size=2048, repeats=7):
    """FLOP/s of a large float32 matmul on this machine: the ceiling a dense model can approach."""
    a = tf.random.normal([size, size])
    b = tf.random.normal([size, size])
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    matmul().numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        matmul().numpy()
        times.append(time.perf_counter() - started)
    return 2 * size ** 3 / median(times)


def dense_training_flops_per_example(layer_sizes):
    """Matmul FLOPs per training example of a dense net, 2 per multiply-add.

    Each weight matrix costs one multiply-add in the forward pass and one for its gradient; every
    layer but the first also back-propagates to its input (the pixels need no gradient).
    """
    weights = [int(np.prod(pair)) for pair in zip(layer_sizes[:-1], layer_sizes[1:])]
    return 2 * (2 * weights[0] + 3 * sum(weights[1:]))


def print_table(rows, columns):
    """Rows of dicts as aligned columns; a row without a column shows "-"."""
    widths = [max(len(str(column)), *(len(_format(row.get(column, "-"))) for row in rows)) for column in columns]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(_format(row.get(c, "-")).ljust(w) for c, w in zip(columns, widths)))


def _format(value):
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)
