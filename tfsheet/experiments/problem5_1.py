"""Problem 5.1: n-gram models against an RNN trained with truncated BPTT: can the RNN learn
dependencies longer than its truncation k? Three experiments, each writing its results:

  shakespeare: bits per character on Tiny Shakespeare for n in `orders`: count Kneser-Ney n-gram,
      neural n-gram (context n - 1), RNN with TBPTT k = n, state carried or reset;
  probe: the truncation probe (dependencies at lags 3 and 8) for k in `probe_truncations`;
  copy: the copy task at distance L in {k/2, k, 2k, 4k, 8k}: accuracy on the copy positions for a
      neural n-gram with context k, the RNN with TBPTT k (carried and reset) and with full BPTT.
"""

import math

import keras
import numpy as np

from tfsheet.data import synthetic
from tfsheet.data.text import load_tiny_shakespeare
from tfsheet.data.vocabulary import CharVocabulary
from tfsheet.models.kneser_ney import KneserNeyCounts
from tfsheet.models.language_models import RNNLanguageModel, build_neural_ngram
from tfsheet.models.losses import token_cross_entropy
from tfsheet.serving.export import export_model, ngram_language_model_signature, recurrent_language_model_signature
from tfsheet.training import ArrayData, TrainConfig, seed_everything
from tfsheet.training.tbptt import (carried_state_gradients, language_model_pairs, log_softmax_at,
                                    reset_state_gradients, sequence_log_probs, sequence_predictions,
                                    train_on_streams)

NATS_PER_BIT = math.log(2)




# -- training helpers shared by the three experiments ----------------------------------------------------------------

RNN_MODES = ("carried", "reset", "frozen")


def train_rnn(config, runtime, inputs, targets, vocab_size, output_size, hidden_size, window, mode, epochs=1,
              max_updates=0):
    """RNN trained by TBPTT with `window` = k and `mode`:

    "carried": the state crosses windows, gradients stop after k steps;
    "reset": every window starts from h = 0 (reset with a long window is full BPTT);
    "frozen": the control: the state is carried but the recurrent cell keeps its initial weights and
        only the readout learns, so whatever it gets right comes from the memory the random
        (orthogonal) initialisation already has, not from anything learned through time.
    """
    if mode not in RNN_MODES:
        raise ValueError(f"mode must be one of {RNN_MODES}. Received: mode={mode!r}")
    seed_everything(config.seed)
    gradients = reset_state_gradients if mode == "reset" else carried_state_gradients

    def build():
        model = RNNLanguageModel(vocab_size, hidden_size, output_size, streams=config.streams)
        model.cell.trainable = mode != "frozen"
        return model

    model, _, _ = train_on_streams(
        runtime, build,
        inputs, targets, streams=config.streams, window=window, gradients_for=lambda model: gradients,
        learning_rate=config.learning_rate, seed=config.seed, epochs=epochs, max_updates=max_updates,
        name=f"rnn_{mode}_k{window}_hidden{hidden_size}" + (f"_{max_updates}updates" if max_updates else ""))
    return model


def updates_per_pass(num_tokens, streams, window):
    """Updates in one pass of TBPTT over `num_tokens` in `streams` streams with windows of `window` tokens."""
    return num_tokens // streams // window


def context_windows(inputs, targets, context):
    """x[i] = inputs[t - context + 1 .. t], y[i] = targets[t] for t >= context - 1."""
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(inputs, np.int32), context)  # (N - c + 1, c)
    return windows, np.asarray(targets, np.int32)[context - 1:]


def train_neural_ngram(config, runtime, inputs, targets, vocab_size, output_size, context, steps, hidden_size):
    """A neural n-gram (context n - 1) trained for about `steps` Adam steps of batch 256."""
    seed_everything(config.seed)
    x, y = context_windows(inputs, targets, context)
    passes = max(1, math.ceil(steps * 256 / len(x)))
    chosen = np.random.default_rng(config.seed).permutation(len(x))[:math.ceil(steps * 256 / passes)]
    model, trainer = runtime.make_trainer(
        lambda: build_neural_ngram(vocab_size, context, output_size, hidden_size=hidden_size), token_cross_entropy,
        lambda: keras.optimizers.Adam(config.learning_rate), TrainConfig(epochs=passes, batch_size=256, seed=config.seed),
        name=f"neural_{context + 1}gram_hidden{hidden_size}")
    trainer.fit(ArrayData(x[chosen], y[chosen]))
    return model


def ngram_log_probs(model, inputs, targets, context):
    """log P(targets[t]) for t >= context - 1 (earlier positions get NaN)."""
    x, y = context_windows(inputs, targets, context)
    log_probs = log_softmax_at(model.predict(x, batch_size=4096, verbose=0), y)
    return np.concatenate([np.full(context - 1, np.nan), log_probs])


def _mean_loss(log_probs, start, stop):
    return float(-np.mean(log_probs[start:stop]))


# -- the three experiments -------------------------------------------------------------------------------------------

def run_shakespeare(config, workdir, runtime, export_root=None):
    """Bits per character on Tiny Shakespeare for every model family and order n."""
    train_text = load_tiny_shakespeare("train")
    if config.train_chars:
        train_text = train_text[:config.train_chars]
    vocab = CharVocabulary.from_text(train_text)
    train_ids = vocab.encode(train_text)
    splits = {name: vocab.encode(load_tiny_shakespeare(name)) for name in ("validation", "test")}
    counts = KneserNeyCounts(max(config.orders), len(vocab), seed=config.seed).fit(train_ids)
    inputs, targets = language_model_pairs(train_ids)
    first = max(config.orders) - 1  # every model is scored on the same positions: t >= the longest context

    # equal updates: every k gets the updates the longest window makes in `rnn_epochs` passes
    budget = config.rnn_epochs * updates_per_pass(len(inputs), config.streams, max(config.orders))
    rows, exported = [], None
    for n in config.orders:
        models = {
            "neural_ngram": train_neural_ngram(config, runtime, inputs, targets, len(vocab), len(vocab), n - 1,
                                               config.ngram_steps, config.hidden_size),
            "rnn_tbptt_carried": train_rnn(config, runtime, inputs, targets, len(vocab), len(vocab),
                                           config.hidden_size, n, "carried", config.rnn_epochs),
            "rnn_tbptt_reset": train_rnn(config, runtime, inputs, targets, len(vocab), len(vocab),
                                         config.hidden_size, n, "reset", config.rnn_epochs),
        }
        row = {"n": n, "rnn_updates": config.rnn_epochs * updates_per_pass(len(inputs), config.streams, n)}
        for mode in ("carried", "reset"):      # the longest window already trained with exactly the budget
            models[f"rnn_tbptt_{mode}_equal_updates"] = models[f"rnn_tbptt_{mode}"] if row["rnn_updates"] == budget \
                else train_rnn(config, runtime, inputs, targets, len(vocab), len(vocab), config.hidden_size, n, mode,
                               max_updates=budget)
        for split, ids in splits.items():
            split_inputs, split_targets = language_model_pairs(ids)
            stop = len(split_targets) // n * n  # the reset model scores whole windows only
            log_probs = {
                "kneser_ney": counts.log_probs(ids, n)[1:],
                "neural_ngram": ngram_log_probs(models["neural_ngram"], split_inputs, split_targets, n - 1),
                "rnn_tbptt_carried": sequence_log_probs(models["rnn_tbptt_carried"], split_inputs, split_targets),
                "rnn_tbptt_reset": sequence_log_probs(models["rnn_tbptt_reset"], split_inputs, split_targets,
                                                      reset_every=n),
                "rnn_tbptt_carried_equal_updates": sequence_log_probs(models["rnn_tbptt_carried_equal_updates"],
                                                                      split_inputs, split_targets),
                "rnn_tbptt_reset_equal_updates": sequence_log_probs(models["rnn_tbptt_reset_equal_updates"],
                                                                    split_inputs, split_targets, reset_every=n),
            }
            for name, values in log_probs.items():
                nats = _mean_loss(values, first, stop)
                row[f"{split}_{name}_nats"] = nats
                row[f"{split}_{name}_bpc"] = nats / NATS_PER_BIT
        rows.append(row)
        if export_root is not None and n == max(config.orders):  # the longest-context models are served
            exported = export_language_models(models, vocab, n, export_root)
    unigram = counts.log_probs(splits["test"], 1)
    results = {"vocab_size": len(vocab), "train_chars": len(train_ids), "rows": rows, "equal_updates": budget,
               "test_unigram_nats": float(-unigram[first:].mean())}
    if exported is not None:
        results["saved_models"] = exported
    return results


def export_language_models(models, vocab, n, root):
    """Publish char_rnn (TBPTT k = n, carried state) and char_ngram (context n - 1), vocabulary included."""
    extra = {"vocabulary.json": vocab.to_json()}
    rnn, ngram = models["rnn_tbptt_carried"], models["neural_ngram"]
    return {"char_rnn": str(export_model(rnn, "char_rnn", {"serving_default": recurrent_language_model_signature(rnn)},
                                         root=root, extra_files=extra)),
            "char_ngram": str(export_model(ngram, "char_ngram", {"serving_default": ngram_language_model_signature(
                ngram, n - 1, len(vocab))}, root=root, extra_files=extra))}


def run_probe(config, workdir, runtime, export_root=None):
    """The truncation probe: validation loss of the RNN with carried or reset state for each truncation k."""
    x_train, y_train = synthetic.truncation_probe(config.probe_length, seed=config.seed)
    x_val, y_val = synthetic.truncation_probe(50_000, seed=config.seed + 1)
    budget = updates_per_pass(len(x_train), config.streams, max(config.probe_truncations))
    rows = []
    for k in config.probe_truncations:
        row = {"k": k, "updates": updates_per_pass(len(x_train), config.streams, k)}
        for mode in ("carried", "reset"):
            for suffix, max_updates in (("", 0), ("_equal_updates", budget)):
                if suffix and row["updates"] == budget:      # the longest window trained with the budget already
                    row[f"rnn_tbptt_{mode}{suffix}_nats"] = row[f"rnn_tbptt_{mode}_nats"]
                    continue
                model = train_rnn(config, runtime, x_train, y_train, 2, 2, config.probe_hidden, k, mode,
                                  max_updates=max_updates)
                log_probs = sequence_log_probs(model, x_val, y_val, reset_every=k if mode == "reset" else None)
                row[f"rnn_tbptt_{mode}{suffix}_nats"] = _mean_loss(log_probs, 8, None)
        rows.append(row)
    # the control: the same RNN with its recurrence frozen at initialisation (k does not matter: only the
    # readout learns, and its gradient never crosses a time step)
    frozen = train_rnn(config, runtime, x_train, y_train, 2, 2, config.probe_hidden, min(config.probe_truncations),
                       "frozen")
    return {"levels": synthetic.probe_levels(), "rows": rows, "equal_updates": budget,
            "frozen_recurrence_nats": _mean_loss(sequence_log_probs(frozen, x_val, y_val), 8, None)}


def run_copy(config, workdir, runtime, export_root=None):
    """The copy task at distance L for each truncation k: accuracy on the copy positions of every learner."""
    vocab = config.copy_vocab
    cells = []
    for k in config.copy_truncations:
        for factor in config.copy_distance_factors:
            distance = max(1, int(round(factor * k)))
            train_tokens, _ = synthetic.copy_task(config.copy_length, distance, vocab, seed=config.seed)
            val_tokens, val_copy = synthetic.copy_task(40_000, distance, vocab, seed=config.seed + 1)
            inputs, targets = language_model_pairs(train_tokens)
            val_inputs, val_targets = language_model_pairs(val_tokens)
            copy_positions = val_copy[1:]
            full_window = max(4 * distance, 32)
            models = {
                "neural_ngram": (train_neural_ngram(config, runtime, inputs, targets, vocab, vocab, k,
                                                    config.copy_length // 256, config.copy_hidden), None),
                "rnn_tbptt_carried": (train_rnn(config, runtime, inputs, targets, vocab, vocab, config.copy_hidden, k,
                                                "carried"), None),
                "rnn_tbptt_reset": (train_rnn(config, runtime, inputs, targets, vocab, vocab, config.copy_hidden, k,
                                              "reset"), k),
                "rnn_frozen_recurrence": (train_rnn(config, runtime, inputs, targets, vocab, vocab, config.copy_hidden,
                                                    k, "frozen"), None),
                "rnn_full_bptt": (train_rnn(config, runtime, inputs, targets, vocab, vocab, config.copy_hidden,
                                            full_window, "reset", epochs=2), full_window),
            }
            cell = {"k": k, "L": distance, "full_bptt_window": full_window}
            for name, (model, reset_every) in models.items():
                if name == "neural_ngram":
                    log_probs = ngram_log_probs(model, val_inputs, val_targets, k)
                    predicted = np.concatenate([np.full(k - 1, -1), np.argmax(model.predict(
                        context_windows(val_inputs, val_targets, k)[0], batch_size=4096, verbose=0), axis=1)])
                else:
                    log_probs, predicted = sequence_predictions(model, val_inputs, val_targets, reset_every)
                mask = copy_positions[:len(log_probs)].copy()
                mask[:max(k, distance) + 1] = False
                cell[f"{name}_copy_accuracy"] = float(np.mean(predicted[mask] == val_targets[:len(predicted)][mask]))
                cell[f"{name}_copy_nats"] = float(-np.mean(log_probs[mask]))
            cells.append(cell)
    return {"losses": synthetic.copy_task_losses(vocab), "chance_accuracy": 1 / vocab, "cells": cells}
