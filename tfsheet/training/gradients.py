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
        mean_loss = tf.reduce_mean(per_example(loss(y, outputs)))
        if model.losses:
            mean_loss += tf.add_n(model.losses)
    return mean_loss, tape.gradient(mean_loss, model.trainable_variables), outputs


def per_example(values, name="loss"):
    """`values` checked to be one value per example, (N,): a scalar would make every sum a mean, silently."""
    if values.shape.rank is not None and values.shape.rank != 1:
        raise ValueError(f"The {name} must return one value per example, shape (N,); it returned shape "
                         f"{values.shape}. Return the per-example values and let the engine take the mean.")
    return values
