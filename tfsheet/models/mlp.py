"""Problem 2's networks: 784-H-10 on one-hot targets and 784-H-4 on binary targets, squared loss.

    h = f(W1 x + b1)            (H,)    hidden layer, activation f (ReLU by default)
    y_hat = g(W2 h + b2)        (K,)    K = 10 (one-hot, digit 0 last) or 4 (binary), g = sigmoid
    L = sum_i ||y_hat_i - y_i||^2       the sheet's squared loss (tfsheet.models.losses.squared_loss);
                                        the engine minimises its mean over the mini-batch

and the two 784-H-10-4 designs of Q2.2 and Q2.3: the trained one-hot net with the fixed
one-hot-to-binary layer appended, and the same shape with every layer trained (its 10-unit middle
layer sigmoid, since the sheet's step units have zero gradient almost everywhere).
"""

import keras

from tfsheet.data import encodings
from tfsheet.data.mnist import NUM_PIXELS
from tfsheet.layers import OneHotToBinary

OUTPUT_UNITS = {"one_hot": encodings.NUM_DIGITS, "binary": encodings.NUM_BITS}


def output_units(encoding):
    if encoding not in OUTPUT_UNITS:
        raise ValueError(f"Unknown encoding {encoding!r}; expected one of {tuple(OUTPUT_UNITS)}.")
    return OUTPUT_UNITS[encoding]


def build_mlp(num_hidden, encoding, hidden_activation="relu", output_activation="sigmoid", name=None):
    """A functional model `pixels (N, 784) -> scores (N, 10 or 4)`."""
    if not isinstance(num_hidden, int) or num_hidden < 1:
        raise ValueError(f"num_hidden must be an int >= 1. Received: num_hidden={num_hidden!r}")
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    hidden = keras.layers.Dense(num_hidden, activation=hidden_activation, name="hidden")(pixels)
    scores = keras.layers.Dense(output_units(encoding), activation=output_activation, name="output")(hidden)
    return keras.Model(pixels, scores, name=name or f"mlp_{encoding}_{num_hidden}")


def append_one_hot_to_binary(one_hot_model, winner_take_all=True):
    """Q2.2: the trained 784-H-10 net with the fixed OneHotToBinary layer on top (784-H-10-4)."""
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    bits = OneHotToBinary(winner_take_all=winner_take_all, name="one_hot_to_binary")(one_hot_model(pixels))
    return keras.Model(pixels, bits, name="mlp_onehot_to_binary")


def build_direct_binary(num_hidden, hidden_activation="relu"):
    """Q2.3: the 784-H-10-4 architecture with every layer trainable (the 10-unit middle layer sigmoid)."""
    if not isinstance(num_hidden, int) or num_hidden < 1:
        raise ValueError(f"num_hidden must be an int >= 1. Received: num_hidden={num_hidden!r}")
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    hidden = keras.layers.Dense(num_hidden, activation=hidden_activation, name="hidden")(pixels)
    middle = keras.layers.Dense(encodings.NUM_DIGITS, activation="sigmoid", name="middle")(hidden)
    bits = keras.layers.Dense(encodings.NUM_BITS, activation="sigmoid", name="output")(middle)
    return keras.Model(pixels, bits, name="mlp_direct_binary")
