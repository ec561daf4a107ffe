"""Losses and metrics shared by the digit classifiers whose outputs include `logits` (Problems 1 and 3)."""

import tensorflow as tf

from tfsheet.softmax_regression import softmax_cross_entropy


def cross_entropy_loss(labels, outputs):
    """Per-example -log softmax(z)_y, with the hand-derived gradient a - e_y."""
    return softmax_cross_entropy(labels, outputs["logits"])


def accuracy(labels, outputs):
    """Per-example 1.0 where argmax z equals the integer label."""
    predicted = tf.argmax(outputs["logits"], axis=-1, output_type=labels.dtype)
    return tf.cast(tf.equal(predicted, labels), tf.float32)


CLASSIFIER_METRICS = {"accuracy": accuracy}
