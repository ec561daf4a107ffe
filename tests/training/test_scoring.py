"""Every language model is scored through one interface, log_probs(inputs, targets), on the same positions."""

import numpy as np
import pytest

from tfsheet.models.kneser_ney import KneserNeyCounts
from tfsheet.models.language_models import RNNLanguageModel, build_neural_ngram
from tfsheet.training import seed_everything
from tfsheet.training.scoring import (CountScorer, RecurrentScorer, WindowScorer, context_windows, copy_scores,
                                      mean_loss)
from tfsheet.training.tbptt import language_model_pairs, sequence_log_probs

TOKENS = np.random.default_rng(0).integers(0, 6, size=60).astype(np.int32)


def test_context_windows_end_at_each_target():
    x, y = context_windows(np.arange(6), np.arange(6) + 10, 3)
    np.testing.assert_array_equal(x, [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]])   # windows ending at t = 2 .. 5
    np.testing.assert_array_equal(y, [12, 13, 14, 15])                             # each window's target at t


def test_a_window_scorer_sees_its_context_and_nothing_older():
    seed_everything(0)
    scorer = WindowScorer(build_neural_ngram(6, context=3), 3)
    base = scorer.log_probs(TOKENS[:-1], TOKENS[1:])
    assert base.shape == (len(TOKENS) - 1,) and np.isnan(base[:2]).all() and np.isfinite(base[2:]).all()
    older, nearer = TOKENS.copy(), TOKENS.copy()
    older[20 - 3] = (older[20 - 3] + 1) % 6          # four tokens back from target 21: outside the context
    nearer[20 - 1] = (nearer[20 - 1] + 1) % 6        # two back: inside it
    assert scorer.log_probs(older[:-1], older[1:])[20] == base[20]
    assert scorer.log_probs(nearer[:-1], nearer[1:])[20] != base[20]
    log_probs, predicted = scorer.predictions(TOKENS[:-1], TOKENS[1:])
    np.testing.assert_array_equal(log_probs, base)
    assert (predicted[:2] == -1).all() and ((0 <= predicted[2:]) & (predicted[2:] < 6)).all()


def test_a_recurrent_scorer_is_the_rnn_over_the_sequence_reset_where_asked():
    seed_everything(0)
    model = RNNLanguageModel(6, 4)
    inputs, targets = language_model_pairs(TOKENS)
    np.testing.assert_allclose(RecurrentScorer(model).log_probs(inputs, targets),
                               sequence_log_probs(model, inputs, targets), rtol=1e-6)
    reset = RecurrentScorer(model, reset_every=5).log_probs(inputs, targets)
    # after a reset the state is 0 again: window 2 scores like the same tokens at the start of a sequence
    np.testing.assert_allclose(reset[10:15], RecurrentScorer(model).log_probs(inputs[10:15], targets[10:15]),
                               rtol=1e-5, atol=1e-6)
    log_probs, predicted = RecurrentScorer(model).predictions(inputs, targets)
    np.testing.assert_allclose(log_probs, RecurrentScorer(model).log_probs(inputs, targets), rtol=1e-5, atol=1e-6)
    assert predicted.shape == targets.shape


def test_a_count_scorer_scores_each_target_of_the_pairs():
    counts = KneserNeyCounts(3, 6).fit(TOKENS)
    inputs, targets = language_model_pairs(TOKENS)
    np.testing.assert_array_equal(CountScorer(counts, 3).log_probs(inputs, targets), counts.log_probs(TOKENS, 3)[1:])


def test_losses_are_means_over_the_positions_asked_for():
    assert mean_loss(np.log([0.5, 0.25, 0.25, np.nan]), 1, 3) == pytest.approx(np.log(4))
    scores = copy_scores(np.log([0.5, 0.5, 0.25]), np.array([1, 2, 3]), np.array([1, 0, 3]),
                         np.array([True, True, False]))
    assert scores == {"copy_accuracy": 0.5, "copy_nats": pytest.approx(np.log(2))}
