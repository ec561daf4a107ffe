"""Problem 5.2: real-time recurrent learning (RTRL), the in-order alternative to BPTT.

The completed recurrence. With theta the cell's parameters (W_xh, W_hh, b_h) shared by every step,

    dh_n/dtheta = dh_n/dtheta_n + (dh_n/dh_{n-1}) dh_{n-1}/dtheta,      dh_0/dtheta = 0
    grad_theta F = sum_n (dF_n/dh_n) dh_n/dtheta

so the sensitivity P_n = dh_n/dtheta (an H x |theta| matrix per sequence) can be carried forward with the
state and each step's gradient is available at once: no stored history, no backward pass.

For h_n = tanh(a_n), a_n = W_xh x_n + W_hh h_{n-1} + b_h and D_n = diag(1 - h_n^2):

    dh_n/dh_{n-1} = D_n W_hh
    dh_n/dW_hh[k, l] (immediate) = D_n e_k h_{n-1, l},  dh_n/dW_xh[k, v] = D_n e_k x_{n, v},  dh_n/db_h[k] = D_n e_k

    P^hh_n[i, k, l] = D_n[i] ([i = k] h_{n-1, l} + sum_j W_hh[i, j] P^hh_{n-1}[j, k, l])    (and alike for W_xh, b_h)

The sum over j costs H^4 per step for W_hh (H^3 V for W_xh) and the sensitivities take H^3 + H^2 V
numbers: RTRL is O(H^4) time and O(H^3) memory per step, independent of the sequence length T, where
BPTT costs O(H^2) per step but O(T H) memory for the stored states. The readout y_n = W_hy h_n + b_y
is not recurrent, so its gradient is local: (p_n - e_{y_n}) h_n^T.

SnAp-1 (Menick et al., 2020) keeps only the entries of P that a parameter reaches in one step
(dh_i/dW[i, .], i.e. [i = k]), making the update O(H^2): cheaper, biased, and measured against exact RTRL.
"""

import numpy as np
import tensorflow as tf

from tfsheet.models.language_models import RNNLanguageModel


def check_sequence_problem(model, inputs, targets, initial_state):
    """(inputs, targets, initial state) as tensors, checked: a tanh RNNLanguageModel, int ids [batch, T], T >= 1."""
    if not isinstance(model, RNNLanguageModel) or model.cell_type != "tanh":
        raise ValueError(f"RTRL needs an RNNLanguageModel with the tanh cell. Received: {type(model).__name__}"
                         f"{'' if not isinstance(model, RNNLanguageModel) else ' with cell=' + model.cell_type}")
    for name, ids in (("inputs", inputs), ("targets", targets)):
        dtype = ids.dtype.as_numpy_dtype if isinstance(ids, tf.Tensor) else np.asarray(ids).dtype
        if not np.issubdtype(dtype, np.integer):
            raise ValueError(f"{name} must be integer token ids. Received dtype {np.dtype(dtype).name}")
    inputs, targets = tf.convert_to_tensor(inputs, tf.int32), tf.convert_to_tensor(targets, tf.int32)
    for name, ids, limit in (("inputs", inputs, model.vocab_size), ("targets", targets, model.output_size)):
        if not tf.executing_eagerly():     # traced (a tf.function): values are unknown here; the ops check ranges
            break
        if tf.size(ids) > 0 and (int(tf.reduce_min(ids)) < 0 or int(tf.reduce_max(ids)) >= limit):
            raise ValueError(f"{name} must be ids in 0..{limit - 1}. Received ids from {int(tf.reduce_min(ids))} "
                             f"to {int(tf.reduce_max(ids))}")
    if inputs.shape.rank != 2 or inputs.shape != targets.shape:
        raise ValueError(f"inputs and targets must both be int token ids of shape [batch, T]. "
                         f"Received: inputs {inputs.shape}, targets {targets.shape}")
    if inputs.shape[1] == 0:
        raise ValueError("sequence length T must be >= 1. Received: T=0")
    batch = inputs.shape[0]
    if initial_state is None:
        initial_state = model.zero_state(batch)
    initial_state = tf.convert_to_tensor(initial_state, model.compute_dtype)
    if initial_state.shape != (batch, model.hidden_size):
        raise ValueError(f"initial_state must have shape [{batch}, {model.hidden_size}]. Received: {initial_state.shape}")
    if not tf.executing_eagerly():
        initial_state = tf.debugging.check_numerics(initial_state, "initial_state must be finite; start from zeros")
    elif not bool(tf.reduce_all(tf.math.is_finite(initial_state))):
        raise ValueError("initial_state must be finite (NaN or inf found); start from zeros")
    return inputs, targets, initial_state


def ordered(model, by_variable):
    """Gradients in the order of model.trainable_variables."""
    return [by_variable[id(variable)] for variable in model.trainable_variables]


def bptt_gradients(model, inputs, targets, initial_state=None):
    """Full BPTT: tf.GradientTape over the unrolled sequence. Returns (summed loss, gradients)."""
    inputs, targets, initial_state = check_sequence_problem(model, inputs, targets, initial_state)
    with tf.GradientTape() as tape:
        logits, _ = model(inputs, initial_state)
        loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
    return loss, tape.gradient(loss, model.trainable_variables)


def zero_sensitivities(model, batch):
    H, V = model.hidden_size, model.vocab_size
    dtype = model.compute_dtype
    return (tf.zeros([batch, H, H, V], dtype), tf.zeros([batch, H, H, H], dtype), tf.zeros([batch, H, H], dtype))


def rtrl_step(model, token, target, h, sensitivities):
    """One RTRL step for tokens (B,) and targets (B,): returns the step's summed loss, its gradients
    (by variable id), the new state and the new sensitivities (P_xh, P_hh, P_b)."""
    cell, readout = model.cell, model.readout
    P_xh, P_hh, P_b = sensitivities                                       # (B,H,H,V), (B,H,H,H), (B,H,H)
    eye = tf.eye(model.hidden_size, dtype=h.dtype)                        # (H, H)
    x = tf.one_hot(token, model.vocab_size, dtype=h.dtype)                # (B, V)
    h_next = cell.step(token, h)                                          # (B, H)
    D = 1.0 - tf.square(h_next)                                           # (B, H)
    W_hh = tf.convert_to_tensor(cell.W_hh)
    P_hh = D[:, :, None, None] * (tf.einsum("ik,bl->bikl", eye, h) + tf.einsum("ij,bjkl->bikl", W_hh, P_hh))
    P_xh = D[:, :, None, None] * (tf.einsum("ik,bv->bikv", eye, x) + tf.einsum("ij,bjkv->bikv", W_hh, P_xh))
    P_b = D[:, :, None] * (eye[None] + tf.einsum("ij,bjk->bik", W_hh, P_b))

    logits = readout(h_next)                                              # (B, V_out)
    loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(target, logits))
    error = tf.nn.softmax(logits) - tf.one_hot(target, model.output_size, dtype=h.dtype)   # dF_n/dlogits (B, V_out)
    dF_dh = tf.matmul(error, readout.kernel, transpose_b=True)            # (B, H)
    grads = {id(cell.W_xh): tf.einsum("bi,bikv->kv", dF_dh, P_xh),
             id(cell.W_hh): tf.einsum("bi,bikl->kl", dF_dh, P_hh),
             id(cell.b_h): tf.einsum("bi,bik->k", dF_dh, P_b),
             id(readout.kernel): tf.matmul(h_next, error, transpose_a=True),   # (H, V_out), local
             id(readout.bias): tf.reduce_sum(error, axis=0)}
    return loss, grads, h_next, (P_xh, P_hh, P_b)


def rtrl_gradients(model, inputs, targets, initial_state=None):
    """Exact gradients of the summed cross-entropy by forward-mode RTRL. Returns (loss, gradients)."""
    inputs, targets, h = check_sequence_problem(model, inputs, targets, initial_state)
    return _accumulate(model, rtrl_step, inputs, targets, h, zero_sensitivities(model, inputs.shape[0]))


def _accumulate(model, step_function, inputs, targets, h, sensitivities):
    """Run `step_function` (compiled once) over the sequence, summing the losses and step gradients."""
    step = tf.function(lambda token, target, state, sens: step_function(model, token, target, state, sens))
    total_loss = tf.constant(0.0, h.dtype)
    totals = {id(v): tf.zeros_like(v) for v in model.trainable_variables}
    for n in range(inputs.shape[1]):
        loss, grads, h, sensitivities = step(inputs[:, n], targets[:, n], h, sensitivities)
        total_loss += loss
        totals = {key: totals[key] + grads[key] for key in totals}
    return total_loss, ordered(model, totals)


def snap1_step(model, token, target, h, sensitivities):
    """SnAp-1: like rtrl_step but keeping only P[b, i, k, .] with i = k: (B, H, V), (B, H, H), (B, H)."""
    cell, readout = model.cell, model.readout
    s_xh, s_hh, s_b = sensitivities
    x = tf.one_hot(token, model.vocab_size, dtype=h.dtype)
    h_next = cell.step(token, h)
    D = 1.0 - tf.square(h_next)
    self_weight = tf.linalg.diag_part(tf.convert_to_tensor(cell.W_hh))   # W_hh[i, i] (H,)
    s_hh = D[:, :, None] * (h[:, None, :] + self_weight[None, :, None] * s_hh)
    s_xh = D[:, :, None] * (x[:, None, :] + self_weight[None, :, None] * s_xh)
    s_b = D * (1.0 + self_weight[None] * s_b)
    logits = readout(h_next)
    loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(target, logits))
    error = tf.nn.softmax(logits) - tf.one_hot(target, model.output_size, dtype=h.dtype)
    dF_dh = tf.matmul(error, readout.kernel, transpose_b=True)
    grads = {id(cell.W_xh): tf.einsum("bk,bkv->kv", dF_dh, s_xh), id(cell.W_hh): tf.einsum("bk,bkl->kl", dF_dh, s_hh),
             id(cell.b_h): tf.reduce_sum(dF_dh * s_b, axis=0),
             id(readout.kernel): tf.matmul(h_next, error, transpose_a=True), id(readout.bias): tf.reduce_sum(error, 0)}
    return loss, grads, h_next, (s_xh, s_hh, s_b)


def snap1_gradients(model, inputs, targets, initial_state=None):
    """Approximate gradients by SnAp-1 over a sequence. Returns (loss, gradients)."""
    inputs, targets, h = check_sequence_problem(model, inputs, targets, initial_state)
    H, V, batch = model.hidden_size, model.vocab_size, inputs.shape[0]
    sensitivities = (tf.zeros([batch, H, V], h.dtype), tf.zeros([batch, H, H], h.dtype), tf.zeros([batch, H], h.dtype))
    return _accumulate(model, snap1_step, inputs, targets, h, sensitivities)
