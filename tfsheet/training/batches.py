"""Which examples each training step sees, on one device or split across replicas: the engine's only batching rule.

    steps per epoch    ceil(N / B): the last batch holds the N mod B examples left over
                       (floor(N / B) when the caller asks to drop that partial batch)
    epoch order        order_e = a stateless shuffle of range(N) keyed by (seed, e), or range(N)
    step s of epoch e  the examples order_e[s B : min((s + 1) B, N)], a global batch of b <= B rows
    replica r of R     rows floor(r b / R) .. floor((r + 1) b / R) - 1 of that global batch

So the position in the data is a function of the step counter alone (a resumed run sees the same
batches), and R replicas together see exactly the batches one device sees, even when b is not a
multiple of R (their slices then differ by one row; a replica may get none when b < R).
"""

import math

import tensorflow as tf


def steps_per_epoch(num_examples, batch_size, drop_remainder=False):
    """ceil(N / B), or floor(N / B) with drop_remainder (which then needs N >= B)."""
    if not drop_remainder:
        return math.ceil(num_examples / batch_size)
    if num_examples < batch_size:
        raise ValueError(f"{num_examples} examples make no full batch of {batch_size}; with drop_remainder=True "
                         "a run needs at least one. Use a smaller batch_size or keep the partial batch.")
    return num_examples // batch_size


def epoch_order(num_examples, seed, epoch, shuffle=True):
    """The order of epoch `epoch`: a stateless shuffle of range(N) keyed by (seed, epoch), or range(N)."""
    if not shuffle:
        return tf.range(num_examples)
    key = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.random.experimental.stateless_shuffle(tf.range(num_examples), seed=key)


def batch_ids(order, step, batch_size):
    """The example ids of `step` within an epoch: order[s B : (s + 1) B], shorter for the last step."""
    return order[step * batch_size:(step + 1) * batch_size]                       # (b,)


def replica_rows(total, replicas, replica_id):
    """(first, stop): the rows of a global batch of `total` rows that replica `replica_id` of `replicas` owns."""
    return total * replica_id // replicas, total * (replica_id + 1) // replicas
