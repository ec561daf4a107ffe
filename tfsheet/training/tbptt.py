"""Truncated backpropagation through time (Problem 5.1) on the shared engine.

The text is cut into B parallel streams; window w holds positions [w k, (w + 1) k) of every stream.
`stream_windows` lays the windows out so that the engine, with shuffle=False and batch size B, sees
window 0 of all streams, then window 1, and so on. The gradient sources then decide what crosses a
window boundary:

  carried_state_gradients: the final state of window w starts window w + 1 (forward information
      flows on without limit) but the tape starts afresh each window (gradients stop after k steps);
  reset_state_gradients: every window starts from h = 0 (the RNN truly sees at most k tokens);
  full BPTT is reset_state_gradients with one window as long as each whole sequence.

`train_on_streams` is the one set-up every recurrent experiment trains with (TBPTT, online RTRL,
the distributed char RNN).
"""

import keras
import numpy as np
import tensorflow as tf

from tfsheet.choices import SCHEDULES
from tfsheet.models.losses import token_cross_entropy
from tfsheet.training.engine import ArrayData, TrainConfig
from tfsheet.training.stream_state import read_rows, write_rows



def stream_windows(inputs, targets, num_streams, window):
    """Rows w * B + b hold window w of stream b: returns (x, y), each (num_windows * B, window)."""
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window (the truncation k) must be an int >= 1. Received: window={window!r}")
    if inputs.shape != targets.shape or inputs.ndim != 1:
        raise ValueError(f"inputs and targets must be 1-D of one length. Received: {inputs.shape}, {targets.shape}")
    per_stream = len(inputs) // num_streams // window * window
    if per_stream == 0:
        raise ValueError(f"{len(inputs)} tokens are too few for {num_streams} streams of windows of {window}")

    def layout(sequence):
        streams = sequence[:num_streams * per_stream].reshape(num_streams, per_stream // window, window)
        return streams.transpose(1, 0, 2).reshape(-1, window)               # (W * B, k)

    return layout(inputs), layout(targets)


def language_model_pairs(ids):
    """(inputs, targets) = (ids[:-1], ids[1:]): predict each token from those before it."""
    ids = np.asarray(ids)
    if len(ids) < 2:
        raise ValueError(f"need at least 2 tokens. Received: {len(ids)}")
    return ids[:-1], ids[1:]


def carried_state_gradients(model, loss, x, y):
    """TBPTT: start from the carried state, back-propagate within the window only, carry the new state.

    Under tf.distribute each replica carries the rows of its own streams (tfsheet.training.stream_state).
    """
    rows = tf.shape(x)[0]
    with tf.GradientTape() as tape:
        logits, final = model(x, read_rows(model.carried_state, rows), training=True)
        mean_loss = tf.reduce_mean(loss(y, logits))
    grads = tape.gradient(mean_loss, model.trainable_variables)
    write_rows(model.carried_state, final)  # forward information crosses windows, gradients cannot
    return mean_loss, grads, logits


def reset_state_gradients(model, loss, x, y):
    """Every window from h = 0: the model sees only the tokens of its window."""
    with tf.GradientTape() as tape:
        logits, _ = model(x, model.zero_state(tf.shape(x)[0]), training=True)
        mean_loss = tf.reduce_mean(loss(y, logits))
    return mean_loss, tape.gradient(mean_loss, model.trainable_variables), logits


def sequence_logits(model, inputs, chunk=2000, reset_every=None):
    """Next-token logits (N, V) of the RNN run over the sequence `inputs` (N,), as numpy.

    By default one stream (B = 1) in chunks of `chunk` steps with the state carried through;
    reset_every=k instead restarts from h = 0 every k steps (aligned with the training windows, for
    the reset model), evaluating all windows as one batch. A trailing partial window is dropped.
    """
    inputs = np.asarray(inputs, np.int32)

    run = model.compiled_call()
    if reset_every:
        usable = len(inputs) // reset_every * reset_every
        windows = inputs[:usable].reshape(-1, reset_every)                    # (W, k)
        return run(windows, model.zero_state(len(windows)))[0].numpy().reshape(usable, -1)
    state = model.zero_state(1)
    pieces = []
    for start in range(0, len(inputs), chunk):
        logits, state = run(inputs[None, start:start + chunk], state)
        pieces.append(logits.numpy()[0])
    return np.concatenate(pieces)                                             # (N, V)


def sequence_log_probs(model, inputs, targets, chunk=2000, reset_every=None):
    """log P(targets[t]) in nats under the RNN run over the sequence (see sequence_logits)."""
    logits = sequence_logits(model, inputs, chunk, reset_every)
    return log_softmax_at(logits, np.asarray(targets)[:len(logits)])


def sequence_predictions(model, inputs, targets, reset_every=None):
    """(log P(targets[t]), argmax prediction) per position of the RNN run over the whole sequence at once."""
    logits = sequence_logits(model, inputs, chunk=len(inputs), reset_every=reset_every)      # (N, V)
    return log_softmax_at(logits, np.asarray(targets)[:len(logits)]), np.argmax(logits, axis=1)


def log_softmax_at(logits, targets):
    """log softmax(logits)[t, targets[t]] for (N, V) logits, computed stably in numpy."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted[np.arange(len(targets)), targets] - np.log(np.exp(shifted).sum(axis=1))


def train_on_streams(runtime, build_model, inputs, targets, *, streams, window, gradients_for, learning_rate,
                     seed, name, epochs=1, workdir=None, clip_norm=None, after_epoch=None, schedule="constant",
                     callbacks=(), **train_options):
    """Train a recurrent language model on `streams` parallel streams in windows of `window` tokens.

    Adam on the token cross-entropy (the gradient rescaled to global norm <= clip_norm when given), data in order (window 0 of every stream, then window 1, ...),
    gradients from `gradients_for(model)` (TBPTT carried or reset, online RTRL). `schedule` is the
    learning rate over the run: "constant", or "cosine", eta_s = eta (1 + cos(pi s / S)) / 2 over the
    updates s = 0, ..., S - 1 of the run (S = epochs * windows): from eta down towards 0. `after_epoch(model)`,
    when given, is called after every epoch and what it returns (e.g. a validation loss) is added to
    that epoch's record: the learning curve; `callbacks` go to the trainer (say a KeepBest on that value).
    Returns (model, trainer, history).
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}. Received: schedule={schedule!r}")
    x, y = stream_windows(inputs, targets, streams, window)                    # (W * B, k) each
    if schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=epochs * (len(x) // streams))
    model, trainer = runtime.make_trainer(
        build_model, token_cross_entropy, lambda: keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm),
        TrainConfig(epochs=epochs, batch_size=streams, shuffle=False, seed=seed, **train_options),
        name=name, gradients_for=gradients_for, workdir=workdir, callbacks=callbacks)
    return model, trainer, trainer.fit(ArrayData(x, y), after_epoch=after_epoch)
