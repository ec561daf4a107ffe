"""Measures of how one-hot-like a layer of 10 units is (sheet Q2.3), in plain numpy.

Given activations A (N, 10) of a layer and the digit labels (N,):
  * winners: the unit with the largest activation for each example;
  * best_assignment_agreement: the share of examples whose winning unit maps to their label under the
    best one-to-one map from units to digits (exact, by dynamic programming over subsets of digits);
  * purity: the same with each unit mapped to its most frequent digit (many-to-one, an upper bound);
  * concentration: mean over examples of max_j A_j / sum_j A_j (1 for one-hot, 0.1 for uniform);
  * premise_share: the share meeting the classic premise, largest >= 0.99 and every other < 0.01.
"""

import numpy as np


def confusion(winners, labels, num_units=10, num_classes=10):
    """C[u, c]: how often unit u wins on an example of class c."""
    counts = np.zeros((num_units, num_classes), dtype=np.int64)
    np.add.at(counts, (winners, labels), 1)
    return counts


def best_assignment(counts):
    """The one-to-one map unit -> class maximising the matched count; returns (total, mapping).

    best[mask] is the largest count matching units 0..k-1 (k = popcount(mask)) to the classes in
    mask; O(units x 2^classes) = 10 x 1024 steps for 10 units, so no solver library is needed.
    """
    num_units, num_classes = counts.shape
    if num_units > num_classes:
        raise ValueError(f"need at most as many units as classes. Received: counts.shape={counts.shape}")
    best = {0: (0, ())}
    for unit in range(num_units):
        grown = {}
        for mask, (total, mapping) in best.items():
            for cls in range(num_classes):
                if not mask & (1 << cls):
                    candidate = (total + int(counts[unit, cls]), mapping + (cls,))
                    key = mask | (1 << cls)
                    if key not in grown or candidate[0] > grown[key][0]:
                        grown[key] = candidate
        best = grown
    return max(best.values())


def one_hot_likeness(activations, labels):
    """The measures above, as a dict of floats (shares in [0, 1])."""
    activations = np.asarray(activations, dtype=np.float64)
    labels = np.asarray(labels)
    if activations.ndim != 2 or activations.shape[0] != labels.shape[0]:
        raise ValueError(f"activations must be (N, units) with N labels. Received: "
                         f"activations.shape={activations.shape}, labels.shape={labels.shape}")
    num_units = activations.shape[1]
    winners = np.argmax(activations, axis=1)
    counts = confusion(winners, labels, num_units)
    matched, mapping = best_assignment(counts)
    ordered = np.sort(activations, axis=1)
    totals = np.maximum(activations.sum(axis=1), 1e-12)
    return {
        "best_assignment_agreement": matched / len(labels),
        "assignment": [int(c) for c in mapping],
        "purity": float(counts.max(axis=1).sum() / len(labels)),
        "concentration": float(np.mean(ordered[:, -1] / totals)),
        "premise_share": float(np.mean((ordered[:, -1] >= 0.99) & (ordered[:, -2] < 0.01))),
        "units_that_ever_win": int(np.count_nonzero(counts.sum(axis=1))),
    }
