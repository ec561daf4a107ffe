"""State kept per stream is read and written per replica: each replica its own rows, every copy all rows."""

import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from tfsheet.training.stream_state import read_rows, write_rows


def test_on_one_device_rows_are_a_plain_read_and_write():
    state = tf.Variable(np.arange(8, dtype=np.float32).reshape(4, 2))
    np.testing.assert_array_equal(read_rows(state, 2), [[0, 1], [2, 3]])
    write_rows(state, tf.ones([4, 2]))
    np.testing.assert_array_equal(state.numpy(), np.ones([4, 2]))


TWO_REPLICAS = """
import numpy as np, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from tfsheet.training.stream_state import read_rows, write_rows
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    state = tf.Variable(np.zeros([STREAMS, 2], np.float32), aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

@tf.function
def step():
    def replica_step():
        rows = read_rows(state, STREAMS // 2)
        replica = tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.float32)
        write_rows(state, rows + replica + 1.0)
    strategy.run(replica_step)

try:
    step()
except ValueError as error:
    print("ValueError:", error)
for copy in strategy.experimental_local_results(state):
    print(copy.numpy().tolist())
"""


def _on_two_replicas(streams):
    """The stdout of TWO_REPLICAS run with `streams` streams in a fresh process (logical devices are set at start)."""
    completed = subprocess.run([sys.executable, "-c", TWO_REPLICAS.replace("STREAMS", str(streams))],
                               capture_output=True, text=True, timeout=300,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_each_replica_reads_its_own_streams_and_the_writes_land_in_every_copy():
    # replica 0 owns streams 0 and 1 (+1), replica 1 streams 2 and 3 (+2); every copy holds all four
    lines = _on_two_replicas(4).splitlines()
    assert lines == [str([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0]])] * 2


def test_streams_that_do_not_split_evenly_over_the_replicas_are_refused():
    assert "use a multiple of 2 streams" in _on_two_replicas(3)
