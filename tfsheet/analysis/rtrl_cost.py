"""Measured cost of one RTRL step and of BPTT per step, for Q5.2's complexity answer.

Theory (n hidden units, T steps, tanh RNN): RTRL carries the sensitivities dh/dθ, an n x n^2
tensor for the recurrent weights, and updates them every step with the n x n Jacobian,
an O(n^4) contraction, whatever T; memory O(n^3). BPTT costs O(n^2) per step and keeps the T
states for its backward pass, O(T n) memory. The timings here are medians of a few repeats of
compiled calls; the benchmark (benchmarks/rtrl_cost.py) adds larger sizes and peak memory.
"""

import statistics
import time

import numpy as np
import tensorflow as tf

from tfsheet.training import rtrl
from tfsheet.models.language_models import RNNLanguageModel

VOCAB = 4


def time_call(function, repeats):
    """Median seconds of `repeats` calls of `function`, after one untimed call (tracing, warm-up)."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rtrl_step_seconds(n, repeats):
    """One exact RTRL step (forward, Jacobian, sensitivity update, gradient) at hidden size n, batch 1."""
    model = RNNLanguageModel(VOCAB, n)
    step = tf.function(lambda token, target, h, sens: rtrl.rtrl_step(model, token, target, h, sens))
    sensitivities = rtrl.zero_sensitivities(model, 1)
    token, target, h = tf.constant([1]), tf.constant([2]), model.zero_state(1)
    return time_call(lambda: [t.numpy() for t in step(token, target, h, sensitivities)[2:3]], repeats)


def contraction_seconds(n, repeats):
    """The n x n by n x n x n contraction at the heart of an RTRL step: its floor."""
    W = tf.random.normal([n, n])
    P = tf.random.normal([1, n, n, n])
    contraction = tf.function(lambda: tf.einsum("ij,bjkl->bikl", W, P))
    return time_call(lambda: contraction().numpy(), repeats)


def bptt_step_seconds(n, length, repeats):
    """Seconds per time step of BPTT over a sequence of `length` tokens at hidden size n."""
    model = RNNLanguageModel(VOCAB, n)
    tokens = tf.constant(np.random.default_rng(0).integers(0, VOCAB, (1, length)), tf.int32)
    gradients = tf.function(lambda: rtrl.bptt_gradients(model, tokens, tokens)[1])
    return time_call(lambda: [g.numpy() for g in gradients()], repeats) / length


def sensitivity_mib(n, vocab=VOCAB):
    """Float32 MiB of RTRL's sensitivities dh/dθ for θ = (U: n x n, V: n x vocab, b: n)."""
    return 4 * (n ** 3 + n * n * vocab + n * n) / 2 ** 20


def rtrl_step_flops(n):
    """Floating-point operations of the contraction in one RTRL step: n^4 multiply-adds, 2 n^4 FLOPs. A step's
    arithmetic rate 2 n^4 / time still rising with n means fixed costs still hide the n^4 growth."""
    return 2 * n ** 4


def fitted_exponent(sizes, values):
    """The slope p of log(value) against log(size): value ~ size^p."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def step_costs(sizes, length=64, repeats=3):
    """Rows {n, rtrl_step_ms, contraction_ms, bptt_step_ms, sensitivity_mib, bptt_states_mib}, the exponents
    fitted over the larger half of the sizes (`fitted_over`), and the local exponent between each pair of
    neighbouring sizes (`local_exponents`), which shows whether the fit has reached its asymptote."""
    rows = []
    for n in sizes:
        row = {"n": n, "rtrl_step_ms": 1e3 * rtrl_step_seconds(n, repeats),
               "contraction_ms": 1e3 * contraction_seconds(n, repeats),
               "bptt_step_ms": 1e3 * bptt_step_seconds(n, length, repeats),
               "sensitivity_mib": sensitivity_mib(n), "bptt_states_mib": 4 * length * n / 2 ** 20}
        row["rtrl_gflops"] = rtrl_step_flops(n) / (row["rtrl_step_ms"] * 1e6)
        rows.append(row)
    large = rows[len(rows) // 2:] if len(rows) >= 4 else rows
    keys = ("rtrl_step_ms", "contraction_ms", "bptt_step_ms")
    exponents = {key: fitted_exponent([row["n"] for row in large], [row[key] for row in large]) for key in keys}
    local = [{"from": a["n"], "to": b["n"], **{key: fitted_exponent([a["n"], b["n"]], [a[key], b[key]]) for key in keys}}
             for a, b in zip(rows, rows[1:])]
    return {"rows": rows, "length": length, "fitted_over": [row["n"] for row in large], "exponents": exponents,
            "local_exponents": local}
