"""Every loss and metric the sheet's models train and are scored with, in one place.

Losses return one value per example, (N,); the engine minimises their mean over a mini-batch.

    cross_entropy_loss   -log softmax(z)_y with the hand-derived gradient a - e_y (Problems 1, 3)
    squared_loss         ||y_hat - y||^2 summed over the outputs (Problem 2's objective; Problem 4's fits)
    token_cross_entropy  -log p(next token), averaged over a row's positions (Problem 5)

Metrics take the same (targets, outputs) and return per-example values the engine averages.
"""

import tensorflow as tf

from tfsheet.data import encodings
from tfsheet.layers.softmax_backprop import softmax_cross_entropy


def cross_entropy_loss(labels, outputs):
    """Per-example -log softmax(z)_y for a classifier whose outputs include `logits` z (N, C)."""
    return softmax_cross_entropy(labels, outputs["logits"])


def squared_loss(targets, scores):
    """Per-example ||y_hat - y||^2, summed over the output units."""
    return tf.reduce_sum(tf.square(scores - targets), axis=-1)


def token_cross_entropy(targets, logits):
    """Per-row mean cross-entropy over positions: targets (B, T) or (B,), logits (B, T, V) or (B, V)."""
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(targets, tf.int32), logits)
    return losses if losses.shape.rank == 1 else tf.reduce_mean(losses, axis=-1)


def label_accuracy(labels, outputs):
    """Per-example 1.0 where argmax z equals the integer label."""
    predicted = tf.argmax(outputs["logits"], axis=-1, output_type=labels.dtype)
    return tf.cast(tf.equal(predicted, labels), tf.float32)


def one_hot_accuracy(targets, scores):
    """1.0 where the largest output is the target's component (argmax decoding)."""
    return tf.cast(tf.equal(tf.argmax(scores, -1), tf.argmax(targets, -1)), tf.float32)


def binary_accuracy(targets, scores):
    """1.0 where every bit, thresholded at 0.5, matches; an invalid code never matches a digit."""
    return tf.cast(tf.reduce_all(tf.equal(scores > 0.5, targets > 0.5), axis=-1), tf.float32)


def binary_invalid(targets, scores):
    """1.0 where the thresholded bits spell 10..15, a code that names no digit."""
    return tf.cast(tf.equal(encodings.tf_decode_binary(scores), encodings.INVALID), tf.float32)


CLASSIFIER_METRICS = {"accuracy": label_accuracy}
MLP_METRICS = {"one_hot": {"accuracy": one_hot_accuracy},
               "binary": {"accuracy": binary_accuracy, "invalid": binary_invalid}}
