"""Q2.2's fixed network of threshold units: exact on one-hot inputs, the bits of the largest output on any
input with a unique largest output (checked against an independent argmax), invalid on ties, and no
trainable weights."""

import keras
import numpy as np
import pytest

from tfsheet.analysis.winner_take_all import adversarial_scores, agreement_with_argmax, argmax_digits
from tfsheet.data.encodings import binary, decode_binary, one_hot
from tfsheet.layers import OneHotToBinary
from tfsheet.layers.one_hot_to_binary import TIE_CODE, bit_matrix, winner_take_all_layers

DIGITS = np.arange(10)


@pytest.mark.parametrize("winner_take_all", [True, False])
def test_exact_on_the_ten_one_hot_codes(winner_take_all):
    bits = OneHotToBinary(winner_take_all=winner_take_all)(one_hot(DIGITS)).numpy()
    np.testing.assert_array_equal(bits, binary(DIGITS))  # digit 0 (last component) -> 0000


def test_bit_matrix_rows_follow_digit_zero_last():
    B = bit_matrix()
    np.testing.assert_array_equal(B[2], [0, 0, 1, 1])   # component 2 is digit 3
    np.testing.assert_array_equal(B[9], [0, 0, 0, 0])   # component 9 is digit 0


def test_any_scores_with_a_unique_largest_output_give_the_bits_of_that_output():
    rng = np.random.default_rng(0)
    for scores in (rng.uniform(size=(1000, 10)).astype(np.float32), adversarial_scores(rng, 4000),
                   adversarial_scores(rng, 4000, negative=True)):
        bits = OneHotToBinary()(scores).numpy()
        np.testing.assert_array_equal(bits, binary(argmax_digits(scores)))
        assert agreement_with_argmax(OneHotToBinary(), scores) == {"inputs": len(scores), "agree": len(scores)}


def test_a_tie_at_the_top_reads_as_the_invalid_code():
    scores = np.zeros((3, 10), np.float32)
    scores[0, [2, 5]] = 0.7                     # two outputs share the largest value
    scores[2, 3] = 1.0                          # row 1: all ten equal; row 2: a unique winner
    digits = decode_binary(OneHotToBinary()(scores).numpy())
    assert digits.tolist() == [-1, -1, 4]
    np.testing.assert_array_equal(OneHotToBinary()(scores[:1]).numpy()[0], [1, 1, 1, 1])
    assert TIE_CODE == 0b1111
    # documented: outputs closer than the smallest normal float32 (their difference is flushed to zero) tie
    tiny = np.zeros((1, 10), np.float32)
    tiny[0, 0] = np.float32(9.6089052e-32)
    tiny[0, 1] = np.nextafter(tiny[0, 0], np.float32(0))
    assert decode_binary(OneHotToBinary()(tiny).numpy()).tolist() == [-1]


def test_the_network_is_four_layers_of_threshold_units_of_known_size():
    layer = OneHotToBinary()
    assert layer.depth == 4 and [weights.shape for weights, _ in winner_take_all_layers()] == [
        (10, 90), (90, 10), (10, 11), (11, 4)]
    assert layer.parameter_count == 10 * 90 + 90 + 90 * 10 + 10 + 10 * 11 + 11 + 11 * 4 + 4
    assert OneHotToBinary(winner_take_all=False).depth == 1


def test_classic_construction_holds_under_its_premise_and_fails_outside_it():
    rng = np.random.default_rng(1)
    digits = rng.integers(10, size=500)
    near_one_hot = 0.99 * one_hot(digits) + rng.uniform(0, 0.0099, size=(500, 10)).astype(np.float32)
    classic = OneHotToBinary(winner_take_all=False)
    np.testing.assert_array_equal(decode_binary(classic(near_one_hot).numpy()), digits)
    # off the premise: digit 1 scores 0.6 and digit 2 scores 0.55. B^T y - 1/2 = (-0.5, -0.5, 0.05, 0.1)
    # gives 0011 = 3, a digit the network never chose; the winner-take-all layer answers 1.
    unsure = np.zeros((1, 10), np.float32)
    unsure[0, 0], unsure[0, 1] = 0.6, 0.55
    assert decode_binary(classic(unsure).numpy())[0] == 3
    assert decode_binary(OneHotToBinary()(unsure).numpy())[0] == 1


def test_no_trainable_weights_and_none_added_when_appended():
    from tfsheet.models.mlp import append_one_hot_to_binary
    from tfsheet.models.mlp import build_mlp

    net = build_mlp(16, "one_hot")
    appended = append_one_hot_to_binary(net)
    assert OneHotToBinary().trainable_weights == []
    assert appended.count_params() == net.count_params()
    assert len(appended.trainable_weights) == len(net.trainable_weights)


@pytest.mark.parametrize("width", [4, 11])
def test_wrong_number_of_outputs_is_refused(width):
    with pytest.raises(ValueError, match=r"takes the 10 outputs .* Received: input_shape=\(2, " + str(width)):
        OneHotToBinary()(np.zeros((2, width), np.float32))


def test_config_round_trip():
    layer = OneHotToBinary(winner_take_all=False, name="fixed")
    clone = OneHotToBinary.from_config(layer.get_config())
    assert clone.winner_take_all is False and clone.name == "fixed"
    assert keras.saving.get_registered_object("tfsheet>OneHotToBinary") is OneHotToBinary
    with pytest.raises(ValueError, match="Received: winner_take_all="):
        OneHotToBinary(winner_take_all="yes")
