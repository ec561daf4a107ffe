"""State kept per stream (TBPTT's carried state, RTRL's sensitivities), read and written per replica.

A variable of shape (B, ...) holds one row per stream. Under tf.distribute, replica r trains
streams r b .. (r + 1) b - 1 (the engine gives it that slice of each batch): it reads those rows,
and the replicas' new rows are all-gathered so every copy of the variable holds all B streams
again (the variable's aggregation is ONLY_FIRST_REPLICA: the copies agree). On one device both
are the plain read and write.
"""

import tensorflow as tf


def read_rows(variable, rows):
    """This replica's `rows` streams of `variable`, or of a (B, ...) tensor (rows = its slice of the batch)."""
    context = tf.distribute.get_replica_context()
    streams, replicas = variable.shape[0], context.num_replicas_in_sync
    if streams % replicas:
        raise ValueError(f"State kept per stream needs the streams split evenly over the replicas. Received: "
                         f"{streams} streams on {replicas} replicas; use a multiple of {replicas} streams.")
    first = context.replica_id_in_sync_group * (streams // replicas)
    return variable[first:first + rows]


def write_rows(variable, value):
    """Write this replica's rows `value`; every replica's rows land in every copy."""
    variable.assign(tf.distribute.get_replica_context().all_gather(value, axis=0))
