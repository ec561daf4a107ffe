"""Generating text one character at a time from a recurrent language model with explicit state.

`step(tokens (1, T) int32, state (1, H)) -> (next-token probabilities (1, V), new state)` is all the
loop needs: a served SavedModel's signature or `compiled_step(model)` for a Keras model. The prompt
goes in as one call, then one token per call; the shapes vary only in T, which the signature leaves
open, so the compiled step is traced once.
"""

import numpy as np
import tensorflow as tf


def compiled_step(model):
    """The step over an RNNLanguageModel, through its compiled call: one trace serves every call."""
    call = model.compiled_call()

    def step(tokens, state):
        logits, final = call(tokens, state)                              # (1, T, V), (1, H)
        return tf.nn.softmax(logits[:, -1]), final

    return step


def tempered(probabilities, temperature):
    """probabilities ** (1 / temperature), renormalised, computed in log space: a tiny temperature gives the argmax
    (greedy) rather than 0 / 0, a large one tends to uniform over the possible tokens."""
    probabilities = np.asarray(probabilities, np.float64)
    if not (np.all(probabilities >= 0) and np.all(np.isfinite(probabilities)) and np.any(probabilities > 0)):
        raise ValueError("probabilities must be finite, >= 0 and not all 0 (the model's output went wrong: NaN, "
                         f"negative or empty). Received: {probabilities[:8]}{' ...' if probabilities.size > 8 else ''}")
    with np.errstate(divide="ignore", over="ignore"):
        logits = (np.log(probabilities) - np.log(probabilities.max())) / temperature    # the top token's is 0
    weights = np.exp(logits)
    return weights / weights.sum()


def sample(step, vocabulary, prompt, length, hidden_size, temperature=1.0, seed=0):
    """`prompt` followed by `length` sampled characters (a str); never the unknown character, id 0."""
    if not prompt:
        raise ValueError("prompt must hold at least one character. Received: prompt=''")
    if not length >= 0 or not 0 < temperature < float("inf"):
        raise ValueError(f"need length >= 0 and a finite temperature > 0. Received: length={length}, "
                         f"temperature={temperature}")
    rng = np.random.default_rng(seed)
    tokens = vocabulary.encode(prompt)[None, :]                          # (1, P)
    state = np.zeros([1, hidden_size], np.float32)
    generated = []
    for _ in range(length):
        probabilities, state = step(tf.constant(tokens, tf.int32), tf.constant(state))
        probabilities = np.asarray(probabilities, np.float64)[0].copy()
        probabilities[0] = 0.0                       # id 0 is "a character never seen", not one to write
        weights = tempered(probabilities, temperature)
        token = int(rng.choice(len(weights), p=weights))
        generated.append(token)
        tokens = np.array([[token]], np.int32)                           # (1, 1): the state holds the past
        state = np.asarray(state)
    return prompt + vocabulary.decode(generated)
