"""SIGTERM as a request to stop at the next safe point, with a checkpoint, instead of dying mid-step.

Cluster schedulers (and `kill`) send SIGTERM some seconds before they kill a process. While a
PreemptionWatcher is active, SIGTERM only sets a flag; the engine looks at it between compiled
calls, saves a checkpoint and stops. In a multi-worker run the workers agree first (an all-reduce
of their flags), so all of them stop, and save, at the same step: the role
tf.distribute.experimental.PreemptionCheckpointHandler plays for Keras's own loops.
"""

import signal
import threading

import tensorflow as tf

from tfsheet.training.distribution import spans_workers


class PreemptionWatcher:
    """`with PreemptionWatcher(strategy) as watcher: ... if watcher.requested(): save and stop`.

    With enabled=False (a run with nothing to save) SIGTERM keeps its usual effect.
    """

    def __init__(self, strategy, enabled=True):
        self.strategy = strategy
        self.enabled = enabled
        self._flag = False
        self._previous = None
        self._vote = None

    def _handle(self, signum, frame):
        self._flag = True

    def __enter__(self):
        if self.enabled and threading.current_thread() is threading.main_thread():   # signals reach the main thread
            self._previous = signal.signal(signal.SIGTERM, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
            self._previous = None
        return False

    def requested(self):
        """Whether to stop now: this process got SIGTERM, or (multi-worker) any worker did."""
        if not self.enabled or not spans_workers(self.strategy):
            return self._flag
        if self._vote is None:
            @tf.function
            def vote(flag):
                votes = self.strategy.run(lambda: tf.identity(flag))
                return self.strategy.reduce(tf.distribute.ReduceOp.SUM, votes, axis=None)

            self._vote = vote
        return float(self._vote(tf.constant(float(self._flag)))) > 0

