"""Choosing and setting up a tf.distribute strategy for the training engine.

    default       one device; the engine's fastest path (no strategy machinery at all)
    mirrored      MirroredStrategy: every local GPU, or N logical CPU devices (for testing on a CPU)
    multi-worker  MultiWorkerMirroredStrategy: one process per worker, each told the cluster and its
                  own place in it by the standard TF_CONFIG environment variable

The name comes from a flag (`--strategy`) or the setting TFSHEET_STRATEGY; TFSHEET_LOGICAL_CPUS=N
splits the CPU into N logical devices before TensorFlow starts (mirrored on a CPU-only machine).
The strategy is made once, by the command line, and passed down explicitly (tfsheet.training.runtime);
models and optimizers are created inside `strategy.scope()`.

Multi-worker runs share one checkpoint folder: every worker must call save (the save is a
collective), but only the chief's files are kept (tfsheet.training.checkpoints).
"""

import json
import math
import os
import subprocess
import sys

import tensorflow as tf

from tfsheet import console
from tfsheet.addresses import is_host_port
from tfsheet.errors import TfsheetError
from tfsheet.choices import STRATEGIES
from tfsheet.settings import strategy_name

LOGICAL_CPUS_ENV = "TFSHEET_LOGICAL_CPUS"
WORKER_TIMEOUT_ENV = "TFSHEET_WORKER_TIMEOUT"
MAX_WORKER_TIMEOUT = 86_400     # seconds; a longer wait for a worker to start is a slip, not a plan
MAX_LOGICAL_CPUS = 64      # replicas of one CPU beyond this only add copies and collectives


class WorkerStartupError(TfsheetError):
    """The workers of a multi-worker run could not all be reached in time."""


def split_cpu(count):
    """Make `count` logical CPU devices; must run before TensorFlow initialises its devices."""
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"the number of logical CPUs must be an int >= 1. Received: {count!r}")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError as error:
        if len(tf.config.list_logical_devices("CPU")) != count:
            raise TfsheetError(f"Cannot split the CPU into {count} logical devices: TensorFlow has already started "
                               f"({error}). Set {LOGICAL_CPUS_ENV}={count} before the process starts.") from None


def logical_cpus():
    """$TFSHEET_LOGICAL_CPUS (default 2): how many logical CPU devices "mirrored" makes on a CPU-only machine."""
    text = os.environ.get(LOGICAL_CPUS_ENV, "2")
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_LOGICAL_CPUS:
        raise TfsheetError(f"{LOGICAL_CPUS_ENV} must be a whole number from 1 to {MAX_LOGICAL_CPUS} (the logical CPUs "
                           f"to mirror over). Received: {text!r}")
    return count


def worker_timeout_seconds(worker_timeout=None):
    """`worker_timeout`, else $TFSHEET_WORKER_TIMEOUT, else 120: seconds to wait for every worker; > 0, at most a day."""
    value = worker_timeout if worker_timeout is not None else os.environ.get(WORKER_TIMEOUT_ENV, "").strip() or "120"
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 < seconds <= MAX_WORKER_TIMEOUT:
        where = "the timeout" if worker_timeout is not None else WORKER_TIMEOUT_ENV
        raise TfsheetError(f"{where} must be a number of seconds > 0 and at most {MAX_WORKER_TIMEOUT} (a day). "
                           f"Received: {value!r}")
    return seconds


def make_strategy(name=None, worker_timeout=None):
    """The strategy called `name` (default: $TFSHEET_STRATEGY, else "default").

    For "mirrored" on a machine without GPUs, $TFSHEET_LOGICAL_CPUS (default 2) logical CPU devices
    are made and mirrored over. For "multi-worker", TF_CONFIG must describe the cluster; the call
    then waits until every worker is reachable, and after `worker_timeout` seconds (default:
    $TFSHEET_WORKER_TIMEOUT, else 120) ends with a clear error instead of hanging
    (see multi_worker_strategy).
    """
    name = strategy_name(name)
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; valid strategies: {', '.join(STRATEGIES)}")
    if name == "default":
        if tf.distribute.has_strategy():
            raise TfsheetError("make_strategy('default') was called inside another strategy's scope.")
        return tf.distribute.get_strategy()
    if name == "mirrored":
        if not tf.config.list_physical_devices("GPU"):
            split_cpu(logical_cpus())
            return tf.distribute.MirroredStrategy([device.name for device in tf.config.list_logical_devices("CPU")])
        return tf.distribute.MirroredStrategy()
    return multi_worker_strategy(worker_timeout)


def cluster_spec():
    """(cluster dict, task type, task index) from TF_CONFIG, checked; raises TfsheetError when unusable."""
    text = os.environ.get("TF_CONFIG", "").strip()
    if not text:
        raise TfsheetError("The multi-worker strategy needs TF_CONFIG, e.g. "
                           '{"cluster": {"worker": ["host0:12345", "host1:12345"]}, '
                           '"task": {"type": "worker", "index": 0}}, set differently on each worker.')
    try:
        config = json.loads(text)
        cluster, task = config["cluster"], config["task"]
        task_type, index = task["type"], task["index"]
        if not isinstance(cluster, dict) or not all(
                isinstance(addresses, list) and addresses and all(isinstance(a, str) and a for a in addresses)
                for addresses in cluster.values()):
            raise ValueError('"cluster" must map each task type to a list of "host:port" strings')
        every = [address for addresses in cluster.values() for address in addresses]
        strange = [address for address in every if not is_host_port(address)]
        if strange:
            raise ValueError(f"every task's address must be host:port with a port in 1..65535; these are not: "
                             f"{strange}")
        if len(set(every)) != len(every):
            raise ValueError(f"every task needs its own host:port; the cluster repeats one: {every}")
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValueError(f'the task\'s "index" must be an int. Received: {index!r}')
        if task_type not in cluster or not 0 <= index < len(cluster[task_type]):
            raise ValueError(f"task {task_type}:{index} is not in the cluster {cluster}")
    except (ValueError, KeyError, TypeError) as error:
        reason = f"it has no {error.args[0]!r} entry" if isinstance(error, KeyError) else str(error)
        raise TfsheetError(f"TF_CONFIG is not a usable cluster description ({reason}): {text}") from None
    return cluster, task_type, index


_WATCHDOG = """
import os, signal, sys, time
parent, deadline, message = int(sys.argv[1]), time.monotonic() + float(sys.argv[2]), sys.argv[3]
while time.monotonic() < deadline:
    time.sleep(0.2)
    try:
        os.kill(parent, 0)
    except OSError:
        sys.exit(0)
sys.stderr.write(message + "\\n")
sys.stderr.flush()
os.kill(parent, signal.SIGKILL)
"""


def multi_worker_strategy(worker_timeout=None):
    """MultiWorkerMirroredStrategy from TF_CONFIG, once every worker has answered an all-reduce.

    Making the strategy blocks inside TensorFlow (holding Python's lock, with TensorFlow's own
    SIGTERM handler installed) until the whole cluster has connected. So a watchdog process waits
    beside it: if the workers are not all there within the timeout, it prints which cluster could
    not be reached and how to fix it, and kills this process (exit status 137) instead of leaving
    it hanging.
    """
    cluster, _, _ = cluster_spec()
    timeout = worker_timeout_seconds(worker_timeout)
    workers = ", ".join(f"{kind}:{index} at {address}" for kind, addresses in cluster.items()
                        for index, address in enumerate(addresses))
    message = (f"tfsheet: error: {WorkerStartupError.__name__}: not every worker of the cluster ({workers}) could be "
               f"reached within {timeout:g} s. Start all workers with their own TF_CONFIG, check the addresses and "
               f"ports, or raise {WORKER_TIMEOUT_ENV}.")
    watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(timeout), message],
                                stdin=subprocess.DEVNULL, stderr=console.real_stderr())
    try:
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(lambda: tf.constant(1.0)), axis=None)
    except Exception as error:  # noqa: BLE001 - a collective that timed out or a worker that failed
        raise WorkerStartupError(f"{message.split(': ', 2)[2]} ({type(error).__name__}: "
                                 f"{(str(error).splitlines() or [''])[0]})") from None
    finally:
        watchdog.kill()
        watchdog.wait()
    return strategy


def is_distributed(strategy):
    """Whether `strategy` is a real tf.distribute strategy, not the default one-device strategy."""
    return not type(strategy).__name__.startswith("_Default")


def describe(strategy):
    """The strategy in a few words: "MirroredStrategy x 2" (replicas), or "default x 1" for one device."""
    name = type(strategy).__name__ if is_distributed(strategy) else "default"
    return f"{name} x {strategy.num_replicas_in_sync}"


def _task(strategy):
    """(cluster dict, task type, task index) of a strategy that spans a cluster, else None."""
    resolver = getattr(strategy, "cluster_resolver", None)
    cluster = resolver.cluster_spec().as_dict() if resolver is not None else {}
    return (cluster, resolver.task_type, resolver.task_id) if cluster else None


def is_chief(strategy):
    """True in a single-process run, and on the chief (or worker 0 when there is no chief) of a cluster."""
    task = _task(strategy)
    if task is None:
        return True
    cluster, task_type, task_id = task
    return task_type == "chief" or (task_type == "worker" and task_id == 0 and "chief" not in cluster)


def task_name(strategy):
    """"worker0", "worker1", ... in a cluster; "single" in a one-process run."""
    task = _task(strategy)
    return "single" if task is None else f"{task[1]}{task[2]}"


def spans_workers(strategy):
    """Whether the strategy's replicas live in more than one process."""
    task = _task(strategy)
    return task is not None and sum(len(tasks) for tasks in task[0].values()) > 1
