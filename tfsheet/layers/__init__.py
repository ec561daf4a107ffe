"""Custom Keras layers, one per file, each implementing a piece of the sheet."""

from tfsheet.layers.one_hot_to_binary import OneHotToBinary
from tfsheet.layers.softmax_regression import SoftmaxRegression

__all__ = ["OneHotToBinary", "SoftmaxRegression"]
