"""Problem 5.2: RTRL against BPTT: exact agreement of the gradients, online learning of the copy task
beyond TBPTT's truncation, the cheaper estimates SnAp-1 (biased) and UORO (unbiased, noisy) against
the exact gradient, and the measured time per step
of RTRL and BPTT at a few hidden sizes. (Larger sizes and peak memory: benchmarks/rtrl_cost.py.)

The float64 checks and the timings are analysis, not training: they run on one device whatever
the runtime's strategy; the online learners train under it."""

import time

import numpy as np
import tensorflow as tf

from tfsheet.analysis.rtrl_cost import step_costs
from tfsheet.data import synthetic
from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.results import seeded
from tfsheet.training import rtrl, seed_everything, uoro
from tfsheet.training.online_rtrl import OnlineRTRL
from tfsheet.training.language_models import rate_and_clipping_grid
from tfsheet.training.scoring import RecurrentScorer, copy_scores
from tfsheet.training.search import choose
from tfsheet.training.tbptt import (carried_state_gradients, language_model_pairs, reset_state_gradients,
                                    train_on_streams)




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


def uoro_quality(config):
    """UORO's estimate against exact RTRL: one estimate's cosine, and the mean of many (it is unbiased).

    For an unbiased estimator with per-sample covariance Σ, the mean of S samples misses the exact
    gradient g by E|mean - g|^2 = tr(Σ) / S, so S |mean - g|^2 / |g|^2 estimates the relative
    variance of one sample, tr(Σ) / |g|^2.
    """
    rows = []
    for hidden_size in config.snap_sizes:
        model, inputs, targets, state = _random_problem(hidden_size, 50, config.seed)
        _, exact = rtrl.rtrl_gradients(model, inputs, targets, state)
        single = [_cosine(_uoro_mean(model, inputs, targets, state, 1, seed), exact) for seed in range(8)]
        mean = _uoro_mean(model, inputs, targets, state, config.uoro_samples, config.seed)
        error = _recurrent(mean) - _recurrent(exact)
        relative = float(np.linalg.norm(error) / np.linalg.norm(_recurrent(exact)))
        rows.append({"n": hidden_size, "single_cosine_mean": float(np.mean(single)),
                     "single_cosine_values": single, "samples": config.uoro_samples,
                     "mean_cosine": _cosine(mean, exact), "mean_relative_error": relative,
                     "relative_variance": config.uoro_samples * relative ** 2})
    return rows


def _uoro_mean(model, inputs, targets, state, copies, seed):
    """The mean of `copies` independent UORO estimates (each sequence repeated, each copy its own signs)."""
    _, total = uoro.uoro_gradients(model, np.repeat(inputs, copies, 0), np.repeat(targets, copies, 0),
                                   np.repeat(state, copies, 0), seed=seed)
    return [g / copies for g in total]


def _recurrent(gradients):
    """The recurrent parameters' gradients (W_xh, W_hh, b_h) as one vector: where the estimators differ."""
    return np.concatenate([np.ravel(gradients[i]) for i in range(3)])


def _cosine(got, want):
    a, b = _recurrent(got), _recurrent(want)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def online_copy_task(config, runtime):
    """Copy task at distance L > k: RTRL, SnAp-1 and UORO online against TBPTT(k) and full BPTT.

    Every learner is trained for each seed of `online_seeds`, on the same stream of tokens, under two
    budgets: equal tokens (one pass: the online learners update once per token per stream, TBPTT(k)
    once per k tokens, full BPTT once per window of w = max(4L, 32)) and equal updates (TBPTT and
    full BPTT take k and w passes, so that they make as many updates as the online learners).
    Full BPTT back-propagates through whole windows of w steps from h = 0, so every copy inside a
    window gets its exact gradient; all learners are scored with the state carried over a held-out
    sequence, on the same copy positions. Each learner's learning rate and clipping are chosen first,
    on a separate validation sequence, by a grid search with a third of the tokens and the first seed.
    """
    vocab, streams, L, k = config.copy_vocab, config.streams, config.distance, config.truncation
    window = max(4 * L, 32)
    tokens, _ = synthetic.copy_task(config.copy_length, L, vocab, seed=config.seed)
    inputs, targets = language_model_pairs(tokens)
    test = _copy_positions(L, vocab, config.seed + 1)
    validation = _copy_positions(L, vocab, config.seed + 1000)
    carried, reset = (lambda model: carried_state_gradients), (lambda model: reset_state_gradients)
    learners = {  # name: (window, gradient source for (model, seed), passes)
        "rtrl_online": (1, lambda model, seed: OnlineRTRL(model, streams), 1),
        "snap1_online": (1, lambda model, seed: OnlineRTRL(model, streams, "snap1"), 1),
        "uoro_online": (1, lambda model, seed: OnlineRTRL(model, streams, "uoro", seed=seed), 1),
        f"tbptt_k{k}_carried": (k, lambda model, seed: carried(model), 1),
        f"tbptt_k{k}_carried_equal_updates": (k, lambda model, seed: carried(model), k),
        "full_bptt": (window, lambda model, seed: reset(model), 1),
        "full_bptt_equal_updates": (window, lambda model, seed: reset(model), window),
    }
    results = {"distance": L, "truncation": k, "full_bptt_window": window, "chance_accuracy": 1 / vocab,
               "optimal_copy_nats": synthetic.copy_task_losses(vocab)["optimal"], "seeds": list(config.online_seeds),
               "search": {}, "learners": {}}

    def train(name, length, source, passes, seed, settings, tokens_used=None):
        seed_everything(seed)
        started = time.perf_counter()
        model, trainer, _ = train_on_streams(
            runtime, lambda: RNNLanguageModel(vocab, config.hidden_size, streams=streams),
            inputs[:tokens_used], targets[:tokens_used], streams=streams, window=length,
            gradients_for=lambda model: source(model, seed), learning_rate=settings["learning_rate"],
            clip_norm=settings["clip_norm"] or None, seed=seed, epochs=passes,
            name=f"{name}_lr{settings['learning_rate']:g}_clip{settings['clip_norm']:g}_seed{seed}"
                 + ("_search" if tokens_used else ""))
        return model, int(trainer.step.numpy()), time.perf_counter() - started

    for name, (length, source, passes) in learners.items():
        family = name.removesuffix("_equal_updates")
        if family not in results["search"]:      # both budgets of a learner share its search
            results["search"][family] = choose(
                rate_and_clipping_grid(config.search_learning_rates, config.search_clip_norms),
                lambda settings: validation["score"](train(family, length, source, 1, config.online_seeds[0], settings,
                                                           len(inputs) // 3)[0])["copy_nats"])
        settings = results["search"][family]["chosen"]
        runs = []
        for seed in config.online_seeds:
            model, updates, seconds = train(name, length, source, passes, seed, settings)
            runs.append({**test["score"](model), "train_seconds": seconds, "updates": updates})
        results["learners"][name] = {
            "copy_accuracy": seeded([run["copy_accuracy"] for run in runs], config.online_seeds),
            "copy_nats": seeded([run["copy_nats"] for run in runs], config.online_seeds),
            "train_seconds": round(float(np.mean([run["train_seconds"] for run in runs])), 1),
            "updates": runs[0]["updates"], "tokens": runs[0]["updates"] * streams * length,
            "passes": passes, "learning_rate": settings["learning_rate"], "clip_norm": settings["clip_norm"]}
    return results


def _copy_positions(distance, vocab, seed, length=20_000):
    """A held-out copy-task sequence and {"score": model -> copy accuracy and nats}, the state carried
    over the sequence, on its copy positions after the first L + 1."""
    tokens, copies = synthetic.copy_task(length, distance, vocab, seed=seed)
    inputs, targets = language_model_pairs(tokens)
    mask = synthetic.copy_target_mask(copies, distance + 1)

    def score(model):
        return copy_scores(*RecurrentScorer(model).predictions(inputs, targets), targets, mask)

    return {"score": score}


def run(config, workdir, runtime, export_root=None):
    """Agreement of RTRL with BPTT, SnAp-1's gradient quality, online learning and the cost per step."""
    seed_everything(config.seed)      # deterministic kernels from the start: the float64 checks do not depend on
                                      # whether an earlier experiment of the process turned them on
    return {"agreement": gradient_agreement(config), "snap1": snap1_quality(config), "uoro": uoro_quality(config),
            "online": online_copy_task(config, runtime), "cost": step_costs(config.cost_sizes)}
