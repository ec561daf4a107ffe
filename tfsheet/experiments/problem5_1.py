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
    each number is a Seeded (tfsheet.results): its value per seed, their mean and std;
  * held-out data (Tiny Shakespeare's test split, a fresh stream of the synthetic tasks) is scored
    once per trained model, at the end.
(The strong recurrent language model of "in practice" is tfsheet.experiments.problem5_1_lm.)
"""

import dataclasses

import numpy as np

from tfsheet.data import synthetic
from tfsheet.data.text import CharacterData
from tfsheet.models.kneser_ney import KneserNeyCounts
from tfsheet.results import NATS_PER_BIT, Seeded, merge_runs
from tfsheet.serving.export import export_model, ngram_language_model_signature
from tfsheet.training.language_models import (LanguageModelSpec, rate_and_clipping_grid, train_neural_ngram,
                                              train_rnn, updates_per_pass)
from tfsheet.training.scoring import (CountScorer, RecurrentScorer, WindowScorer, copy_scores, mean_loss)
from tfsheet.training.search import choose
from tfsheet.training.tbptt import language_model_pairs

SEARCH_SEED = 1000   # the synthetic tasks' validation streams (for the search) come from seed + SEARCH_SEED
SPLITS = ("validation", "test")
BUDGETS = ("one_pass", "equal_updates")   # equal tokens (rnn_epochs passes) / the longest window's updates
COPY_LEARNERS = ("neural_ngram", "rnn_tbptt_carried", "rnn_tbptt_reset", "rnn_frozen_recurrence", "rnn_full_bptt")


def search_grid(config):
    """The candidate (learning_rate, clip_norm) pairs of every search of this problem."""
    return rate_and_clipping_grid(config.search_learning_rates, config.search_clip_norms)


def over_seeds(config, run_one):
    """run_one(config with seed = s) for every s in config.seeds, merged: every float a Seeded."""
    return merge_runs([run_one(dataclasses.replace(config, seed=seed)) for seed in config.seeds], config.seeds)


def spec(config, vocab_size, hidden_size):
    """The models' shared shape for one seed of `config`."""
    return LanguageModelSpec(vocab_size, hidden_size, config.seed, config.streams)


# -- the three experiments -------------------------------------------------------------------------------------------

def run_shakespeare(config, workdir, runtime, export_root=None):
    """Loss on Tiny Shakespeare for every model family and order n, over `seeds`: each row holds
    {"nats": {split: {model: Seeded}}, "bpc": the same in bits}."""
    data = CharacterData.load(config.train_chars)
    inputs, _ = language_model_pairs(data.train_ids)
    counts = KneserNeyCounts(max(config.orders), len(data.vocab)).fit(data.train_ids)
    first = max(config.orders) - 1  # every model is scored on the same positions: t >= the longest context
    # equal updates: every k gets the updates the longest window makes in `rnn_epochs` passes
    budget = config.rnn_epochs * updates_per_pass(len(inputs), config.streams, max(config.orders))
    search = _shakespeare_search(config, runtime, data, budget, first)
    chosen = {family: found["chosen"] for family, found in search.items()}
    exportable = []            # (validation nats, seed, net): the n-gram nets of the largest n, one per seed

    def one_seed(seeded):
        rows = []
        for n in seeded.orders:
            scorers, ngram = _shakespeare_models(seeded, runtime, data, n, budget, chosen)
            rows.append({"n": n, "rnn_updates": seeded.rnn_epochs * updates_per_pass(len(inputs), seeded.streams, n),
                         **_score_shakespeare(scorers, data, n, first)})
            if export_root is not None and n == max(seeded.orders):
                exportable.append((rows[-1]["nats"]["validation"]["neural_ngram"], seeded.seed, ngram))
        return {"rows": rows}

    results = over_seeds(config, one_seed)
    if exportable:             # the seed whose net is best on validation, as char_rnn's is chosen
        _, seed, ngram = min(exportable, key=lambda candidate: candidate[:2])
        results["saved_models"] = export_ngram_model(ngram, data.vocab, max(config.orders), export_root)
        results["exported_seed"] = seed
    for row in results["rows"]:            # the count model has no seed: scored once, outside the seed loop
        counted = _score_shakespeare({"kneser_ney": CountScorer(counts, row["n"])}, data, row["n"], first)
        for unit, splits in counted.items():
            for split, scores in splits.items():
                row[unit][split]["kneser_ney"] = Seeded.constant(scores["kneser_ney"])
    unigram = counts.log_probs(data.splits["test"], 1)
    results.update({"vocab_size": len(data.vocab), "train_chars": len(data.train_ids), "equal_updates": budget,
                    "search": search, "seeds": list(config.seeds),
                    "test_unigram_nats": float(-unigram[first:].mean())})
    return results


def _shakespeare_search(config, runtime, data, budget, first):
    """(learning rate, clipping) per family, chosen on the validation split at the middle order with a third
    of the budget: the neural n-gram and the TBPTT RNN (state carried)."""
    n = config.orders[len(config.orders) // 2]
    inputs, targets = language_model_pairs(data.train_ids)
    val_inputs, val_targets = language_model_pairs(data.splits["validation"])
    shape = spec(config, len(data.vocab), config.hidden_size)

    def ngram_nats(settings):
        model = train_neural_ngram(runtime, shape, inputs, targets, n - 1, max(1, config.ngram_steps // 3), settings)
        return mean_loss(WindowScorer(model, n - 1).log_probs(val_inputs, val_targets), first, None)

    def rnn_nats(settings):
        model = train_rnn(runtime, shape, inputs, targets, n, "carried", settings, max_updates=max(1, budget // 3))
        return mean_loss(RecurrentScorer(model).log_probs(val_inputs, val_targets), first, None)

    return {"neural_ngram": {"n": n, **choose(search_grid(config), ngram_nats)},
            "rnn_tbptt": {"n": n, **choose(search_grid(config), rnn_nats)}}


def _shakespeare_models(config, runtime, data, n, budget, chosen):
    """({model: scorer}, the n-gram net) of order n: the n-gram net, and the RNN with TBPTT k = n, carried
    and reset (scored with resets every n), each at equal tokens (`rnn_epochs` passes) and at equal
    updates (`budget` for every k)."""
    inputs, targets = language_model_pairs(data.train_ids)
    shape = spec(config, len(data.vocab), config.hidden_size)
    ngram = train_neural_ngram(runtime, shape, inputs, targets, n - 1, config.ngram_steps, chosen["neural_ngram"])
    scorers = {"neural_ngram": WindowScorer(ngram, n - 1)}
    same_budget = config.rnn_epochs * updates_per_pass(len(inputs), config.streams, n) == budget
    for mode, reset_every in (("carried", None), ("reset", n)):
        one_pass = train_rnn(runtime, shape, inputs, targets, n, mode, chosen["rnn_tbptt"], epochs=config.rnn_epochs)
        # the longest window already trained with exactly the budget
        equal = one_pass if same_budget else train_rnn(runtime, shape, inputs, targets, n, mode, chosen["rnn_tbptt"],
                                                       max_updates=budget)
        scorers[f"rnn_tbptt_{mode}"] = RecurrentScorer(one_pass, reset_every)
        scorers[f"rnn_tbptt_{mode}_equal_updates"] = RecurrentScorer(equal, reset_every)
    return scorers, ngram


def _score_shakespeare(scorers, data, n, first):
    """{"nats": {split: {model: loss}}, "bpc": the same in bits} for the validation and test splits, on
    positions first .. the last whole window of n (the reset model scores whole windows only)."""
    nats = {}
    for split in SPLITS:
        inputs, targets = language_model_pairs(data.splits[split])
        stop = len(targets) // n * n
        nats[split] = {name: mean_loss(scorer.log_probs(inputs, targets), first, stop)
                       for name, scorer in scorers.items()}
    return {"nats": nats, "bpc": {split: {name: value / NATS_PER_BIT for name, value in scores.items()}
                                  for split, scores in nats.items()}}


def export_ngram_model(ngram, vocab, n, root):
    """Publish char_ngram (the neural n-gram with context n - 1), vocabulary included."""
    signature = ngram_language_model_signature(ngram, n - 1, len(vocab))
    return {"char_ngram": str(export_model(ngram, "char_ngram", {"serving_default": signature}, root=root,
                                           extra_files={"vocabulary.json": vocab.to_json()}))}


def run_probe(config, workdir, runtime, export_root=None):
    """The truncation probe: held-out loss of the RNN with carried or reset state for each truncation k.

    Each row holds {"nats": {budget: {mode: Seeded}}} for the budgets one pass and equal updates and
    the modes carried, reset and control, and {"lag_effects": {budget: {mode: {"3", "8"}}}}: how much each
    model's prediction moves with X_{t-3} and with X_{t-8}, the other held fixed
    (synthetic.probe_lag_effects), the direct measure of whether lag 8 is used. The control is the same RNN
    with its cell (input and recurrent weights) frozen at initialisation, trained as each row's RNNs are: windows
    of k tokens, one pass and the equal-updates budget. The learning rate and clipping
    are searched at the middle k on a validation stream; the scores are on another held-out stream, once per
    model.
    """
    x_train, y_train = synthetic.truncation_probe(config.probe_length, seed=config.seed)
    x_search, y_search = synthetic.truncation_probe(50_000, seed=config.seed + SEARCH_SEED)
    budget = updates_per_pass(len(x_train), config.streams, max(config.probe_truncations))
    middle = config.probe_truncations[len(config.probe_truncations) // 2]
    search = choose(search_grid(config), lambda settings: mean_loss(RecurrentScorer(train_rnn(
        runtime, spec(config, 2, config.probe_hidden), x_train, y_train, middle, "carried", settings,
        max_updates=max(1, budget // 3))).log_probs(x_search, y_search), 8, None))

    def one_seed(seeded):
        x_train, y_train = synthetic.truncation_probe(seeded.probe_length, seed=seeded.seed)
        x_test, y_test = synthetic.truncation_probe(50_000, seed=seeded.seed + 1)
        shape = spec(seeded, 2, seeded.probe_hidden)

        def score(k, mode, **budget_options):
            model = train_rnn(runtime, shape, x_train, y_train, k, mode, search["chosen"], **budget_options)
            log_probs = RecurrentScorer(model, k if mode == "reset" else None).log_probs(x_test, y_test)
            return mean_loss(log_probs, 8, None), synthetic.probe_lag_effects(x_test, y_test, log_probs)

        rows = []
        for k in seeded.probe_truncations:
            updates = updates_per_pass(len(x_train), seeded.streams, k)
            nats, effects = {budget_name: {} for budget_name in BUDGETS}, {budget_name: {} for budget_name in BUDGETS}
            # the control trains exactly as the row's RNNs do (windows of k tokens per update, the same updates):
            # only its readout learns, but the window still sets how many tokens each update sees
            for mode in ("carried", "reset", "frozen"):
                one_pass = score(k, mode)
                # the longest window trained with the budget already
                equal = one_pass if updates == budget else score(k, mode, max_updates=budget)
                (nats["one_pass"][mode], effects["one_pass"][mode]), (nats["equal_updates"][mode],
                                                                      effects["equal_updates"][mode]) = one_pass, equal
            rows.append({"k": k, "updates": updates, "nats": nats, "lag_effects": effects})
        return {"rows": rows}

    return {**over_seeds(config, one_seed), "levels": synthetic.probe_levels(), "equal_updates": budget,
            "true_lag_effects": {str(lag): effect for lag, effect in synthetic.PROBE_EFFECTS.items()},
            "search": {"k": middle, **search}, "seeds": list(config.seeds)}


def run_copy(config, workdir, runtime, export_root=None):
    """The copy task at distance L for each truncation k: accuracy on the copy positions of every learner.

    Each cell holds {"learners": {learner: {"copy_accuracy", "copy_nats", "scored_positions"}}}. Every
    RNN makes the same number of updates: one pass of TBPTT(k), whose windows of k tokens set the
    budget; full BPTT back-propagates through windows of w = max(4L, 32) steps from h = 0 and makes
    as many updates (so it sees w / k times the tokens). Each learner is scored on the copy positions
    whose source token it can see: the carried-state models everywhere; the reset models (TBPTT reset
    and full BPTT) with resets every k or w tokens, so only where the source lies inside the window,
    which for TBPTT reset at L > k is nowhere: its row is then scored on all copy positions, where it
    cannot beat chance.
    """
    vocab = config.copy_vocab
    first_k = config.copy_truncations[0]
    search = _copy_search(config, runtime, first_k, first_k)

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
    at the grid's first k and L = k, with a third of the budget: there the source is inside the window, so
    the candidates can learn the task and differ (beyond k every candidate scores chance, and the pick
    would be noise)."""
    train_tokens, _ = synthetic.copy_task(config.copy_length, distance, config.copy_vocab, seed=config.seed)
    val_tokens, _ = synthetic.copy_task(40_000, distance, config.copy_vocab, seed=config.seed + SEARCH_SEED)
    inputs, targets = language_model_pairs(train_tokens)
    val_inputs, val_targets = language_model_pairs(val_tokens)
    budget = updates_per_pass(len(inputs), config.streams, k)
    shape = spec(config, config.copy_vocab, config.copy_hidden)

    def rnn_nats(settings):
        model = train_rnn(runtime, shape, inputs, targets, k, "carried", settings, max_updates=max(1, budget // 3))
        return mean_loss(RecurrentScorer(model).log_probs(val_inputs, val_targets), distance + 1, None)

    def ngram_nats(settings):
        model = train_neural_ngram(runtime, shape, inputs, targets, k, max(1, config.copy_length // 256 // 3),
                                   settings)
        return mean_loss(WindowScorer(model, k).log_probs(val_inputs, val_targets), distance + 1, None)

    return {"k": k, "L": distance, "neural_ngram": choose(search_grid(config), ngram_nats),
            "rnn_tbptt": choose(search_grid(config), rnn_nats)}


def _copy_cell(config, runtime, k, distance, search):
    """One (k, L) cell: every learner's accuracy and loss on the copy positions it is scored on."""
    vocab = config.copy_vocab
    train_tokens, _ = synthetic.copy_task(config.copy_length, distance, vocab, seed=config.seed)
    test_tokens, test_copy = synthetic.copy_task(40_000, distance, vocab, seed=config.seed + 1)
    inputs, targets = language_model_pairs(train_tokens)
    test_inputs, test_targets = language_model_pairs(test_tokens)
    copy_positions = synthetic.copy_target_mask(test_copy, max(k, distance) + 1)
    budget = updates_per_pass(len(inputs), config.streams, k)
    full_window = max(4 * distance, 32)
    shape = spec(config, vocab, config.copy_hidden)

    def rnn(window, mode, **options):
        return train_rnn(runtime, shape, inputs, targets, window, mode, search["rnn_tbptt"]["chosen"], **options)

    scorers = {
        "rnn_tbptt_carried": RecurrentScorer(rnn(k, "carried")),
        "rnn_tbptt_reset": RecurrentScorer(rnn(k, "reset"), k),
        "rnn_frozen_recurrence": RecurrentScorer(rnn(k, "frozen")),
        "rnn_full_bptt": RecurrentScorer(rnn(full_window, "reset", max_updates=budget), full_window),
        "neural_ngram": WindowScorer(train_neural_ngram(runtime, shape, inputs, targets, k, config.copy_length // 256,
                                                        search["neural_ngram"]["chosen"]), k),
    }
    resets = {"rnn_tbptt_reset": k, "rnn_full_bptt": full_window}    # the others see every copy's source
    learners = {}
    for name in COPY_LEARNERS:
        log_probs, predicted = scorers[name].predictions(test_inputs, test_targets)
        mask = _visible(copy_positions[:len(log_probs)], distance, resets.get(name))
        learners[name] = {**copy_scores(log_probs, predicted, test_targets, mask),
                          "scored_positions": float(mask[:len(log_probs)].sum())}  # differs a little by seed: a mean
    return {"k": k, "L": distance, "full_bptt_window": full_window, "updates": budget, "learners": learners}


def _visible(copy_positions, distance, reset_every):
    """The copy positions whose source lies inside the window a model scored with resets every
    `reset_every` steps can see: target t (offset t mod w in its window) copies input t - L + 1, which
    is in the window when t mod w >= L - 1. All copy positions when no window holds the source."""
    if reset_every is None:
        return copy_positions
    inside = copy_positions & (np.arange(len(copy_positions)) % reset_every >= distance - 1)
    return inside if inside.any() else copy_positions
