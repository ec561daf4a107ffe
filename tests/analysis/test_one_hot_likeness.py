"""One-hot-likeness measures (Q2.3): the exact best assignment, and the extremes of each measure."""

import itertools

import numpy as np
import pytest

from tfsheet.analysis.one_hot_likeness import best_assignment, one_hot_likeness
from tfsheet.data.encodings import one_hot


@pytest.mark.parametrize("size", [1, 4, 7])
def test_best_assignment_equals_brute_force(size):
    counts = np.random.default_rng(size).integers(0, 100, size=(size, size))
    brute = max(sum(counts[u, p[u]] for u in range(size)) for p in itertools.permutations(range(size)))
    assert best_assignment(counts)[0] == brute


def test_a_permuted_one_hot_layer_is_perfectly_one_hot_like():
    labels = np.random.default_rng(0).integers(10, size=500)
    permuted = one_hot(labels)[:, ::-1]  # unit 9 - i fires for component i
    measures = one_hot_likeness(permuted, labels)
    assert measures["best_assignment_agreement"] == 1.0 and measures["purity"] == 1.0
    assert measures["concentration"] == 1.0 and measures["premise_share"] == 1.0


def test_a_uniform_layer_is_not():
    labels = np.random.default_rng(0).integers(10, size=500)
    measures = one_hot_likeness(np.full((500, 10), 0.3), labels)
    assert measures["concentration"] == pytest.approx(0.1) and measures["premise_share"] == 0.0
    assert measures["units_that_ever_win"] == 1


def test_shape_mismatch():
    with pytest.raises(ValueError, match="Received: activations.shape"):
        one_hot_likeness(np.zeros((3, 10)), np.zeros(4, int))
