"""Dynamic evaluation (Krause et al. 2018): a recurrent language model that keeps learning, in order,
from the text it has already been scored on (Problem 5.1 "in practice"; the same in-order learning as
TBPTT with carried state, applied at test time).

The split is read as one stream in segments s_1, s_2, ... of `window` tokens, the state carried:

    log P(s_i | s_<i; theta_{i-1})   is scored first, with the weights learned from s_<i only;
    theta_i = theta_{i-1} - eta g_i + decay (theta_0 - theta_{i-1}),   g_i = grad_theta L(s_i; theta_{i-1})

with L the mean cross-entropy of segment i (its gradient truncated at the segment's start, as in
TBPTT) and theta_0 the trained ("static") weights, to which `decay` pulls back. Every token is
predicted before any gradient of it is taken, so the score is a fair sequential log-likelihood;
eta = 0 gives the static model's loss exactly. The model passed in is never changed: the updates are
made on a copy.
"""

import numpy as np
import tensorflow as tf

from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.models.losses import token_cross_entropy
from tfsheet.training.tbptt import log_softmax_at


def dynamic_log_probs(model, inputs, targets, *, learning_rate, window, decay=0.0):
    """log P(targets[t]) in nats (N,) under dynamic evaluation of `model` along the sequence.

    Args:
        model: a trained RNNLanguageModel; left unchanged.
        inputs, targets: 1-D int token ids of one length N.
        learning_rate: eta >= 0 of the SGD step after each segment (0: the static model).
        window: segment length (tokens scored between updates), an int >= 1.
        decay: lambda in [0, 1], the pull of each step back towards the trained weights.
    Returns the log-probabilities of all N targets (a last, shorter segment is scored too).
    """
    if not isinstance(model, RNNLanguageModel):
        raise TypeError(f"model must be an RNNLanguageModel. Received: {type(model).__name__}")
    if not learning_rate >= 0:                                   # (also refuses NaN)
        raise ValueError(f"learning_rate must be >= 0. Received: learning_rate={learning_rate!r}")
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1. Received: window={window!r}")
    if not 0 <= decay <= 1:
        raise ValueError(f"decay must be in [0, 1]. Received: decay={decay!r}")
    inputs, targets = np.asarray(inputs, np.int32), np.asarray(targets, np.int32)
    if inputs.shape != targets.shape or inputs.ndim != 1:
        raise ValueError(f"inputs and targets must be 1-D of one length. Received: {inputs.shape}, {targets.shape}")
    if len(inputs) == 0:
        raise ValueError("inputs and targets are empty")

    learner = RNNLanguageModel.from_config(model.get_config())       # a copy: the trained model stays static
    learner.set_weights(model.get_weights())
    static = [tf.constant(variable) for variable in learner.trainable_variables]          # theta_0
    step = _segment_step(learner, static, float(learning_rate), float(decay))
    state = learner.zero_state(1)                                                         # (1, H)
    logits = []
    for start in range(0, len(inputs), window):
        x, y = inputs[None, start:start + window], targets[None, start:start + window]   # (1, k) each
        segment_logits, state = step(tf.constant(x), tf.constant(y), state)              # (1, k, V), (1, H)
        logits.append(segment_logits.numpy()[0])
    return log_softmax_at(np.concatenate(logits), targets)                                # (N,)


def _segment_step(model, static, learning_rate, decay):
    """One tf.function: score a segment with the current weights, then take the SGD step on it."""
    @tf.function(reduce_retracing=True)
    def step(x, y, state):
        with tf.GradientTape() as tape:
            logits, final = model(x, state, training=False)                                # (1, k, V), (1, H)
            loss = tf.reduce_mean(token_cross_entropy(y, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        for variable, grad, theta_0 in zip(model.trainable_variables, grads, static):
            variable.assign_sub(learning_rate * tf.convert_to_tensor(grad) + decay * (variable - theta_0))
        return logits, tf.stop_gradient(final)
    return step
