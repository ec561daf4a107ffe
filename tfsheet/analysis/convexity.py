"""Problem 3.3: the cross-entropy of a linear-hidden net is not convex in its parameters.

Certificate by a chord. L(theta) is convex only if L(t a + (1 - t) b) <= t L(a) + (1 - t) L(b)
for all a, b and t in [0, 1]. Take a = a trained net (W1, b1, W2, b2) and b = its twin with every
hidden unit's sign flipped, (-W1, -b1, -W2, b2): the same function, so L(a) = L(b). Their midpoint
has W1 = 0, b1 = 0, W2 = 0, a net that ignores its input, whose loss is far higher. One such
violated inequality proves non-convexity.

Curvature. The Hessian at a point is not positive semi-definite when some direction u has
u^T H u < 0. Lanczos iteration on Hessian-vector products (double back-propagation, no n x n
matrix) estimates the extreme eigenvalues; the Ritz vector of the smallest is then checked with one
more product, so a negative Rayleigh quotient is an exact certificate, not an estimate.

Logistic regression, by contrast, is convex: its Hessian is the mean of
(diag(a) - a a^T) kron x x^T, a Kronecker product of two PSD matrices. At sample points the
smallest Ritz value is checked to be >= 0 up to round-off, which is a check, not a proof.

Everything here is float64 and works on flat parameter vectors theta.
"""

import numpy as np
import tensorflow as tf


def cross_entropy(logits, labels):
    """Mean -log softmax(z)_y, twice differentiable (log_softmax, not the fused TF kernel)."""
    return -tf.reduce_mean(tf.gather(tf.nn.log_softmax(logits), labels, axis=-1, batch_dims=1))


def linear_hidden_loss(x, labels, num_hidden, num_classes=10):
    """theta = [W1 (H, D), b1 (H), W2 (C, H), b2 (C)] flattened -> mean cross-entropy on (x, labels)."""
    x = tf.constant(x, tf.float64)
    labels = tf.constant(labels, tf.int64)
    num_features = x.shape[1]
    sizes = [num_hidden * num_features, num_hidden, num_classes * num_hidden, num_classes]

    def loss(theta):
        W1, b1, W2, b2 = tf.split(theta, sizes)
        hidden = tf.matmul(x, tf.reshape(W1, [num_hidden, num_features]), transpose_b=True) + b1   # (N, H)
        return cross_entropy(tf.matmul(hidden, tf.reshape(W2, [num_classes, num_hidden]), transpose_b=True) + b2,
                             labels)

    return loss


def logistic_loss(x, labels, num_classes=10):
    """theta = [W (C, D), b (C)] flattened -> mean cross-entropy of logistic regression."""
    x = tf.constant(x, tf.float64)
    labels = tf.constant(labels, tf.int64)
    num_features = x.shape[1]

    def loss(theta):
        W, b = tf.split(theta, [num_classes * num_features, num_classes])
        return cross_entropy(tf.matmul(x, tf.reshape(W, [num_classes, num_features]), transpose_b=True) + b, labels)

    return loss


def flatten(*arrays):
    return np.concatenate([np.asarray(a, np.float64).ravel() for a in arrays])


def chord_certificate(loss, a, b, t=0.5):
    """Evaluate L on the chord between a and b: the gap > 0 certifies non-convexity."""
    mixed = float(loss(tf.constant(t * a + (1 - t) * b)))
    chord = t * float(loss(tf.constant(a))) + (1 - t) * float(loss(tf.constant(b)))
    return {"t": t, "loss_a": float(loss(tf.constant(a))), "loss_b": float(loss(tf.constant(b))),
            "loss_at_mixture": mixed, "mixture_of_losses": chord, "gap": mixed - chord}


def hessian_vector_product(loss):
    """theta, v -> H(theta) v by double back-propagation."""

    @tf.function
    def product(theta, v):
        with tf.GradientTape() as outer:
            outer.watch(theta)
            with tf.GradientTape() as inner:
                inner.watch(theta)
                value = loss(theta)
            directional = tf.reduce_sum(inner.gradient(value, theta) * v)
        return outer.gradient(directional, theta)

    return product


def hessian_extremes(loss, theta, iterations=60, seed=0):
    """Lanczos estimates of the smallest and largest Hessian eigenvalues at theta, with a certificate.

    Returns a dict: `smallest` and `largest` Ritz values, and `rayleigh_smallest`, u^T H u / u^T u
    for the Ritz vector u of the smallest, computed afresh: when it is negative, H is indefinite.
    """
    product = hessian_vector_product(loss)
    theta = tf.constant(theta, tf.float64)
    size = int(theta.shape[0])
    steps = min(iterations, size)
    basis = np.zeros((steps + 1, size))
    start = np.random.default_rng(seed).normal(size=size)
    basis[0] = start / np.linalg.norm(start)
    alphas, betas = [], []
    for j in range(steps):
        w = product(theta, tf.constant(basis[j])).numpy()
        alphas.append(w @ basis[j])
        w -= basis[:j + 1].T @ (basis[:j + 1] @ w)        # full re-orthogonalisation
        w -= basis[:j + 1].T @ (basis[:j + 1] @ w)
        betas.append(np.linalg.norm(w))
        if betas[-1] < 1e-12:
            break
        basis[j + 1] = w / betas[-1]
    m = len(alphas)
    tridiagonal = np.diag(alphas) + np.diag(betas[:m - 1], 1) + np.diag(betas[:m - 1], -1)   # (m, m)
    values, vectors = np.linalg.eigh(tridiagonal)
    ritz = basis[:m].T @ vectors[:, 0]                     # (size,)
    rayleigh = float(ritz @ product(theta, tf.constant(ritz)).numpy() / (ritz @ ritz))
    return {"smallest": float(values[0]), "largest": float(values[-1]), "rayleigh_smallest": rayleigh,
            "iterations": m, "dimension": size}
