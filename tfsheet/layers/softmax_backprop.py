"""Problem 1: multiclass logistic regression and its backpropagation, derived by hand.

For one example (x, y), with W of shape (C, D) and b of size C (sheet eqs. 1.1-1.4):

    z = W x + b                       (1.1)
    a = softmax(z),  a_i = e^{z_i} / sum_l e^{z_l}     (1.2, 1.3)
    l = -log a_y                      (1.4)

Backpropagation, one layer at a time (e_y is the one-hot vector of class y):

    dl/da_i = -[i = y] / a_y                    i.e.  dl/da = -e_y / a_y
    da_i/dz_j = a_i ([i = j] - a_j)             (softmax Jacobian)
    dl/dz_j = sum_i dl/da_i da_i/dz_j = -(1/a_y) a_y ([y = j] - a_j) = a_j - [j = y]
                                                 i.e.  dl/dz = a - e_y
    dl/dW = dl/dz x^T      (C, D), since z_i = sum_k W_ik x_k + b_i
    dl/db = dl/dz          (C,)

Over a mini-batch of N examples the loss is the mean, so each gradient is the mean of the
per-example ones. dl/da divides by a_y, which underflows to 0 for confident wrong predictions;
training therefore never forms it and goes from z straight to dl/dz = a - e_y, computing
log a with the log-sum-exp trick, which stays finite for logits of any size.

`backprop` is the single-example reference in numpy; `affine` and `softmax_cross_entropy`
are the TensorFlow ops with these derivatives as their hand-written gradients.
"""

import numpy as np
import tensorflow as tf


def backprop(W, b, x, y):
    """The four derivatives of Problem 1 for one training point, in float64.

    Args:
        W: (C, D) weights.  b: (C,) biases.  x: (D,) input.  y: int class in 0..C-1.

    Returns:
        dict with `dl_da` (C,), `dl_dz` (C,), `dl_dW` (C, D), `dl_db` (C,). `dl_da` is
        -inf at y when a_y underflows to 0; the other three are always finite.
    """
    W, b, x = (np.asarray(v, dtype=np.float64) for v in (W, b, x))
    if W.ndim != 2 or b.shape != (W.shape[0],) or x.shape != (W.shape[1],):
        raise ValueError(f"Expected W (C, D), b (C,), x (D,); received W={W.shape}, b={b.shape}, x={x.shape}.")
    num_classes = W.shape[0]
    if not (isinstance(y, (int, np.integer)) and 0 <= y < num_classes):
        raise ValueError(f"y must be an int class in 0..{num_classes - 1}; received y={y!r}.")
    z = W @ x + b                                    # (C,)
    a = np.exp(z - z.max())
    a /= a.sum()                                     # softmax, shifted for stability
    e_y = np.eye(num_classes)[y]                     # (C,)
    with np.errstate(divide="ignore", invalid="ignore"):
        dl_da = -e_y / a[y]                          # (C,)
    dl_da[e_y == 0] = 0.0                            # -0/a_y: exactly zero off the label
    dl_dz = a - e_y                                  # (C,)
    return {"dl_da": dl_da, "dl_dz": dl_dz, "dl_dW": np.outer(dl_dz, x), "dl_db": dl_dz}


@tf.custom_gradient
def affine(x, W, b):
    """z = W x + b for a batch of rows x (N, D), W (C, D), b (C,), with hand-written backward.

    Given dl/dz (N, C): dl/dW = sum_n dl/dz_n x_n^T, dl/db = sum_n dl/dz_n, dl/dx = dl/dz W.
    """
    z = tf.matmul(x, W, transpose_b=True) + b        # (N, C)

    def backward(dl_dz):                              # (N, C)
        dl_dx = tf.matmul(dl_dz, W)                   # (N, D)
        dl_dW = tf.matmul(dl_dz, x, transpose_a=True)  # (C, D)
        dl_db = tf.reduce_sum(dl_dz, axis=0)          # (C,)
        return dl_dx, dl_dW, dl_db

    return z, backward


@tf.custom_gradient
def softmax_cross_entropy(labels, z):
    """Per-example l = -log softmax(z)_y for labels (N,) int and logits z (N, C).

    Forward: log a = z - logsumexp(z), stable for any finite z.  Backward: dl/dz = a - e_y.
    """
    log_a = z - tf.reduce_logsumexp(z, axis=-1, keepdims=True)     # (N, C)
    loss = -tf.gather(log_a, labels, axis=-1, batch_dims=1)         # (N,)

    def backward(dl_dloss):                                          # (N,)
        e_y = tf.one_hot(labels, tf.shape(z)[-1], dtype=z.dtype)     # (N, C)
        dl_dz = tf.exp(log_a) - e_y                                  # (N, C)
        return None, dl_dloss[:, None] * dl_dz

    return loss, backward
