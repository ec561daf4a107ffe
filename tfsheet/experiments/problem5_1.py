"""Problem 5.1: n-gram models against an RNN trained with truncated BPTT: can the RNN learn
dependencies longer than its truncation k? Three experiments, each writing its results:

  shakespeare: bits per character on Tiny Shakespeare for n in `orders`: count Kneser-Ney n-gram,
      neural n-gram (context n - 1), RNN with TBPTT k = n, state carried or reset;
  probe: the truncation probe (dependencies at lags 3 and 8) for k in `probe_truncations`;
  copy: the copy task at distance L in {k/2, k, 2k, 4k, 8k}: accuracy on the copy positions for a
      neural n-gram with context k, the RNN with TBPTT k (carried and reset) and with full BPTT.

The protocol every one of them follows:
  * the learning rate and the gradient clipping of each model family are chosen by a small grid
    search (`search_learning_rates` x `search_clip_norms`) on a validation split, with a third of
    the budget, once, and recorded under "search";
  * every neural model is then trained once per seed of `seeds` and the results are merged:
    each number is the mean over the seeds, with its std and per-seed values under "spread";
  * held-out data (Tiny Shakespeare's test split, a fresh stream of the synthetic tasks) is scored
    once per trained model, at the end.
(The strong recurrent language model of "in practice" is tfsheet.experiments.problem5_1_lm.)
"""

import dataclasses
import math

import keras
import numpy as np

from tfsheet.data import synthetic
from tfsheet.data.text import load_tiny_shakespeare
from tfsheet.data.vocabulary import CharVocabulary
from tfsheet.models.kneser_ney import KneserNeyCounts
from tfsheet.models.language_models import RNNLanguageModel, build_neural_ngram
from tfsheet.models.losses import token_cross_entropy
from tfsheet.results import NATS_PER_BIT, merge_runs
from tfsheet.serving.export import export_model, ngram_language_model_signature
from tfsheet.training import ArrayData, TrainConfig, seed_everything
from tfsheet.training.search import choose, grid
from tfsheet.training.tbptt import (carried_state_gradients, language_model_pairs, log_softmax_at,
                                    reset_state_gradients, sequence_log_probs, sequence_predictions,
                                    train_on_streams)

SEARCH_SEED = 1000   # the synthetic tasks' validation streams (for the search) come from seed + SEARCH_SEED


def search_grid(config):
    """The candidate (learning_rate, clip_norm) pairs of every search; clip_norm 0 means no clipping."""
    return grid(learning_rate=config.search_learning_rates, clip_norm=config.search_clip_norms)


def over_seeds(config, run_one):
    """run_one(config with seed = s) for every s in config.seeds, merged (mean, and the spread per number)."""
    return merge_runs([run_one(dataclasses.replace(config, seed=seed)) for seed in config.seeds])


# -- training helpers shared by the three experiments ----------------------------------------------------------------

RNN_MODES = ("carried", "reset", "frozen")


def train_rnn(config, runtime, inputs, targets, vocab_size, output_size, hidden_size, window, mode, epochs=1,
              max_updates=0, *, settings):
    """RNN trained by TBPTT with `window` = k and `mode`:

    "carried": the state crosses windows, gradients stop after k steps;
    "reset": every window starts from h = 0 (reset with a long window is full BPTT);
    "frozen": the control: the state is carried but the recurrent cell keeps its initial weights and
        only the readout learns, so whatever it gets right comes from the memory the random
        (orthogonal) initialisation already has, not from anything learned through time.

    settings: {"learning_rate", "clip_norm"} (Adam's rate; the global norm clipped to, 0 for none), from a search.
    If max_updates needs more than `epochs` passes, the data is passed over as often as it takes.
    """
    if mode not in RNN_MODES:
        raise ValueError(f"mode must be one of {RNN_MODES}. Received: mode={mode!r}")
    seed_everything(config.seed)
    gradients = reset_state_gradients if mode == "reset" else carried_state_gradients

    def build():
        model = RNNLanguageModel(vocab_size, hidden_size, output_size, streams=config.streams)
        model.cell.trainable = mode != "frozen"
        return model

    if max_updates:
        epochs = max(epochs, math.ceil(max_updates / updates_per_pass(len(inputs), config.streams, window)))
    model, _, _ = train_on_streams(
        runtime, build,
        inputs, targets, streams=config.streams, window=window, gradients_for=lambda model: gradients,
        learning_rate=settings["learning_rate"], clip_norm=settings["clip_norm"] or None, seed=config.seed,
        epochs=epochs, max_updates=max_updates,
        name=f"rnn_{mode}_k{window}_hidden{hidden_size}_seed{config.seed}"
             + (f"_{max_updates}updates" if max_updates else ""))
    return model


def updates_per_pass(num_tokens, streams, window):
    """Updates in one pass of TBPTT over `num_tokens` in `streams` streams with windows of `window` tokens."""
    return num_tokens // streams // window


def context_windows(inputs, targets, context):
    """x[i] = inputs[t - context + 1 .. t], y[i] = targets[t] for t >= context - 1."""
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(inputs, np.int32), context)  # (N - c + 1, c)
    return windows, np.asarray(targets, np.int32)[context - 1:]


def train_neural_ngram(config, runtime, inputs, targets, vocab_size, output_size, context, steps, hidden_size, *,
                       settings):
    """A neural n-gram (context n - 1) trained for about `steps` Adam steps of batch 256 (`settings` as train_rnn)."""
    seed_everything(config.seed)
    x, y = context_windows(inputs, targets, context)
    passes = max(1, math.ceil(steps * 256 / len(x)))
    chosen = np.random.default_rng(config.seed).permutation(len(x))[:math.ceil(steps * 256 / passes)]
    model, trainer = runtime.make_trainer(
        lambda: build_neural_ngram(vocab_size, context, output_size, hidden_size=hidden_size), token_cross_entropy,
        lambda: keras.optimizers.Adam(settings["learning_rate"], global_clipnorm=settings["clip_norm"] or None),
        TrainConfig(epochs=passes, batch_size=256, seed=config.seed),
        name=f"neural_{context + 1}gram_hidden{hidden_size}_seed{config.seed}")
    trainer.fit(ArrayData(x[chosen], y[chosen]))
    return model


def ngram_log_probs(model, inputs, targets, context):
    """log P(targets[t]) for t >= context - 1 (earlier positions get NaN)."""
    x, y = context_windows(inputs, targets, context)
    log_probs = log_softmax_at(model.predict(x, batch_size=4096, verbose=0), y)
    return np.concatenate([np.full(context - 1, np.nan), log_probs])


def mean_loss(log_probs, start, stop):
    """-mean(log_probs[start:stop]): the loss in nats per token over those positions."""
    return float(-np.mean(log_probs[start:stop]))


# -- the three experiments -------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CharacterData:
    """Tiny Shakespeare as ids of the training split's vocabulary: (inputs, targets) pairs per split."""

    vocab: CharVocabulary
    train_ids: np.ndarray
    splits: dict            # "validation" / "test" -> ids

    @classmethod
    def load(cls, train_chars=0):
        train_text = load_tiny_shakespeare("train")
        if train_chars:
            train_text = train_text[:train_chars]
        vocab = CharVocabulary.from_text(train_text)
        return cls(vocab, vocab.encode(train_text),
                   {name: vocab.encode(load_tiny_shakespeare(name)) for name in ("validation", "test")})


def run_shakespeare(config, workdir, runtime, export_root=None):
    """Bits per character on Tiny Shakespeare for every model family and order n, over `seeds`."""
    data = CharacterData.load(config.train_chars)
    inputs, targets = language_model_pairs(data.train_ids)
    counts = KneserNeyCounts(max(config.orders), len(data.vocab)).fit(data.train_ids)
    first = max(config.orders) - 1  # every model is scored on the same positions: t >= the longest context
    # equal updates: every k gets the updates the longest window makes in `rnn_epochs` passes
    budget = config.rnn_epochs * updates_per_pass(len(inputs), config.streams, max(config.orders))
    search = _shakespeare_search(config, runtime, data, budget, first)
    chosen = {family: found["chosen"] for family, found in search.items()}
    exported = {}

    def one_seed(seeded):
        rows = []
        for n in seeded.orders:
            models = _shakespeare_models(seeded, runtime, data, n, budget, chosen)
            rows.append({"n": n, "rnn_updates": seeded.rnn_epochs * updates_per_pass(len(inputs), seeded.streams, n),
                         **_score_shakespeare(models, data, n, first)})
            if export_root is not None and n == max(seeded.orders) and seeded.seed == seeded.seeds[0]:
                exported.update(export_ngram_model(models["neural_ngram"], data.vocab, n, export_root))
        return {"rows": rows}

    results = over_seeds(config, one_seed)
    for row in results["rows"]:            # the count model has no seed: scored once, outside the seed loop
        for split, ids in data.splits.items():
            stop = len(ids) - 1 - (len(ids) - 1) % row["n"]
            nats = mean_loss(counts.log_probs(ids, row["n"])[1:], first, stop)
            row[f"{split}_kneser_ney_nats"], row[f"{split}_kneser_ney_bpc"] = nats, nats / NATS_PER_BIT
    unigram = counts.log_probs(data.splits["test"], 1)
    results.update({"vocab_size": len(data.vocab), "train_chars": len(data.train_ids), "equal_updates": budget,
                    "search": search, "seeds": list(config.seeds),
                    "test_unigram_nats": float(-unigram[first:].mean())})
    if exported:
        results["saved_models"] = exported
    return results


def _shakespeare_search(config, runtime, data, budget, first):
    """(learning rate, clipping) per family, chosen on the validation split at the middle order with a third
    of the budget: the neural n-gram and the TBPTT RNN (state carried)."""
    n = config.orders[len(config.orders) // 2]
    inputs, targets = language_model_pairs(data.train_ids)
    val_inputs, val_targets = language_model_pairs(data.splits["validation"])

    def ngram_nats(settings):
        model = train_neural_ngram(config, runtime, inputs, targets, len(data.vocab), len(data.vocab), n - 1,
                                   max(1, config.ngram_steps // 3), config.hidden_size, settings=settings)
        return mean_loss(ngram_log_probs(model, val_inputs, val_targets, n - 1), first, None)

    def rnn_nats(settings):
        model = train_rnn(config, runtime, inputs, targets, len(data.vocab), len(data.vocab), config.hidden_size, n,
                          "carried", max_updates=max(1, budget // 3), settings=settings)
        return mean_loss(sequence_log_probs(model, val_inputs, val_targets), first, None)

    return {"neural_ngram": {"n": n, **choose(search_grid(config), ngram_nats)},
            "rnn_tbptt": {"n": n, **choose(search_grid(config), rnn_nats)}}


def _shakespeare_models(config, runtime, data, n, budget, chosen):
    """The neural models of order n: the n-gram net, and the RNN with TBPTT k = n, carried and reset, each at
    equal tokens (`rnn_epochs` passes) and at equal updates (`budget` for every k)."""
    inputs, targets = language_model_pairs(data.train_ids)
    vocab = len(data.vocab)

    def rnn(mode, **budget_options):
        return train_rnn(config, runtime, inputs, targets, vocab, vocab, config.hidden_size, n, mode,
                         settings=chosen["rnn_tbptt"], **budget_options)

    models = {"neural_ngram": train_neural_ngram(config, runtime, inputs, targets, vocab, vocab, n - 1,
                                                 config.ngram_steps, config.hidden_size, settings=chosen["neural_ngram"]),
              "rnn_tbptt_carried": rnn("carried", epochs=config.rnn_epochs),
              "rnn_tbptt_reset": rnn("reset", epochs=config.rnn_epochs)}
    same_budget = config.rnn_epochs * updates_per_pass(len(inputs), config.streams, n) == budget
    for mode in ("carried", "reset"):      # the longest window already trained with exactly the budget
        models[f"rnn_tbptt_{mode}_equal_updates"] = (models[f"rnn_tbptt_{mode}"] if same_budget
                                                     else rnn(mode, max_updates=budget))
    return models


def _score_shakespeare(models, data, n, first):
    """{split}_{model}_nats and _bpc for the validation and test splits, on positions first .. the last whole
    window of n (the reset model scores whole windows only)."""
    scores = {}
    for split, ids in data.splits.items():
        inputs, targets = language_model_pairs(ids)
        stop = len(targets) // n * n
        for name, model in models.items():
            if name == "neural_ngram":
                log_probs = ngram_log_probs(model, inputs, targets, n - 1)
            else:
                log_probs = sequence_log_probs(model, inputs, targets, reset_every=n if "reset" in name else None)
            nats = mean_loss(log_probs, first, stop)
            scores[f"{split}_{name}_nats"], scores[f"{split}_{name}_bpc"] = nats, nats / NATS_PER_BIT
    return scores


def export_ngram_model(ngram, vocab, n, root):
    """Publish char_ngram (the neural n-gram with context n - 1), vocabulary included."""
    signature = ngram_language_model_signature(ngram, n - 1, len(vocab))
    return {"char_ngram": str(export_model(ngram, "char_ngram", {"serving_default": signature}, root=root,
                                           extra_files={"vocabulary.json": vocab.to_json()}))}


def run_probe(config, workdir, runtime, export_root=None):
    """The truncation probe: held-out loss of the RNN with carried or reset state for each truncation k.

    The learning rate and clipping are searched at the middle k on a validation stream; the scores are
    on another held-out stream, once per model.
    """
    x_train, y_train = synthetic.truncation_probe(config.probe_length, seed=config.seed)
    x_search, y_search = synthetic.truncation_probe(50_000, seed=config.seed + SEARCH_SEED)
    budget = updates_per_pass(len(x_train), config.streams, max(config.probe_truncations))
    middle = config.probe_truncations[len(config.probe_truncations) // 2]
    search = choose(search_grid(config), lambda settings: mean_loss(sequence_log_probs(
        train_rnn(config, runtime, x_train, y_train, 2, 2, config.probe_hidden, middle, "carried",
                  max_updates=max(1, budget // 3), settings=settings), x_search, y_search), 8, None))

    def one_seed(seeded):
        x_train, y_train = synthetic.truncation_probe(seeded.probe_length, seed=seeded.seed)
        x_test, y_test = synthetic.truncation_probe(50_000, seed=seeded.seed + 1)

        def score(k, mode, **budget_options):
            model = train_rnn(seeded, runtime, x_train, y_train, 2, 2, seeded.probe_hidden, k, mode,
                              settings=search["chosen"], **budget_options)
            log_probs = sequence_log_probs(model, x_test, y_test, reset_every=k if mode == "reset" else None)
            return mean_loss(log_probs, 8, None)

        rows = []
        for k in seeded.probe_truncations:
            row = {"k": k, "updates": updates_per_pass(len(x_train), seeded.streams, k)}
            for mode in ("carried", "reset"):
                row[f"rnn_tbptt_{mode}_nats"] = score(k, mode)
                # the longest window trained with the budget already
                row[f"rnn_tbptt_{mode}_equal_updates_nats"] = (row[f"rnn_tbptt_{mode}_nats"] if row["updates"] == budget
                                                               else score(k, mode, max_updates=budget))
            rows.append(row)
        # the control: the same RNN with its recurrence frozen at initialisation (k does not matter: only the
        # readout learns, and its gradient never crosses a time step)
        return {"rows": rows, "frozen_recurrence_nats": score(min(seeded.probe_truncations), "frozen")}

    return {**over_seeds(config, one_seed), "levels": synthetic.probe_levels(), "equal_updates": budget,
            "search": {"k": middle, **search}, "seeds": list(config.seeds)}




def run_copy(config, workdir, runtime, export_root=None):
    """The copy task at distance L for each truncation k: accuracy on the copy positions of every learner.

    Every RNN makes the same number of updates: one pass of TBPTT(k), whose windows of k tokens set the
    budget; full BPTT back-propagates through windows of w = max(4L, 32) steps from h = 0 and makes
    as many updates (so it sees w / k times the tokens). Each learner is scored on the copy positions
    whose source token it can see: the carried-state models everywhere; the reset models (TBPTT reset
    and full BPTT) with resets every k or w tokens, so only where the source lies inside the window,
    which for TBPTT reset at L > k is nowhere: its row is then scored on all copy positions, where it
    cannot beat chance.
    """
    vocab = config.copy_vocab
    first_k, first_factor = config.copy_truncations[0], config.copy_distance_factors[-1]
    search = _copy_search(config, runtime, first_k, max(1, int(round(first_factor * first_k))))

    def one_seed(seeded):
        cells = []
        for k in seeded.copy_truncations:
            for factor in seeded.copy_distance_factors:
                cells.append(_copy_cell(seeded, runtime, k, max(1, int(round(factor * k))), search))
        return {"cells": cells}

    return {**over_seeds(config, one_seed), "losses": synthetic.copy_task_losses(vocab), "chance_accuracy": 1 / vocab,
            "search": search, "seeds": list(config.seeds)}


def _copy_search(config, runtime, k, distance):
    """(learning rate, clipping) for the RNNs and for the n-gram net, on a validation stream of the copy task
    at the grid's first k and longest L, with a third of the budget."""
    train_tokens, _ = synthetic.copy_task(config.copy_length, distance, config.copy_vocab, seed=config.seed)
    val_tokens, val_copy = synthetic.copy_task(40_000, distance, config.copy_vocab, seed=config.seed + SEARCH_SEED)
    inputs, targets = language_model_pairs(train_tokens)
    val_inputs, val_targets = language_model_pairs(val_tokens)
    budget = updates_per_pass(len(inputs), config.streams, k)

    def rnn_nats(settings):
        model = train_rnn(config, runtime, inputs, targets, config.copy_vocab, config.copy_vocab, config.copy_hidden,
                          k, "carried", max_updates=max(1, budget // 3), settings=settings)
        return mean_loss(sequence_log_probs(model, val_inputs, val_targets), distance + 1, None)

    def ngram_nats(settings):
        model = train_neural_ngram(config, runtime, inputs, targets, config.copy_vocab, config.copy_vocab, k,
                                   max(1, config.copy_length // 256 // 3), config.copy_hidden, settings=settings)
        return mean_loss(ngram_log_probs(model, val_inputs, val_targets, k), distance + 1, None)

    return {"k": k, "L": distance, "neural_ngram": choose(search_grid(config), ngram_nats),
            "rnn_tbptt": choose(search_grid(config), rnn_nats)}


def _copy_cell(config, runtime, k, distance, search):
    """One (k, L) cell: every learner's accuracy and loss on the copy positions it is scored on."""
    vocab = config.copy_vocab
    train_tokens, _ = synthetic.copy_task(config.copy_length, distance, vocab, seed=config.seed)
    test_tokens, test_copy = synthetic.copy_task(40_000, distance, vocab, seed=config.seed + 1)
    inputs, targets = language_model_pairs(train_tokens)
    test_inputs, test_targets = language_model_pairs(test_tokens)
    copy_positions = copy_target_mask(test_copy, max(k, distance) + 1)
    budget = updates_per_pass(len(inputs), config.streams, k)
    full_window = max(4 * distance, 32)
    rnn_settings = search["rnn_tbptt"]["chosen"]

    def rnn(window, mode, **options):
        return train_rnn(config, runtime, inputs, targets, vocab, vocab, config.copy_hidden, window, mode,
                         settings=rnn_settings, **options)

    models = {  # name: (model, reset period when scoring)
        "rnn_tbptt_carried": (rnn(k, "carried"), None),
        "rnn_tbptt_reset": (rnn(k, "reset"), k),
        "rnn_frozen_recurrence": (rnn(k, "frozen"), None),
        "rnn_full_bptt": (rnn(full_window, "reset", max_updates=budget), full_window),
    }
    cell = {"k": k, "L": distance, "full_bptt_window": full_window, "updates": budget}
    ngram = train_neural_ngram(config, runtime, inputs, targets, vocab, vocab, k, config.copy_length // 256,
                               config.copy_hidden, settings=search["neural_ngram"]["chosen"])
    log_probs = ngram_log_probs(ngram, test_inputs, test_targets, k)
    predicted = np.concatenate([np.full(k - 1, -1), np.argmax(ngram.predict(
        context_windows(test_inputs, test_targets, k)[0], batch_size=4096, verbose=0), axis=1)])
    _score_copy(cell, "neural_ngram", log_probs, predicted, test_targets, copy_positions)
    for name, (model, reset_every) in models.items():
        log_probs, predicted = sequence_predictions(model, test_inputs, test_targets, reset_every)
        _score_copy(cell, name, log_probs, predicted, test_targets,
                    _visible(copy_positions[:len(log_probs)], distance, reset_every))
    return cell


def _visible(copy_positions, distance, reset_every):
    """The copy positions whose source lies inside the window a model scored with resets every
    `reset_every` steps can see: target t (offset t mod w in its window) copies input t - L + 1, which
    is in the window when t mod w >= L - 1. All copy positions when no window holds the source."""
    if reset_every is None:
        return copy_positions
    inside = copy_positions & (np.arange(len(copy_positions)) % reset_every >= distance - 1)
    return inside if inside.any() else copy_positions


def _score_copy(cell, name, log_probs, predicted, targets, mask):
    cell.update({f"{name}_{key}": value for key, value in copy_scores(log_probs, predicted, targets, mask).items()})
    cell[f"{name}_scored_positions"] = float(mask[:len(log_probs)].sum())   # differs a little by seed: a mean


def copy_target_mask(copies, skip):
    """(N - 1,) bool over the targets of a copy-task sequence (target t is token t + 1): True where the target
    copies an earlier token (`copies` marks the tokens), False for the first `skip` targets."""
    mask = np.asarray(copies)[1:].copy()
    mask[:skip] = False
    return mask


def copy_scores(log_probs, predicted, targets, mask):
    """{"copy_accuracy", "copy_nats"} of a model's log P(target) and argmax predictions on the masked targets."""
    mask = mask[:len(log_probs)]
    return {"copy_accuracy": float(np.mean(predicted[mask] == targets[:len(predicted)][mask])),
            "copy_nats": float(-np.mean(log_probs[mask]))}
