"""Problem 2.2: a fixed layer that turns a one-hot net's 10 outputs into the 4 bits of its digit."""

import keras
import numpy as np
import tensorflow as tf

from tfsheet.data import encodings


def bit_matrix():
    """B (10, 4): row i holds the bits of the digit that one-hot component i stands for.

    Component i is digit (i + 1) mod 10 (digit 0 last), so row 0 is 0001 (digit 1), row 2 is
    0011 (digit 3), row 8 is 1001 (digit 9) and row 9 is 0000 (digit 0).
    """
    digits = (np.arange(encodings.NUM_DIGITS) + 1) % encodings.NUM_DIGITS
    return encodings.binary(digits)  # (10, 4)


@keras.saving.register_keras_serializable(package="tfsheet")
class OneHotToBinary(keras.layers.Layer):
    """Appended to a trained one-hot network, outputs the 4-bit binary code of its predicted digit.

    The construction, with no trainable weights:

        m = winner_take_all(y)          (10,)  1 at the largest of the 10 outputs, 0 elsewhere
        z = B^T m + b                   (4,)   weights B = bit_matrix(), bias b = -1/2 for every bit
        bits = step(z)                  (4,)   1 where z > 0: exactly the bits of the winning digit

    The classic textbook version (`winner_take_all=False`) feeds the outputs y straight into B^T y - 1/2.
    That is correct only when y is nearly one-hot: with the right output >= 0.99 and the others
    < 0.01, a set bit gets z >= 0.99 - 0.5 > 0 and a clear bit z <= 9 x 0.01 - 0.5 < 0. Real
    networks often break that premise (two outputs of 0.6 and 0.4 make bits of both digits look
    half set), so the default first keeps only the largest output, a fixed competitive step (a
    softmax at zero temperature). Then bits = the bits of argmax(y) for every input: the appended
    net makes exactly the one-hot net's decisions and its accuracy is the same.

    Input: (N, 10) one-hot scores, digit 0 last. Output: (N, 4) bits in {0, 1}, most significant first.
    """

    def __init__(self, winner_take_all=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(winner_take_all, bool):
            raise ValueError(f"winner_take_all must be a bool. Received: winner_take_all={winner_take_all!r}")
        self.winner_take_all = winner_take_all
        self.B = tf.constant(bit_matrix())                              # (10, 4)
        self.b = tf.constant(-0.5, tf.float32)

    def build(self, input_shape):
        self._check_width(input_shape)

    def call(self, y):
        self._check_width(y.shape)
        m = tf.one_hot(tf.argmax(y, axis=-1), encodings.NUM_DIGITS) if self.winner_take_all else y  # (N, 10)
        z = tf.matmul(tf.cast(m, tf.float32), self.B) + self.b          # (N, 4)
        return tf.cast(z > 0, tf.float32)

    def _check_width(self, shape):
        if shape[-1] != encodings.NUM_DIGITS:
            raise ValueError(f"OneHotToBinary takes the 10 outputs of a one-hot network. "
                             f"Received: input_shape={tuple(shape)}")

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], encodings.NUM_BITS)

    def get_config(self):
        return {**super().get_config(), "winner_take_all": self.winner_take_all}
