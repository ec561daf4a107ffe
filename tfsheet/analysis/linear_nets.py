"""Problem 3.1 and 3.2: what linear hidden units can and cannot add to logistic regression.

A net with identity hidden units computes z = W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2):
logistic regression with W = W2 W1 and b = W2 b1 + b2 (`collapse`). So it is never more powerful
than logistic regression, and W = W2 W1 has rank at most H.

Conversely (`expand`), logistic regression's W factors through H hidden units whenever H is at
least the rank it needs. softmax(z + c) = softmax(z) for any c added to every logit, so W and
W + 1 v^T give the same probabilities; the smallest rank among them is the rank of the centred
matrix P W = W - 1 mean_rows(W) (P projects out the all-ones direction, so rank <= C - 1 = 9).
Hence H >= 9 represents every logistic regression's probabilities exactly, and H >= 10 its
logits too (W1 = [W; 0], W2 = [I 0]); H = 25 can do everything logistic regression can.

With H = 4 the rank is at most 4, and the best such model in the least-squares sense on the
weights is the truncated SVD of P W (`best_rank_approximation`, Eckart-Young).
"""

import numpy as np

from tfsheet.models.linear_hidden import build_linear_hidden_net
from tfsheet.models.softmax_regression import build_softmax_regression


def linear_hidden_parameters(net):
    """(W1 (H, D), b1 (H,), W2 (C, H), b2 (C,)) of a linear-hidden net, in float64, sheet orientation."""
    hidden, output = net.get_layer("hidden"), net.get_layer("output")
    return (np.asarray(hidden.kernel, np.float64).T, np.asarray(hidden.bias, np.float64),
            np.asarray(output.W, np.float64), np.asarray(output.b, np.float64))


def set_linear_hidden_parameters(net, W1, b1, W2, b2):
    """Load (W1 (H, D), b1 (H,), W2 (C, H), b2 (C,)) into `net`; shapes must match the net's."""
    expected = [tuple(np.shape(p)) for p in linear_hidden_parameters(net)]
    received = [tuple(np.shape(p)) for p in (W1, b1, W2, b2)]
    if received != expected:
        raise ValueError(f"Parameter shapes must be W1, b1, W2, b2 = {expected}. Received: {received}")
    net.get_layer("hidden").kernel.assign(np.asarray(W1).T)
    net.get_layer("hidden").bias.assign(b1)
    net.get_layer("output").W.assign(W2)
    net.get_layer("output").b.assign(b2)
    return net


def logistic_parameters(model):
    """(W (C, D), b (C,)) of a softmax-regression model, in float64."""
    layer = model.get_layer("softmax_regression")
    return np.asarray(layer.W, np.float64), np.asarray(layer.b, np.float64)


def logistic_regression_from(W, b):
    """A softmax-regression model with weights W (C, D) and biases b (C,)."""
    W, b = np.asarray(W), np.asarray(b)
    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise ValueError(f"Expected W (C, D) and b (C,). Received: W.shape={W.shape}, b.shape={b.shape}")
    model = build_softmax_regression(num_features=W.shape[1], num_classes=W.shape[0])
    layer = model.get_layer("softmax_regression")
    layer.W.assign(W)
    layer.b.assign(b)
    return model


def collapse(net):
    """The logistic regression W = W2 W1, b = W2 b1 + b2 that computes exactly what `net` does."""
    W1, b1, W2, b2 = linear_hidden_parameters(net)
    return logistic_regression_from(W2 @ W1, W2 @ b1 + b2)  # (C, D), (C,)


def centred(W):
    """P W: W with the mean of its rows subtracted, the representative of smallest rank under the
    softmax's invariance W -> W + 1 v^T."""
    return W - W.mean(axis=0, keepdims=True)


def numerical_rank(matrix, rtol=1e-6):
    """The number of singular values above rtol times the largest."""
    singular_values = np.linalg.svd(np.asarray(matrix, np.float64), compute_uv=False)
    return int(np.sum(singular_values > rtol * singular_values[0])) if singular_values[0] > 0 else 0


def expand(model, num_hidden=25):
    """A linear-hidden net with `num_hidden` units giving the probabilities of logistic regression `model`.

    H >= C: the exact embedding W1 = [W; 0], b1 = 0, W2 = [I 0], b2 = b (identical logits).
    rank(P W) <= H < C: a factorisation of P W by its SVD (identical probabilities).

    Raises:
        ValueError: when num_hidden is below the rank the model needs.
    """
    W, b = logistic_parameters(model)
    num_classes, num_features = W.shape
    if not isinstance(num_hidden, int) or num_hidden < 1:
        raise ValueError(f"num_hidden must be an int >= 1. Received: num_hidden={num_hidden!r}")
    net = build_linear_hidden_net(num_hidden, num_features, num_classes)
    W1 = np.zeros((num_hidden, num_features))
    W2 = np.zeros((num_classes, num_hidden))
    if num_hidden >= num_classes:
        W1[:num_classes] = W
        W2[:, :num_classes] = np.eye(num_classes)
    else:
        needed = numerical_rank(centred(W))
        if num_hidden < needed:
            raise ValueError(f"This logistic regression needs rank {needed} (modulo the softmax's shift "
                             f"invariance), more than num_hidden={num_hidden} hidden units can carry; "
                             "best_rank_approximation gives the closest model that fits.")
        U, S, Vt = np.linalg.svd(centred(W), full_matrices=False)
        W2[:, :needed] = U[:, :needed] * S[:needed]   # (C, r)
        W1[:needed] = Vt[:needed]                     # (r, D)
    return set_linear_hidden_parameters(net, W1, np.zeros(num_hidden), W2, b)


def best_rank_approximation(model, rank):
    """Logistic regression with P W replaced by its best rank-`rank` approximation (truncated SVD)."""
    W, b = logistic_parameters(model)
    if not isinstance(rank, int) or not 0 <= rank <= min(W.shape):
        raise ValueError(f"rank must be an int in 0..{min(W.shape)}. Received: rank={rank!r}")
    U, S, Vt = np.linalg.svd(centred(W), full_matrices=False)
    return logistic_regression_from((U[:, :rank] * S[:rank]) @ Vt[:rank], b)  # (C, D)


def singular_values(model):
    """Singular values of the centred weight matrix P W of a logistic regression, largest first."""
    return np.linalg.svd(centred(logistic_parameters(model)[0]), compute_uv=False)
