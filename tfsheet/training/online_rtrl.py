"""Truly online learning through the shared engine: RTRL, SnAp-1 or UORO advancing every stream one
token per update (tfsheet.training.rtrl and tfsheet.training.uoro compute each step's gradient)."""

import tensorflow as tf

from tfsheet.training import uoro
from tfsheet.training.rtrl import check_sequence_problem, rtrl_step, snap1_step, zero_sensitivities
from tfsheet.training.stream_state import read_rows, write_rows


class OnlineRTRL(tf.Module):
    """A gradient source for the shared engine that learns truly online by RTRL, SnAp-1 or UORO.

    Feed the engine windows of one step (`stream_windows(..., window=1)`, shuffle=False, batch = streams):
    each engine step advances every stream by one token, updates the carried state (the model's
    `carried_state`) and the sensitivities (variables of this module, which the engine checkpoints
    with the model) and returns that step's gradient, which the optimizer applies at once. No
    truncation, no stored history; the price is that the sensitivities were computed with the
    parameters of earlier steps (stale when parameters move).

    Args:
        approximation: None (exact RTRL), "snap1" (tfsheet.training.rtrl.snap1_step) or "uoro"
            (tfsheet.training.uoro, whose random signs follow from `seed` and the step).
    """

    APPROXIMATIONS = (None, "snap1", "uoro")

    def __init__(self, model, streams, approximation=None, seed=0):
        super().__init__(name="online_rtrl")
        if approximation not in self.APPROXIMATIONS:
            raise ValueError(f"approximation must be one of {self.APPROXIMATIONS}. "
                             f"Received: approximation={approximation!r}")
        check_sequence_problem(model, tf.zeros([streams, 1], tf.int32), tf.zeros([streams, 1], tf.int32), None)
        if model.streams != streams:
            raise ValueError(f"the model carries {model.streams} streams; build it with streams={streams}")
        self.approximation, self.seed = approximation, seed
        if approximation == "uoro":
            self.step = lambda model, token, target, h, estimate: uoro.uoro_step(
                model, token, target, h, estimate, read_rows(uoro.signs(
                    self.seed, self.calls, [streams, model.hidden_size], h.dtype), tf.shape(h)[0]))
            initial = uoro.zero_estimate(model, streams)
        elif approximation == "snap1":
            self.step = snap1_step
            H, V = model.hidden_size, model.vocab_size
            initial = [tf.zeros(shape, model.compute_dtype) for shape in ([streams, H, V], [streams, H, H],
                                                                           [streams, H])]
        else:
            self.step = rtrl_step
            initial = zero_sensitivities(model, streams)
        self.sensitivities = [tf.Variable(value, trainable=False, name=f"sensitivity_{i}",
                                          aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
                              for i, value in enumerate(initial)]
        self.calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="calls",
                                 aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

    def __call__(self, model, loss, x, y):
        """One online step for this replica's streams (all of them on one device; tfsheet.training.stream_state)."""
        rows = tf.shape(x)[0]
        batch = tf.cast(rows, model.compute_dtype)
        step_loss, grads, h_next, sensitivities = self.step(
            model, x[:, 0], y[:, 0], read_rows(model.carried_state, rows),
            tuple(read_rows(s, rows) for s in self.sensitivities))
        write_rows(model.carried_state, h_next)
        for variable, value in zip(self.sensitivities, sensitivities):
            write_rows(variable, value)
        self.calls.assign_add(1)
        return step_loss / batch, [grads[id(v)] / batch for v in model.trainable_variables], h_next
