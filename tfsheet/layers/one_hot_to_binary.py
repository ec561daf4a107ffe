"""Problem 2.2: a fixed network of threshold units that turns a one-hot net's 10 outputs into the 4 bits
of its digit, built from units only (no argmax, one-hot, sort or top-k operation anywhere in it).

Every unit is a threshold unit: it forms its own pre-activation z = w . x + b from the layer below
and outputs step(z) = 1 if z > 0 else 0. The network (`winner_take_all=True`, the default):

    layer 1, comparisons (90 units):  c_ij = step(y_i - y_j)           for every ordered pair i != j
    layer 2, winners (10 units):      w_i  = step(sum_{j != i} c_ij - 8.5)   1 iff y_i beats all 9 others
    layer 3, relay (11 units):        r_i  = step(w_i - 0.5)  (w_i itself), and
                                      t    = step(0.5 - sum_i w_i)    1 iff no output won: a tie at the top
    layer 4, bits (4 units):          bits = step(B^T r + t (1, 1, 1, 1) - 0.5)

with B = bit_matrix() the 10 x 4 matrix of the digits' codes. When the largest output is unique,
exactly one w_i is 1 (the winner beats every other output; every other output loses at least to
the winner), t = 0, and the bits are row i of B: the code of the one-hot net's digit, exactly. When
two or more outputs tie for the largest, no output beats all others, so w = 0, t = 1, and the bits
read 1111: code 15, which decodes as invalid (-1) rather than as a digit. Comparisons are made in
float32: two outputs whose difference rounds to zero (or to a subnormal number, which TensorFlow's
CPU kernels flush to zero) count as tied.

The textbook version (`winner_take_all=False`) is one layer of threshold units on the raw outputs:
bits = step(B^T y - 1/2). That is correct only when y is nearly one-hot: with the right output
>= 0.99 and the others < 0.01, a set bit gets z >= 0.99 - 0.5 > 0 and a clear bit z <= 9 x 0.01 -
0.5 < 0. Real networks often break that premise (outputs of 0.6 and 0.4 make bits of both digits
look half set), which is why the default puts the winner-take-all layers in front.

Input: (N, 10) one-hot scores, digit 0 last. Output: (N, 4) bits in {0, 1}, most significant first.
"""

import keras
import numpy as np
import tensorflow as tf

from tfsheet.data import encodings

TIE_CODE = 15   # 1111: the bits of a tie at the top, an invalid code (decoded as -1)


def bit_matrix():
    """B (10, 4): row i holds the bits of the digit that one-hot component i stands for.

    Component i is digit (i + 1) mod 10 (digit 0 last), so row 0 is 0001 (digit 1), row 2 is
    0011 (digit 3), row 8 is 1001 (digit 9) and row 9 is 0000 (digit 0).
    """
    digits = (np.arange(encodings.NUM_DIGITS) + 1) % encodings.NUM_DIGITS
    return encodings.binary(digits)  # (10, 4)


def winner_take_all_layers(size=encodings.NUM_DIGITS):
    """The (weights, biases) of the four threshold layers above, as float32 numpy arrays, for `size` outputs."""
    pairs = [(i, j) for i in range(size) for j in range(size) if i != j]
    compare = np.zeros((size, len(pairs)), np.float32)               # c_ij = step(y_i - y_j)
    for column, (i, j) in enumerate(pairs):
        compare[i, column], compare[j, column] = 1.0, -1.0
    wins = np.zeros((len(pairs), size), np.float32)                  # w_i = step(sum_j c_ij - (size - 1.5))
    for row, (i, _) in enumerate(pairs):
        wins[row, i] = 1.0
    relay = np.concatenate([np.eye(size, dtype=np.float32), -np.ones((size, 1), np.float32)], axis=1)
    bits = np.concatenate([bit_matrix(), np.ones((1, encodings.NUM_BITS), np.float32)], axis=0)  # (11, 4)
    return [(compare, np.zeros(len(pairs), np.float32)),
            (wins, np.full(size, -(size - 1.5), np.float32)),
            (relay, np.concatenate([np.full(size, -0.5, np.float32), [0.5]]).astype(np.float32)),
            (bits, np.full(encodings.NUM_BITS, -0.5, np.float32))]


def textbook_layers():
    """The one threshold layer of the textbook version: bits = step(B^T y - 1/2)."""
    return [(bit_matrix(), np.full(encodings.NUM_BITS, -0.5, np.float32))]


def step(z):
    """The threshold unit's output: 1 where its pre-activation z > 0, else 0 (float32)."""
    return tf.cast(z > 0, tf.float32)


@keras.saving.register_keras_serializable(package="tfsheet")
class OneHotToBinary(keras.layers.Layer):
    """Appended to a trained one-hot network, outputs the 4-bit binary code of its predicted digit (see the module).

    Attributes:
        depth: layers of threshold units (4, or 1 for the textbook version).
        parameter_count: fixed weights and biases in all of them (none is trainable).
    """

    def __init__(self, winner_take_all=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(winner_take_all, bool):
            raise ValueError(f"winner_take_all must be a bool. Received: winner_take_all={winner_take_all!r}")
        self.winner_take_all = winner_take_all
        arrays = winner_take_all_layers() if winner_take_all else textbook_layers()
        self.units = [(tf.constant(weights), tf.constant(biases)) for weights, biases in arrays]
        self.depth = len(arrays)
        self.parameter_count = int(sum(weights.size + biases.size for weights, biases in arrays))

    def build(self, input_shape):
        self._check_width(input_shape)

    def call(self, y):
        self._check_width(y.shape)
        activity = tf.cast(y, tf.float32)                                  # (N, 10)
        for weights, biases in self.units:
            activity = step(tf.matmul(activity, weights) + biases)          # each unit: step(w . x + b)
        return activity                                                    # (N, 4)

    def _check_width(self, shape):
        if shape[-1] != encodings.NUM_DIGITS:
            raise ValueError(f"OneHotToBinary takes the 10 outputs of a one-hot network. "
                             f"Received: input_shape={tuple(shape)}")

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], encodings.NUM_BITS)

    def get_config(self):
        return {**super().get_config(), "winner_take_all": self.winner_take_all}
