"""UORO (Tallec & Ollivier, 2017): an unbiased rank-one estimate of RTRL's sensitivities, for Problem 5.2.

RTRL carries P_n = dh_n/dθ, an H x |θ| matrix (tfsheet.training.rtrl). UORO carries instead two
vectors whose outer product estimates it, s̃_n (H) and θ̃_n (|θ|), with E[s̃_n θ̃_n^T] = P_n. With
h_n = F(x_n, h_{n-1}, θ), J_n = dF/dh_{n-1} and a fresh random sign vector ν (H) each step:

    s̃_n = ρ0 J_n s̃_{n-1} + ρ1 ν
    θ̃_n = θ̃_{n-1} / ρ0 + (ν^T dF/dθ) / ρ1
    ρ0 = sqrt(|θ̃_{n-1}| / |J_n s̃_{n-1}|),   ρ1 = sqrt(|ν^T dF/dθ| / |ν|)     (the variance-minimising scales)

and the step's gradient estimate is (dF_n/dh_n · s̃_n) θ̃_n plus the readout's exact local gradient.
Unbiased because E[ν ν^T] = I; the price is variance. For the tanh cell, with D_n = 1 - h_n^2:

    J_n s̃ = D_n ⊙ (W_hh s̃)
    ν^T dF/dW_hh = (ν ⊙ D_n) h_{n-1}^T,   ν^T dF/dW_xh = (ν ⊙ D_n) x_n^T,   ν^T dF/db_h = ν ⊙ D_n

O(H^2 + H V) time and memory per step, BPTT's order, against RTRL's O(H^4) and O(H^3).
"""

import tensorflow as tf

from tfsheet.training.rtrl import check_sequence_problem, ordered

_EPSILON = 1e-7   # keeps ρ0 and ρ1 finite when s̃ or θ̃ is still zero (ρ = 1 there)


def zero_estimate(model, batch):
    """(s̃, θ̃_xh, θ̃_hh, θ̃_b) for `batch` independent streams, all zero."""
    H, V, dtype = model.hidden_size, model.vocab_size, model.compute_dtype
    return (tf.zeros([batch, H], dtype), tf.zeros([batch, H, V], dtype), tf.zeros([batch, H, H], dtype),
            tf.zeros([batch, H], dtype))


def signs(seed, step, shape, dtype):
    """ν: independent ±1 entries, a function of (seed, step) only (so a resumed run draws the same ones)."""
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(step, tf.int64)])
    uniform = tf.random.stateless_uniform(shape, seed=key)
    return tf.cast(tf.where(uniform < 0.5, -1.0, 1.0), dtype)


def uoro_step(model, token, target, h, estimate, nu):
    """One UORO step for tokens (B,) and targets (B,) with signs nu (B, H): returns the step's summed loss,
    its gradient estimates (by variable id), the new state and the new estimate (s̃, θ̃_xh, θ̃_hh, θ̃_b)."""
    cell, readout = model.cell, model.readout
    s, t_xh, t_hh, t_b = estimate                                           # (B,H), (B,H,V), (B,H,H), (B,H)
    x = tf.one_hot(token, model.vocab_size, dtype=h.dtype)                  # (B, V)
    h_next = cell.step(token, h)                                            # (B, H)
    D = 1.0 - tf.square(h_next)                                             # (B, H)
    J_s = D * tf.matmul(s, cell.W_hh, transpose_b=True)                     # (B, H): D ⊙ (W_hh s̃)
    nu_D = nu * D                                                           # (B, H)
    v_xh = nu_D[:, :, None] * x[:, None, :]                                 # (B, H, V): ν^T dF/dW_xh
    v_hh = nu_D[:, :, None] * h[:, None, :]                                 # (B, H, H): ν^T dF/dW_hh
    v_b = nu_D                                                              # (B, H):    ν^T dF/db_h

    theta_norm = _norm(t_xh, t_hh, t_b)                                     # (B,)
    rho0 = tf.sqrt((theta_norm + _EPSILON) / (_norm(J_s) + _EPSILON))       # (B,)
    rho1 = tf.sqrt((_norm(v_xh, v_hh, v_b) + _EPSILON) / (_norm(nu) + _EPSILON))
    s = rho0[:, None] * J_s + rho1[:, None] * nu
    t_xh = t_xh / rho0[:, None, None] + v_xh / rho1[:, None, None]
    t_hh = t_hh / rho0[:, None, None] + v_hh / rho1[:, None, None]
    t_b = t_b / rho0[:, None] + v_b / rho1[:, None]

    logits = readout(h_next)                                                # (B, V_out)
    loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(target, logits))
    error = tf.nn.softmax(logits) - tf.one_hot(target, model.output_size, dtype=h.dtype)
    dF_dh = tf.matmul(error, readout.kernel, transpose_b=True)              # (B, H)
    c = tf.reduce_sum(dF_dh * s, axis=1)                                    # (B,): dF_n/dh_n · s̃_n
    grads = {id(cell.W_xh): tf.einsum("b,bkv->kv", c, t_xh), id(cell.W_hh): tf.einsum("b,bkl->kl", c, t_hh),
             id(cell.b_h): tf.einsum("b,bk->k", c, t_b),
             id(readout.kernel): tf.matmul(h_next, error, transpose_a=True), id(readout.bias): tf.reduce_sum(error, 0)}
    return loss, grads, h_next, (s, t_xh, t_hh, t_b)


def uoro_gradients(model, inputs, targets, initial_state=None, seed=0):
    """UORO's gradient estimate of the summed cross-entropy over a sequence. Returns (loss, gradients).

    Each row of `inputs` is an independent stream with its own signs, so B copies of one sequence
    give the mean of B independent estimates.
    """
    inputs, targets, h = check_sequence_problem(model, inputs, targets, initial_state)
    estimate = zero_estimate(model, inputs.shape[0])
    step = tf.function(lambda token, target, state, estimate, n: uoro_step(
        model, token, target, state, estimate, signs(seed, n, tf.shape(state), state.dtype)))
    total_loss = tf.constant(0.0, h.dtype)
    totals = {id(v): tf.zeros_like(v) for v in model.trainable_variables}
    for n in range(inputs.shape[1]):
        loss, grads, h, estimate = step(inputs[:, n], targets[:, n], h, estimate, tf.constant(n, tf.int64))
        total_loss += loss
        totals = {key: totals[key] + grads[key] for key in totals}
    return total_loss, ordered(model, totals)


def _norm(*tensors):
    """Per-stream Euclidean norm over all entries of `tensors` (each (B, ...)): (B,)."""
    squares = [tf.reduce_sum(tf.reshape(tf.square(t), [tf.shape(t)[0], -1]), axis=1) for t in tensors]
    return tf.sqrt(tf.add_n(squares))
