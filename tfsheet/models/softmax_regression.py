"""Problem 1's model: the SoftmaxRegression layer on 784 MNIST pixels, 10 classes (C = 10, D = 784)."""

import keras

from tfsheet.data.mnist import NUM_CLASSES, NUM_PIXELS
from tfsheet.layers import SoftmaxRegression


def build_softmax_regression(num_features=NUM_PIXELS, num_classes=NUM_CLASSES):
    """A functional Keras model `pixels -> {logits, probabilities}`."""
    pixels = keras.Input(shape=(num_features,), name="pixels")
    outputs = SoftmaxRegression(num_classes, name="softmax_regression")(pixels)
    return keras.Model(pixels, outputs, name="softmax_regression")
