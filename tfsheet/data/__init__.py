"""Datasets and target encodings shared by all problems of the sheet."""

from tfsheet.data.encodings import ENCODINGS, INVALID, decode, encode
from tfsheet.data.mnist import MnistSplit, load_mnist
from tfsheet.data.text import load_tiny_shakespeare

__all__ = ["ENCODINGS", "INVALID", "MnistSplit", "decode", "encode", "load_mnist",
           "load_tiny_shakespeare"]
