"""Target encodings of a digit label, shared by every MNIST problem (sheet Problem 2).

  integer  the label itself, 0..9
  one_hot  10 components with digit 0 LAST, as the sheet says: digit d sets index (d - 1) mod 10,
           so 1 -> index 0, 3 -> index 2, ..., 9 -> index 8, 0 -> index 9
  binary   4 bits, most significant first: 0 -> 0000, 1 -> 0001, ..., 9 -> 1001;
           codes 10..15 name no digit and decode to INVALID (always an error)
"""

import numpy as np

ENCODINGS = ("integer", "one_hot", "binary")
NUM_DIGITS = 10
NUM_BITS = 4
INVALID = -1
BIT_WEIGHTS = np.array([8, 4, 2, 1], dtype=np.int64)  # most significant bit first


def one_hot_index(digits):
    """Position of each digit's 1 in the one-hot code: (d - 1) mod 10 (digit 0 last)."""
    return (np.asarray(digits, dtype=np.int64) - 1) % NUM_DIGITS


def one_hot(labels):
    """(N,) labels -> (N, 10) float32 one-hot codes with digit 0 in the last component."""
    labels = _check_labels(labels)
    codes = np.zeros((len(labels), NUM_DIGITS), dtype=np.float32)
    codes[np.arange(len(labels)), one_hot_index(labels)] = 1.0
    return codes


def decode_one_hot(scores):
    """(N, 10) scores -> (N,) digits: the argmax component, read with digit 0 last."""
    scores = _check_width(scores, NUM_DIGITS, "one-hot")
    return _invalid_where_not_finite(scores, (np.argmax(scores, axis=-1).astype(np.int64) + 1) % NUM_DIGITS)


def _invalid_where_not_finite(scores, digits):
    """INVALID for every row of `scores` holding a NaN or an infinity: no digit is named by such scores."""
    return np.where(np.isfinite(scores).all(axis=-1), digits, INVALID)


def binary(labels):
    """(N,) labels -> (N, 4) float32 bits, most significant first."""
    labels = _check_labels(labels)
    return ((labels[:, None] & BIT_WEIGHTS) > 0).astype(np.float32)  # (N, 4)


def decode_binary(scores, threshold=0.5):
    """(N, 4) scores -> (N,) digits: bits are scores > threshold; codes 10..15 give INVALID (-1)."""
    scores = _check_width(scores, NUM_BITS, "binary")
    if (isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating))
            or not np.isfinite(threshold)):
        raise ValueError(f"threshold must be a finite number. Received: threshold={threshold!r}")
    codes = (scores > threshold).astype(np.int64) @ BIT_WEIGHTS  # (N,)
    return _invalid_where_not_finite(scores, np.where(codes < NUM_DIGITS, codes, INVALID))


def encode(labels, encoding):
    """Encode labels by name: one of ENCODINGS."""
    if encoding == "integer":
        return _check_labels(labels)
    if encoding == "one_hot":
        return one_hot(labels)
    if encoding == "binary":
        return binary(labels)
    raise ValueError(f"Unknown encoding {encoding!r}; expected one of {ENCODINGS}.")


def decode(scores, encoding):
    """Decode network outputs by encoding name back to digits (INVALID where no digit is named)."""
    if encoding == "one_hot":
        return decode_one_hot(scores)
    if encoding == "binary":
        return decode_binary(scores)
    if encoding == "integer":
        scores = _check_width(scores, NUM_DIGITS, "integer")          # component i is digit i
        return _invalid_where_not_finite(scores, np.argmax(scores, axis=-1).astype(np.int64))
    raise ValueError(f"Unknown encoding {encoding!r}; expected one of {ENCODINGS}.")


def _check_labels(labels):
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"Labels must be a 1-D integer array; received dtype={labels.dtype}, "
                         f"shape={labels.shape}.")
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_DIGITS):
        raise ValueError(f"Labels must be digits 0..9; received values from {labels.min()} to {labels.max()}.")
    return labels.astype(np.int64)


def _check_width(scores, width, name):
    scores = np.asarray(scores)
    if not (np.issubdtype(scores.dtype, np.floating) or np.issubdtype(scores.dtype, np.integer)):
        raise ValueError(f"{name} scores must be numbers (a float or int array); received dtype={scores.dtype}.")
    if scores.ndim != 2 or scores.shape[1] != width:
        raise ValueError(f"{name} scores must have shape (N, {width}); received shape={scores.shape}.")
    return scores


def tf_decode_one_hot(scores):
    """TensorFlow twin of decode_one_hot, for serving signatures: (N, 10) -> (N,) int64 digits."""
    import tensorflow as tf

    return _tf_invalid_where_not_finite(scores, (tf.argmax(scores, axis=-1) + 1) % NUM_DIGITS)


def _tf_invalid_where_not_finite(scores, digits):
    import tensorflow as tf

    finite = tf.reduce_all(tf.math.is_finite(scores), axis=-1)
    return tf.where(finite, digits, tf.constant(INVALID, tf.int64))


def tf_decode_binary(scores, threshold=0.5):
    """TensorFlow twin of decode_binary: (N, 4) -> (N,) int64 digits, INVALID for codes 10..15."""
    import tensorflow as tf

    codes = tf.reduce_sum(tf.cast(scores > threshold, tf.int64) * BIT_WEIGHTS, axis=-1)  # (N,)
    return _tf_invalid_where_not_finite(scores, tf.where(codes < NUM_DIGITS, codes, tf.constant(INVALID, tf.int64)))
