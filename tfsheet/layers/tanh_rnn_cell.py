"""Problem 5's recurrent cell: h_n = tanh(W_xh x_n + W_hh h_{n-1} + b_h), with x_n a one-hot token.

The parameters stay explicit (W_xh is H x V, so W_xh x_n is column x_n of it) because both training
algorithms of the sheet use them: truncated BPTT differentiates the unrolled `sequence`, and RTRL
(Q5.2) carries dh_n/dtheta forward with the Jacobians of `step`.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfsheet")
class TanhRNNCell(keras.layers.Layer):
    """A vanilla tanh RNN cell over token ids.

    Args:
        vocab_size: V, the number of input tokens.
        hidden_size: H, the size of the state h.
    """

    def __init__(self, vocab_size, hidden_size, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("vocab_size", vocab_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1. Received: {name}={value!r}")
        self.vocab_size, self.hidden_size = vocab_size, hidden_size

    def build(self, input_shape=None):
        H, V = self.hidden_size, self.vocab_size
        self.W_xh = self.add_weight(name="W_xh", shape=(H, V), initializer=keras.initializers.RandomNormal(stddev=0.3))
        self.W_hh = self.add_weight(name="W_hh", shape=(H, H), initializer="orthogonal")
        self.b_h = self.add_weight(name="b_h", shape=(H,), initializer="zeros")

    def step(self, token, h):
        """One step: token (B,) int, h (B, H) -> h_next (B, H)."""
        x_part = tf.gather(tf.transpose(self.W_xh), token)                     # (B, H) = W_xh x_n
        return tf.tanh(x_part + tf.matmul(h, self.W_hh, transpose_b=True) + self.b_h)

    def call(self, tokens, initial_state):
        """tokens (B, T) int, initial_state (B, H) -> all states (B, T, H) and the last one (B, H)."""
        x_parts = tf.gather(tf.transpose(self.W_xh), tokens)                   # (B, T, H)
        W_hh_t = tf.transpose(self.W_hh)

        def advance(h, x_part):
            return tf.tanh(x_part + tf.matmul(h, W_hh_t) + self.b_h)

        states = tf.scan(advance, tf.transpose(x_parts, [1, 0, 2]), initializer=initial_state)  # (T, B, H)
        states = tf.transpose(states, [1, 0, 2])                               # (B, T, H)
        return states, states[:, -1]

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "hidden_size": self.hidden_size}
