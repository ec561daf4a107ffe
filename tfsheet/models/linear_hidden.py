"""Problem 3's network: 784-H-10 with identity hidden units and a softmax output.

    h = W1 x + b1          (H,)    no non-linearity: f(x) = x
    z = W2 h + b2          (10,)
    a = softmax(z)                 trained with the cross-entropy of Problem 1

The output layer is Problem 1's SoftmaxRegression layer (W2 is 10 x H as the sheet writes it),
so training back-propagates through its hand-derived gradient into the hidden layer.
"""

import keras

from tfsheet.data.mnist import NUM_CLASSES, NUM_PIXELS
from tfsheet.layers import SoftmaxRegression


def build_linear_hidden_net(num_hidden, num_features=NUM_PIXELS, num_classes=NUM_CLASSES):
    """A functional model `pixels -> {logits, probabilities}` with H identity hidden units."""
    if not isinstance(num_hidden, int) or num_hidden < 1:
        raise ValueError(f"num_hidden must be an int >= 1. Received: num_hidden={num_hidden!r}")
    pixels = keras.Input(shape=(num_features,), name="pixels")
    hidden = keras.layers.Dense(num_hidden, activation=None, name="hidden")(pixels)
    outputs = SoftmaxRegression(num_classes, initializer="glorot_uniform", name="output")(hidden)
    return keras.Model(pixels, outputs, name=f"linear_hidden_{num_hidden}")
