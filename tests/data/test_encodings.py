"""The sheet's target encodings: one-hot with digit 0 LAST, and 4-bit binary, MSB first."""

import numpy as np
import pytest

from tfsheet.data import encodings
from tfsheet.data.encodings import INVALID, binary, decode, decode_binary, decode_one_hot, encode, one_hot

DIGITS = np.arange(10)


def test_sheet_example_three_is_one_at_index_two():
    # "if the label is 3, we will use the vector [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]^T"
    np.testing.assert_array_equal(one_hot([3])[0], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0])


def test_digit_zero_is_the_last_component():
    np.testing.assert_array_equal(one_hot([0])[0], [0] * 9 + [1])


def test_one_hot_positions_for_all_ten_digits():
    codes = one_hot(DIGITS)
    assert codes.dtype == np.float32 and codes.sum() == 10
    for digit in range(1, 10):
        assert codes[digit, digit - 1] == 1.0


def test_binary_codes_for_all_ten_digits():
    # 0 -> 0000, 1 -> 0001, ..., 9 -> 1001
    expected = [[int(bit) for bit in f"{digit:04b}"] for digit in range(10)]
    np.testing.assert_array_equal(binary(DIGITS), expected)


@pytest.mark.parametrize("encoding", ["one_hot", "binary"])
def test_decoding_inverts_encoding(encoding):
    np.testing.assert_array_equal(decode(encode(DIGITS, encoding), encoding), DIGITS)


def test_integer_encoding_is_the_label():
    np.testing.assert_array_equal(encode(DIGITS, "integer"), DIGITS)


def test_one_hot_decoding_reads_the_argmax_with_zero_last():
    scores = np.full((2, 10), 0.1)
    scores[0, 9], scores[1, 0] = 0.7, 0.6
    np.testing.assert_array_equal(decode_one_hot(scores), [0, 1])


def test_binary_codes_ten_to_fifteen_are_invalid():
    codes = np.array([[int(bit) for bit in f"{code:04b}"] for code in range(10, 16)], np.float32)
    np.testing.assert_array_equal(decode_binary(codes), [INVALID] * 6)


def test_binary_threshold_is_one_half():
    np.testing.assert_array_equal(decode_binary([[0.49, 0.51, 0.2, 0.9]]), [0b0101])


def test_unknown_encoding_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown encoding 'gray'.*one_hot"):
        encode(DIGITS, "gray")
    with pytest.raises(ValueError, match="Unknown encoding"):
        decode(np.zeros((1, 4)), "gray")


@pytest.mark.parametrize("labels", [[10], [-1], [1.5], [[1, 2]]])
def test_bad_labels_are_refused(labels):
    with pytest.raises(ValueError, match="Labels must be"):
        encodings.one_hot(np.asarray(labels))


def test_wrong_number_of_outputs_is_refused():
    with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
        decode_binary(np.zeros((2, 10)))


@pytest.mark.parametrize("encoding, width", [("one_hot", 10), ("binary", 4), ("integer", 10)])
def test_scores_holding_a_nan_or_an_infinity_name_no_digit(encoding, width):
    import tensorflow as tf

    scores = np.full((3, width), 0.1, np.float32)
    scores[0, 0] = 0.9                                   # a clean row still decodes
    scores[1, 1], scores[2, :] = np.nan, np.inf
    digits = decode(scores, encoding)
    assert digits[0] != INVALID and digits[1:].tolist() == [INVALID, INVALID]
    twin = {"one_hot": encodings.tf_decode_one_hot, "binary": encodings.tf_decode_binary}.get(encoding)
    if twin is not None:                                 # the exported `digit` output agrees
        assert twin(tf.constant(scores)).numpy().tolist() == digits.tolist()


@pytest.mark.parametrize("threshold", [float("nan"), "a", None, True])
def test_a_threshold_that_is_not_a_number_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        decode_binary(np.zeros((1, 4)), threshold=threshold)


@pytest.mark.parametrize("encoding, scores, message", [
    ("one_hot", np.array([["a"] * 10]), "scores must be numbers"),
    ("binary", np.array([[None] * 4]), "scores must be numbers"),
    ("integer", np.zeros((2, 12)), r"integer scores must have shape \(N, 10\)"),     # no digit 11
])
def test_scores_that_name_no_digit_are_refused(encoding, scores, message):
    with pytest.raises(ValueError, match=message):
        decode(scores, encoding)
