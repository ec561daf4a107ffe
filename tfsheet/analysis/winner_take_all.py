"""Q2.2's evidence: the threshold-unit network against an independent argmax, on scores built to break it.

adversarial_scores draws score vectors with a unique largest output that stress a winner-take-all
made of comparisons: magnitudes from 1e-30 to 1e30, all-negative rows, and runner-ups one float32
step below the top (where that step is a normal number; closer outputs count as tied, see
tfsheet.layers.one_hot_to_binary).
"""

import numpy as np

from tfsheet.data import encodings


def adversarial_scores(rng, count, negative=False):
    """(count, 10) float32 scores, each row with a unique largest entry."""
    scale = 10.0 ** rng.integers(-30, 31, size=(count, 1))
    scores = (rng.normal(size=(count, encodings.NUM_DIGITS)) * scale).astype(np.float32)
    if negative:
        scores = -np.abs(scores)
    top = np.argmax(scores, axis=1)
    runner_up = (top + rng.integers(1, encodings.NUM_DIGITS, size=count)) % encodings.NUM_DIGITS
    near = (rng.uniform(size=count) < 0.5) & (np.abs(scores[np.arange(count), top]) > 2.0 ** -100)
    rows = np.flatnonzero(near)
    scores[rows, runner_up[rows]] = np.nextafter(scores[rows, top[rows]], np.float32(-np.inf))
    unique = np.sort(scores, axis=1)
    if not (unique[:, -1] > unique[:, -2]).all():      # equal draws are practically impossible; never silently
        raise AssertionError("adversarial_scores drew a tie")
    return scores


def argmax_digits(scores):
    """The digit of each row's largest output by numpy's argmax (component i is digit (i + 1) mod 10)."""
    return (np.argmax(scores, axis=1) + 1) % encodings.NUM_DIGITS


def agreement_with_argmax(layer, scores):
    """{"inputs", "agree"}: how many rows' bits from `layer` equal the bits of their argmax digit."""
    bits = np.asarray(layer(scores))
    agree = (bits == encodings.binary(argmax_digits(scores))).all(axis=1)
    return {"inputs": int(len(scores)), "agree": int(agree.sum())}
