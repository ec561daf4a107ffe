"""Problem 5.1's data: the character vocabulary, the truncation probe's levels, the copy task."""

import math

import numpy as np
import pytest

from tfsheet.data import synthetic
from tfsheet.data.vocabulary import CharVocabulary


def test_vocabulary_round_trip_and_unknown_characters():
    vocab = CharVocabulary.from_text("to be or not")
    assert len(vocab) == 8  # unknown + " beonrt"
    np.testing.assert_array_equal(vocab.decode(vocab.encode("not to be")), "not to be")
    assert vocab.encode("z!")[0] == 0 and vocab.encode("z!")[1] == 0  # unseen characters -> 0
    assert CharVocabulary.from_json(vocab.to_json()).characters == vocab.characters
    with pytest.raises(ValueError, match="empty text"):
        CharVocabulary.from_text("")


def test_probe_levels_from_the_definition():
    levels = synthetic.probe_levels()
    # none: P(Y = 1) = 1/2 + 1/2 * 1/2 - 1/4 * 1/2 = 5/8, so H(5/8) = 0.6616
    assert levels["none"] == pytest.approx(-(5 / 8 * math.log(5 / 8) + 3 / 8 * math.log(3 / 8)))
    assert levels["none"] == pytest.approx(0.6616, abs=1e-4)
    # only X_{t-3}: p = 7/8 if X_{t-3} = 1 else 3/8, each half the time
    assert levels["only_3"] == pytest.approx(0.5192, abs=1e-4)
    # both: p in {1/2, 1/4, 1, 3/4} equally often; H(1) = 0
    assert levels["both"] == pytest.approx(0.4544, abs=1e-4)


def test_probe_samples_follow_the_definition():
    x, y = synthetic.truncation_probe(400_000, seed=3)
    p = 0.5 + 0.5 * np.roll(x, 3) - 0.25 * np.roll(x, 8)
    cross_entropy = -np.mean(np.where(y[8:] == 1, np.log(np.maximum(p[8:], 1e-12)), np.log(np.maximum(1 - p[8:], 1e-12))))
    assert cross_entropy == pytest.approx(synthetic.probe_levels()["both"], abs=5e-3)
    assert y.mean() == pytest.approx(5 / 8, abs=5e-3)


@pytest.mark.parametrize("distance", [1, 3, 17])
def test_copy_task_copies_exactly_at_distance(distance):
    tokens, is_copy = synthetic.copy_task(50_000, distance, vocab_size=4, copy_probability=0.5, seed=1)
    positions = np.flatnonzero(is_copy)
    np.testing.assert_array_equal(tokens[positions], tokens[positions - distance])
    assert is_copy[:distance].sum() == 0 and is_copy.mean() == pytest.approx(0.5, abs=0.02)


def test_copy_task_losses_closed_form():
    # q = 1/2, V = 4: the copied token has probability 1/2 + 1/8 = 5/8
    losses = synthetic.copy_task_losses(4, 0.5)
    assert losses["optimal"] == pytest.approx(-math.log(5 / 8)) and losses["chance"] == pytest.approx(math.log(4))


@pytest.mark.parametrize("kwargs, message", [({"length": 10, "distance": 0}, "distance must be"),
                                             ({"length": 5, "distance": 5}, "length must be"),
                                             ({"length": 50, "distance": 2, "copy_probability": 0.0}, "copy_probability")])
def test_copy_task_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        synthetic.copy_task(**kwargs)


@pytest.mark.parametrize("text", ["", "not json", "[]", "{}", "null", '{"characters": ["a", "b"]}',
                                  '{"characters": "abc"}', '{"characters": ["\\ufffd", 1, 2]}',
                                  '{"characters": ["\\ufffd", "ab"]}'])
def test_a_vocabulary_that_to_json_did_not_write_is_refused_with_what_is_expected(text):
    with pytest.raises(ValueError, match="a vocabulary must be"):
        CharVocabulary.from_json(text)


def test_ids_outside_the_vocabulary_and_text_that_is_not_a_string_are_refused():
    vocab = CharVocabulary.from_text("abc")
    with pytest.raises(ValueError, match=r"ids must be integers in \[0, 4\)"):
        vocab.decode([-1])
    with pytest.raises(ValueError, match="ids must be integers"):
        vocab.decode([99])
    with pytest.raises(ValueError, match="text must be a str"):
        vocab.encode(None)
    with pytest.raises(ValueError, match=r"decode takes one sequence of ids; received shape \(2, 2\)"):
        vocab.decode([[1, 2], [3, 1]])
