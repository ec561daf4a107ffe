"""Problem 5.2: RTRL against BPTT: exact agreement of the gradients, online learning of the copy task
beyond TBPTT's truncation, SnAp-1's cheaper approximate gradient, and the measured time per step
of RTRL and BPTT at a few hidden sizes. Writes q5_2.json and the cost plot.
(Larger sizes and peak memory: benchmarks/rtrl_cost.py.)"""

import dataclasses
import pathlib
import time

import keras
import numpy as np
import tensorflow as tf

from tfsheet import rtrl
from tfsheet.data import synthetic
from tfsheet.experiments.problem5_1 import rnn_predictions
from tfsheet.models.language_models import RNNLanguageModel, token_cross_entropy
from tfsheet.report.plots import plot_rtrl_cost
from tfsheet.results import write_results
from tfsheet.rtrl_cost import step_costs
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything
from tfsheet.training.distribution import outside_strategy
from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, stream_windows


@dataclasses.dataclass(frozen=True)
class Problem52Config:
    """Settings for Problem 5.2."""

    check_sizes: tuple = (4, 16, 32)          # hidden sizes n for the float64 agreement check
    check_lengths: tuple = (1, 10, 100)       # sequence lengths T
    distance: int = 16                        # copy-task distance L, four times the truncation
    truncation: int = 4                       # the TBPTT k that RTRL is compared with
    hidden_size: int = 32                     # online learners' state size (RTRL costs H^4 per step)
    streams: int = 16                         # parallel streams, one token each per update
    copy_length: int = 120_000                # training tokens of the copy task
    copy_vocab: int = 4
    learning_rate: float = 1e-3               # Adam
    snap_sizes: tuple = (8, 16, 32)           # gradient-quality check of SnAp-1
    cost_sizes: tuple = (8, 16, 32, 64, 128, 256)  # hidden sizes n timed per step (RTRL grows as n^4)
    seed: int = 0


PRESETS = {"quick": Problem52Config(check_sizes=(4, 8), check_lengths=(1, 10), distance=8, hidden_size=16,
                                    streams=8, copy_length=16_000, snap_sizes=(8,), cost_sizes=(8, 16, 32)),
           "default": Problem52Config(),
           "full": Problem52Config(copy_length=400_000, check_sizes=(4, 16, 32, 64), cost_sizes=(8, 16, 32, 64, 128, 256, 384))}


def _relative_error(got, want):
    return max(float(tf.reduce_max(tf.abs(g - w)) / (tf.reduce_max(tf.abs(w)) + 1e-300)) for g, w in zip(got, want))


def _random_problem(hidden_size, length, seed, vocab=5, batch=3):
    tf.keras.utils.set_random_seed(seed)
    model = RNNLanguageModel(vocab, hidden_size, dtype="float64")
    rng = np.random.default_rng(seed)
    return (model, rng.integers(0, vocab, (batch, length)), rng.integers(0, vocab, (batch, length)),
            rng.normal(scale=0.5, size=(batch, hidden_size)))


def gradient_agreement(config):
    rows = []
    for hidden_size in config.check_sizes:
        for length in config.check_lengths:
            for with_state in (False, True):
                model, inputs, targets, state = _random_problem(hidden_size, length, config.seed)
                state = state if with_state else None
                rtrl_loss, rtrl_grads = rtrl.rtrl_gradients(model, inputs, targets, state)
                bptt_loss, bptt_grads = rtrl.bptt_gradients(model, inputs, targets, state)
                rows.append({"n": hidden_size, "T": length, "initial_state": with_state,
                             "relative_error": _relative_error(rtrl_grads, bptt_grads),
                             "loss_difference": abs(float(rtrl_loss - bptt_loss))})
    return rows


def snap1_quality(config):
    rows = []
    for hidden_size in config.snap_sizes:
        model, inputs, targets, state = _random_problem(hidden_size, 50, config.seed)
        _, exact = rtrl.rtrl_gradients(model, inputs, targets, state)
        _, approximate = rtrl.snap1_gradients(model, inputs, targets, state)
        cell = [0, 1, 2]  # the recurrent parameters, where the approximation is (the readout is exact)
        a = np.concatenate([np.ravel(approximate[i]) for i in cell])
        e = np.concatenate([np.ravel(exact[i]) for i in cell])
        rows.append({"n": hidden_size, "cosine_similarity": float(a @ e / np.linalg.norm(a) / np.linalg.norm(e)),
                     "relative_error": float(np.linalg.norm(a - e) / np.linalg.norm(e))})
    return rows


def online_copy_task(config):
    """Copy task at distance L > k: RTRL and SnAp-1 online against TBPTT(k) with carried state."""
    vocab, streams, L = config.copy_vocab, config.streams, config.distance
    tokens, _ = synthetic.copy_task(config.copy_length, L, vocab, seed=config.seed)
    val_tokens, val_copy = synthetic.copy_task(20_000, L, vocab, seed=config.seed + 1)
    inputs, targets = language_model_pairs(tokens)
    val_inputs, val_targets = language_model_pairs(val_tokens)
    mask = val_copy[1:].copy()
    mask[:L + 1] = False
    learners = {"rtrl_online": (1, lambda model: rtrl.OnlineRTRL(model, streams)),
                "snap1_online": (1, lambda model: rtrl.OnlineRTRL(model, streams, "snap1")),
                f"tbptt_k{config.truncation}_carried": (config.truncation, lambda model: carried_state_gradients)}
    results = {"distance": L, "truncation": config.truncation, "chance_accuracy": 1 / vocab,
               "optimal_copy_nats": synthetic.copy_task_losses(vocab)["optimal"]}
    for name, (window, source) in learners.items():
        seed_everything(config.seed)
        model = RNNLanguageModel(vocab, config.hidden_size, streams=streams)
        x, y = stream_windows(inputs, targets, streams, window)
        started = time.perf_counter()
        Trainer(model, token_cross_entropy, keras.optimizers.Adam(config.learning_rate),
                TrainConfig(epochs=1, batch_size=streams, shuffle=False, seed=config.seed, verbose=False),
                gradients=source(model), name=name).fit(ArrayData(x, y))
        seconds = time.perf_counter() - started
        log_probs, predicted = rnn_predictions(model, val_inputs, val_targets)
        results[name] = {"copy_accuracy": float(np.mean(predicted[mask] == val_targets[mask])),
                         "copy_nats": float(-np.mean(log_probs[mask])), "train_seconds": round(seconds, 1),
                         "updates": len(x) // streams}
    return results


def run(config, workdir):
    workdir = pathlib.Path(workdir)
    started = time.perf_counter()
    # The float64 checks and the timings are analysis, not training: under a strategy they run as on one device.
    results = {"agreement": outside_strategy(gradient_agreement, config),
               "snap1": outside_strategy(snap1_quality, config),
               "online": online_copy_task(config), "cost": outside_strategy(step_costs, config.cost_sizes)}
    results["plot"] = str(plot_rtrl_cost(results["cost"]["rows"], results["cost"]["rows"],
                                         workdir / "q5_2_cost_vs_n.png"))
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    write_results(workdir / "q5_2.json", "problem5_2", config, results)
    return results
