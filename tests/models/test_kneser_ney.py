"""The Kneser-Ney n-gram model: proper distributions, the formula by hand, clear errors."""

import numpy as np
import pytest

from tfsheet.models.kneser_ney import KneserNeyCounts, adaptive_log_probs

TEXT = np.array([1, 2, 3, 1, 2, 4, 1, 2, 3, 3, 1, 0, 2, 3])


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("context", [[1, 2], [3, 3, 1], [4, 4, 4, 4], [0]])
def test_probabilities_sum_to_one(order, context):
    counts = KneserNeyCounts(5, 5).fit(TEXT)
    distribution = counts.next_distribution(context, order)
    assert distribution.sum() == pytest.approx(1.0, abs=1e-12) and distribution.min() > 0


def test_unigram_by_hand():
    # counts of 0..4 in TEXT: 1, 4, 3, 4, 1 (13 + 1 = 14 tokens); n1 = 2 (ids 0 and 4), n2 = 0, so D = 1.
    # P(w) = max(c - 1, 0)/14 + 1 * 5/14 * 1/5:  P(1) = 3/14 + 1/14 = 4/14
    counts = KneserNeyCounts(1, 5).fit(TEXT)
    assert np.exp(counts.log_probs(np.array([1]), 1))[0] == pytest.approx(4 / 14)


def test_a_text_without_singletons_still_gives_every_character_a_probability():
    text = np.array([1, 2, 1, 2, 3, 3, 3])               # unigrams 1, 2 twice and 3 three times: n1 = 0
    counts = KneserNeyCounts(2, 5).fit(text)
    assert counts.raw[1].discount == 0.5
    for order in (1, 2):
        with np.errstate(divide="raise"):
            assert np.isfinite(counts.log_probs(np.array([1, 0, 4, 2]), order)).all()


def test_longer_context_predicts_better_on_repetitive_text():
    text = np.tile(np.array([1, 2, 3, 4]), 200)
    counts = KneserNeyCounts(3, 5).fit(text)
    assert -counts.log_probs(text, 3)[2:].mean() < -counts.log_probs(text, 1)[2:].mean()


@pytest.mark.parametrize("call, message", [
    (lambda: KneserNeyCounts(True, 5), "max_order must be an int >= 1"),
    (lambda: KneserNeyCounts(2, 5, seed=-1), "seed must be an int >= 0"),
    (lambda: KneserNeyCounts(2, 5, seed="a"), "seed must be an int >= 0"),
    (lambda: KneserNeyCounts(2, 0), "vocab_size must be an int >= 1"),
    (lambda: KneserNeyCounts(2, 2.5), "vocab_size must be an int >= 1"),
    (lambda: KneserNeyCounts(2, 5).fit(TEXT.astype(float)), "ids must be integers"),
    (lambda: KneserNeyCounts(2, 5).fit(np.array(["a", "b", "c"])), "ids must be integers"),
    (lambda: KneserNeyCounts(2, 5).log_probs(TEXT, 2), "call fit"),
    (lambda: KneserNeyCounts(2, 5).fit(TEXT).log_probs(np.array([0, 1, 9]), 2), "ids must lie in 0..4"),
    (lambda: KneserNeyCounts(2, 5).fit(TEXT).log_probs(np.array([0, -3]), 2), "ids must lie in 0..4"),
    (lambda: KneserNeyCounts(2, 5).fit(TEXT).log_probs(TEXT, True), "order must be an int in 1..2"),
    (lambda: KneserNeyCounts(2, 5).fit(TEXT).log_probs(TEXT, 2.5), "order must be an int in 1..2"),
    (lambda: KneserNeyCounts(3, 5).fit(TEXT).next_distribution([9, 9], 3), "ids must lie in 0..4"),
    (lambda: adaptive_log_probs(TEXT, TEXT, 2, 5, chunk=True), "chunk must be an int >= 1"),
    (lambda: adaptive_log_probs(TEXT, np.array([], int), 2, 5, chunk=4), "at least one id to score"),
])
def test_what_no_count_model_can_score_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_order must be"):
        KneserNeyCounts(0, 5)
    with pytest.raises(ValueError, match="ids must lie in"):
        KneserNeyCounts(2, 3).fit(TEXT)
    with pytest.raises(ValueError, match="need a 1-D id sequence of at least 21 ids"):
        KneserNeyCounts(20, 5).fit(TEXT)
    with pytest.raises(ValueError, match="order must be an int in 1..2"):
        KneserNeyCounts(2, 5).fit(TEXT).log_probs(TEXT, 3)


def test_adaptive_counts_score_each_chunk_with_the_counts_of_everything_before_it():
    rng = np.random.default_rng(0)
    train, text = rng.integers(0, 5, 300), rng.integers(0, 5, 50)
    adaptive = adaptive_log_probs(train, text, 3, 5, chunk=20)
    assert adaptive.shape == (50,)
    np.testing.assert_allclose(adaptive[:20], KneserNeyCounts(3, 5).fit(train).log_probs(text, 3)[:20])
    later = KneserNeyCounts(3, 5).fit(np.concatenate([train, text[:40]])).log_probs(text, 3)[40:]
    np.testing.assert_allclose(adaptive[40:], later)
    changed = text.copy()
    changed[25:] = (changed[25:] + 1) % 5                     # no score depends on what follows its chunk
    np.testing.assert_array_equal(adaptive_log_probs(train, changed, 3, 5, chunk=20)[:20], adaptive[:20])


def test_adaptive_counts_learn_a_passage_that_repeats():
    rng = np.random.default_rng(1)
    train, passage = rng.integers(0, 5, 2000), rng.integers(0, 5, 40)
    text = np.tile(passage, 6)                                  # (240,)
    static = -KneserNeyCounts(4, 5).fit(train).log_probs(text, 4)[40:].mean()
    assert -adaptive_log_probs(train, text, 4, 5, chunk=40)[40:].mean() < 0.75 * static


def test_adaptive_counts_refuse_a_bad_chunk():
    with pytest.raises(ValueError, match="chunk"):
        adaptive_log_probs(np.arange(5), np.arange(5), 2, 5, chunk=0)


def test_numpy_integers_are_integers():
    counts = KneserNeyCounts(np.int64(2), np.int64(5), seed=np.int64(3))
    assert (counts.max_order, counts.vocab_size) == (2, 5) and type(counts.vocab_size) is int
