"""Synthetic sequences whose dependency distances are known exactly (Problem 5.1, "in practice").

Truncation probe. X_t ~ Bernoulli(1/2) independently; Y_t ~ Bernoulli(p_t) with
    p_t = 1/2 + 1/2 [X_{t-3} = 1] - 1/4 [X_{t-8} = 1].
A model predicting Y_t from X_{<=t} reaches one of three expected cross-entropies (nats):
    no dependency learned:   H(E p) = H(5/8)                                          ~ 0.6616
    only X_{t-3}:            (H(7/8) + H(3/8)) / 2                                    ~ 0.5192
    both:                    (H(1/2) + H(1/4) + H(1) + H(3/4)) / 4                    ~ 0.4544
where H(p) = -p log p - (1 - p) log(1 - p) (`probe_levels` computes them from this definition).

Copy task at distance L. Tokens are uniform on V symbols, except that each position t >= L is, with
probability q, a copy: x_t = x_{t-L}. A model that sees x_{t-L} predicts q + (1 - q)/V for it and
(1 - q)/V for the others; one that does not can do no better than uniform, log V nats. On copy
positions the best achievable loss is -log(q + (1 - q)/V) (`copy_task_losses`), and the best
accuracy 1 against 1/V.
"""

import math

import numpy as np

PROBE_LAGS = (3, 8)
PROBE_EFFECTS = {3: 0.5, 8: -0.25}   # how much P(Y_t = 1) moves when X_{t-lag} goes from 0 to 1


def binary_entropy(p):
    return 0.0 if p in (0.0, 1.0) else -(p * math.log(p) + (1 - p) * math.log(1 - p))


def probe_levels():
    """The probe's three expected cross-entropies, in nats, derived from its definition."""
    def p(x3, x8):
        return 0.5 + 0.5 * x3 - 0.25 * x8

    both = np.mean([binary_entropy(p(x3, x8)) for x3 in (0, 1) for x8 in (0, 1)])
    only_three = np.mean([binary_entropy(np.mean([p(x3, x8) for x8 in (0, 1)])) for x3 in (0, 1)])
    none = binary_entropy(np.mean([p(x3, x8) for x3 in (0, 1) for x8 in (0, 1)]))
    return {"none": float(none), "only_3": float(only_three), "both": float(both)}


def probe_lag_effects(x, y, log_probs, start=max(PROBE_LAGS)):
    """How much a model's prediction uses each lag, measured directly: {"3": d_3, "8": d_8} with

        d_lag = mean over v of [ mean p_t | X_{t-lag} = 1, X_{t-other} = v ] - [ same | X_{t-lag} = 0, ... ]

    where p_t is the model's P(Y_t = 1) (from log P(Y_t = y_t) and y_t) and `other` is the other lag, held
    fixed. The data's own values are PROBE_EFFECTS (+1/2 for lag 3, -1/4 for lag 8); a model that ignores a
    lag gets 0 for it, whatever it does with the other.
    """
    log_probs = np.asarray(log_probs, np.float64)
    t = np.arange(start, len(log_probs))
    likelihood = np.exp(log_probs[t])
    p_one = np.where(np.asarray(y)[t] == 1, likelihood, 1 - likelihood)
    lagged = {lag: np.asarray(x)[t - lag] for lag in PROBE_LAGS}
    effects = {}
    for lag, other in ((3, 8), (8, 3)):
        differences = []
        for v in (0, 1):
            rows = lagged[other] == v
            differences.append(p_one[rows & (lagged[lag] == 1)].mean() - p_one[rows & (lagged[lag] == 0)].mean())
        effects[str(lag)] = float(np.mean(differences))
    return effects


def truncation_probe(length, seed=0):
    """(X, Y): two int32 arrays of `length` bits (the first 8 Y's use X_{t-k} = 0 before the start)."""
    if not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be an int >= 1. Received: length={length!r}")
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=length)
    lagged = {lag: np.concatenate([np.zeros(lag, int), x[:-lag]]) for lag in PROBE_LAGS}
    p = 0.5 + 0.5 * lagged[3] - 0.25 * lagged[8]
    return x.astype(np.int32), (rng.uniform(size=length) < p).astype(np.int32)


def copy_task(length, distance, vocab_size=4, copy_probability=0.5, seed=0):
    """(tokens int32 (length,), is_copy bool (length,)): x_t = x_{t-distance} where is_copy."""
    if not isinstance(distance, int) or distance < 1:
        raise ValueError(f"distance must be an int >= 1. Received: distance={distance!r}")
    if not isinstance(length, int) or length <= distance:
        raise ValueError(f"length must be an int > distance. Received: length={length!r}, distance={distance}")
    if not 0 < copy_probability <= 1 or vocab_size < 2:
        raise ValueError(f"need 0 < copy_probability <= 1 and vocab_size >= 2. Received: "
                         f"copy_probability={copy_probability}, vocab_size={vocab_size}")
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocab_size, size=length)
    is_copy = np.zeros(length, bool)
    is_copy[distance:] = rng.uniform(size=length - distance) < copy_probability
    for t in np.flatnonzero(is_copy):  # in order, so a copy of a copy is still exact
        tokens[t] = tokens[t - distance]
    return tokens.astype(np.int32), is_copy


def copy_task_losses(vocab_size=4, copy_probability=0.5):
    """Expected loss (nats) on copy positions: with x_{t-L} in view (`optimal`) and without (`chance`)."""
    q, v = copy_probability, vocab_size
    return {"optimal": -math.log(q + (1 - q) / v), "chance": math.log(v)}


def copy_target_mask(copies, skip):
    """(N - 1,) bool over the targets of a copy-task sequence (target t is token t + 1): True where the target
    copies an earlier token (`copies` marks the tokens), False for the first `skip` targets."""
    mask = np.asarray(copies)[1:].copy()
    mask[:skip] = False
    return mask
