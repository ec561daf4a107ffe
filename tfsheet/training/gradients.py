"""Where a training step's gradients come from: by default TensorFlow's autodiff.

A gradient function has the signature
    gradients(model, loss, x, y) -> (mean_loss, gradients, outputs)
with `gradients` in the order of `model.trainable_variables`. The engine calls it inside its
compiled loop, so any source works: autodiff through hand-written custom gradients (Problem 1),
or a forward-mode recurrence such as RTRL (Problem 5.2).
"""

import tensorflow as tf


def autodiff_gradients(model, loss, x, y):
    """Mean per-example loss (plus any layer regularisation losses) differentiated with GradientTape."""
    with tf.GradientTape() as tape:
        outputs = model(x, training=True)
        mean_loss = tf.reduce_mean(loss(y, outputs))
        if model.losses:
            mean_loss += tf.add_n(model.losses)
    return mean_loss, tape.gradient(mean_loss, model.trainable_variables), outputs
