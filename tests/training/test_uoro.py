"""UORO is an unbiased estimate of the exact RTRL gradient: the mean of S estimates closes in on it
as 1/sqrt(S), one estimate alone is noisy, and the signs follow from the seed."""

import numpy as np
import tensorflow as tf

from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.training import rtrl, uoro


def _problem():
    tf.keras.utils.set_random_seed(0)
    model = RNNLanguageModel(5, 6, dtype="float64")
    rng = np.random.default_rng(0)
    return model, rng.integers(0, 5, (1, 12)), rng.integers(0, 5, (1, 12))


def _recurrent(gradients):
    return np.concatenate([np.ravel(g) for g in gradients[:3]])      # W_xh, W_hh, b_h


def _mean_estimate(model, inputs, targets, copies, seed):
    loss, total = uoro.uoro_gradients(model, np.repeat(inputs, copies, 0), np.repeat(targets, copies, 0), seed=seed)
    return loss / copies, _recurrent(total) / copies


def test_the_mean_of_many_estimates_converges_to_the_exact_gradient():
    model, inputs, targets = _problem()
    exact_loss, exact = rtrl.rtrl_gradients(model, inputs, targets)
    exact = _recurrent(exact)
    errors = {}
    for copies in (64, 4096):
        loss, mean = _mean_estimate(model, inputs, targets, copies, seed=1)
        np.testing.assert_allclose(loss, exact_loss, rtol=1e-12)          # the forward pass is exact
        errors[copies] = np.linalg.norm(mean - exact) / np.linalg.norm(exact)
    assert errors[4096] < errors[64] / 4          # 1/sqrt(S) predicts a factor of 8 for 64x the samples
    assert errors[4096] < 0.15


def test_one_estimate_is_noisy_and_its_signs_follow_the_seed():
    model, inputs, targets = _problem()
    _, exact = rtrl.rtrl_gradients(model, inputs, targets)
    first = _mean_estimate(model, inputs, targets, 1, seed=3)[1]
    np.testing.assert_array_equal(first, _mean_estimate(model, inputs, targets, 1, seed=3)[1])
    assert not np.allclose(first, _mean_estimate(model, inputs, targets, 1, seed=4)[1])
    assert np.linalg.norm(first - _recurrent(exact)) > 0.1 * np.linalg.norm(_recurrent(exact))


def test_the_readout_gradient_is_exact():
    model, inputs, targets = _problem()
    _, exact = rtrl.rtrl_gradients(model, inputs, targets)
    _, estimate = uoro.uoro_gradients(model, inputs, targets, seed=0)
    for got, want in zip(estimate[3:], exact[3:]):
        np.testing.assert_allclose(got, want, rtol=1e-12)

