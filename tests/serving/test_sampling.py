"""Sampling text at a temperature: tempered probabilities stay a distribution at any finite temperature > 0."""

import numpy as np
import pytest

from tfsheet.serving.sampling import tempered


def test_temperature_one_keeps_the_distribution_and_a_tiny_one_is_the_argmax():
    probabilities = np.array([0.1, 0.6, 0.3, 0.0])
    np.testing.assert_allclose(tempered(probabilities, 1.0), probabilities)
    for tiny in (1e-30, 1e-320):                                   # 1e-320: log p / T overflows to -inf
        np.testing.assert_array_equal(tempered(probabilities, tiny), [0.0, 1.0, 0.0, 0.0])  # not 0 / 0 or NaN
    hot = tempered(probabilities, 1e6)
    np.testing.assert_allclose(hot[:3], 1 / 3, rtol=1e-5)
    assert hot[3] == 0.0                                           # an impossible token stays impossible


def test_the_sampler_refuses_a_temperature_that_is_not_finite_and_positive():
    from tfsheet.serving.sampling import sample

    for temperature in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite temperature > 0"):
            sample(None, None, "a", 3, 4, temperature)


@pytest.mark.parametrize("probabilities", [[0.0, 0.0, 0.0], [0.5, float("nan"), 0.5], [0.5, -0.1, 0.6]])
def test_probabilities_that_are_no_distribution_are_refused_not_turned_into_nan(probabilities):
    with pytest.raises(ValueError, match="probabilities must be finite, >= 0 and not all 0"):
        tempered(probabilities, 1.0)


def test_a_hot_sample_never_writes_the_unknown_character():
    import tensorflow as tf

    from tfsheet.data.vocabulary import UNKNOWN, CharVocabulary
    from tfsheet.serving.sampling import sample

    vocabulary = CharVocabulary(list("ab"))

    def uniform(tokens, state):                     # every id equally likely, the unknown one included
        return tf.fill([1, len(vocabulary)], 1.0 / len(vocabulary)), state

    text = sample(uniform, vocabulary, "a", 200, 4, temperature=1e30)
    assert UNKNOWN not in text and set(text) == {"a", "b"}
