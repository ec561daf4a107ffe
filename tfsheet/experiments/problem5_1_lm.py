"""Problem 5.1 "in practice": the strongest recurrent language model trained here with TBPTT, against the
n-gram models, on Tiny Shakespeare's test split.

For each cell of `lm_cells` ("tanh", the sheet's cell h_t = tanh(W_hh h_{t-1} + W_xh x_t + b), and
"gru", a gated cell), an RNN of H = `lm_hidden` units is trained by TBPTT with k = `lm_window` and
the state carried, on `lm_streams` parallel streams, with dropout `lm_dropout` before the readout
and Adam on a clipped gradient. The protocol:

  1. the learning rate and the clipping norm of each cell are chosen on the validation split by a
     grid search (`search_learning_rates` x `search_clip_norms`, `lm_search_epochs` passes each);
  2. every seed of `seeds` is trained for `lm_epochs` passes with the chosen settings, the learning
     rate constant or decayed to 0 over the run (`lm_schedule`, also used by the search); the
     validation loss after each pass is the learning curve, and the weights of the pass with the
     lowest validation loss are kept (with Adam at a constant rate, a long run can get worse);
  3. the test split is scored once per trained model, at the end; every model is reported on both
     splits, the n-gram models' figures coming from the "shakespeare" experiment;
  4. dynamic evaluation (tfsheet.training.dynamic_evaluation), for the cell with the lower mean
     validation loss: its SGD step is chosen on validation (`lm_dynamic_learning_rates`, the first
     seed's model), then every seed's model is scored so on validation and, once, on test. The control
     is the count model adapted the same way: Kneser-Ney, its order chosen on validation, with its
     counts refitted every `lm_dynamic_ngram_chunk` characters on the text scored so far.

The best cell's model with the lowest validation loss is exported, static, as `char_rnn`.
"""

from tfsheet.data.text import CharacterData
from tfsheet.models.kneser_ney import KneserNeyCounts, adaptive_log_probs
from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.results import NATS_PER_BIT, seeded
from tfsheet.serving.export import export_model, recurrent_language_model_signature
from tfsheet.training import seed_everything
from tfsheet.training.callbacks import KeepBest
from tfsheet.training.dynamic_evaluation import dynamic_log_probs
from tfsheet.training.language_models import rate_and_clipping_grid
from tfsheet.training.scoring import CountScorer, RecurrentScorer, mean_loss
from tfsheet.training.search import choose, grid
from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, train_on_streams


def run(config, workdir, runtime, export_root=None):
    """Search, train over seeds, score; results per cell with the learning curves and both splits."""
    data = CharacterData.load(config.train_chars)
    results = {"cells": {}, "seeds": list(config.seeds), "hidden_size": config.lm_hidden,
               "window": config.lm_window, "streams": config.lm_streams, "dropout": config.lm_dropout,
               "epochs": config.lm_epochs, "schedule": config.lm_schedule}
    trained = {}                       # cell -> its model per seed
    for cell in config.lm_cells:
        search = choose(rate_and_clipping_grid(config.search_learning_rates, config.search_clip_norms), lambda settings: _best_pass(_train(
            config, runtime, data, cell, settings, config.seeds[0], config.lm_search_epochs)[1])["validation_nats"])
        runs, trained[cell] = [], []
        for seed in config.seeds:
            model, curve = _train(config, runtime, data, cell, search["chosen"], seed, config.lm_epochs)
            test = _nats(config, model, data.splits["test"])    # the one look at the test split
            kept = _best_pass(curve)                              # the pass whose weights _train kept
            runs.append({"seed": seed, "curve": curve,
                         "nats": {"train": kept["train_nats"], "validation": kept["validation_nats"], "test": test}})
            trained[cell].append(model)
        results["cells"][cell] = {"search": search, "runs": runs,
                                  **_over_runs(runs, config.seeds, ("train", "validation", "test"))}
    cell = min(results["cells"], key=lambda name: results["cells"][name]["nats"]["validation"].mean)
    runs = results["cells"][cell]["runs"]
    best = min(range(len(runs)), key=lambda i: runs[i]["nats"]["validation"])
    results["best"] = {"cell": cell, "seed": runs[best]["seed"]}
    results["dynamic"] = _dynamic_evaluation(config, runtime, data, cell, trained[cell])
    if export_root is not None:
        signature = recurrent_language_model_signature(trained[cell][best])
        results["saved_models"] = {"char_rnn": str(export_model(
            trained[cell][best], "char_rnn", {"serving_default": signature}, root=export_root,
            extra_files={"vocabulary.json": data.vocab.to_json()}))}
    return results


def _best_pass(curve):
    """The point of a learning curve with the lowest validation loss."""
    return min(curve, key=lambda point: point["validation_nats"])


def _train(config, runtime, data, cell, settings, seed, epochs):
    """(model, learning curve): one RNN trained `epochs` passes, with the weights of its pass with the lowest
    validation loss; the curve holds train and validation nats per pass."""
    seed_everything(seed)
    kept = KeepBest("validation_nats", maximize=False)      # kept on disk too, when the runtime keeps checkpoints

    def validation(model):
        return {"validation_nats": _nats(config, model, data.splits["validation"])}

    inputs, targets = language_model_pairs(data.train_ids)
    vocab = len(data.vocab)
    model, _, history = train_on_streams(
        runtime, lambda: RNNLanguageModel(vocab, config.lm_hidden, cell=cell, streams=config.lm_streams,
                                          dropout=config.lm_dropout),
        inputs, targets, streams=config.lm_streams, window=config.lm_window,
        gradients_for=lambda model: carried_state_gradients, learning_rate=settings["learning_rate"],
        clip_norm=settings["clip_norm"] or None, seed=seed, epochs=epochs, schedule=config.lm_schedule,
        name=f"lm_{cell}_hidden{config.lm_hidden}_lr{settings['learning_rate']:g}_clip{settings['clip_norm']:g}"
             f"_seed{seed}_{epochs}passes",
        after_epoch=validation, callbacks=(kept,))
    curve = [{"epoch": record["epoch"], "train_nats": record["loss"], "validation_nats": record["validation_nats"],
              "seconds": record["seconds"]} for record in history]
    return kept.restore(model), curve


def _dynamic_evaluation(config, runtime, data, cell, models):
    """The cell's models (one per seed) and the Kneser-Ney control, each learning from the text as it is scored.
    Each score is kept by the runtime (runtime.remember), so a resumed run does not adapt a model again."""
    def nats(seed, split, learning_rate):
        def adapted():
            inputs, targets = language_model_pairs(data.splits[split])
            return _scored(config, dynamic_log_probs(models[config.seeds.index(seed)], inputs, targets,
                                                     learning_rate=learning_rate, window=config.lm_window))
        return runtime.remember(f"dynamic_{cell}_seed{seed}_{split}_lr{learning_rate:g}", adapted)

    search = choose(grid(learning_rate=config.lm_dynamic_learning_rates),
                    lambda settings: nats(config.seeds[0], "validation", settings["learning_rate"]))
    rate = search["chosen"]["learning_rate"]
    runs = [{"seed": seed, "nats": {   # the first seed's validation score is the chosen candidate's, the lowest
                 "validation": (min(tried["validation_nats"] for tried in search["tried"]) if i == 0
                                else nats(seed, "validation", rate)),
                 "test": nats(seed, "test", rate)}}        # the one look at the test split
            for i, seed in enumerate(config.seeds)]
    return {"cell": cell, "window": config.lm_window, "search": search, "runs": runs,
            **_over_runs(runs, config.seeds, ("validation", "test")),
            "kneser_ney": runtime.remember("adaptive_kneser_ney", lambda: _adaptive_kneser_ney(config, data))}


def _over_runs(runs, seeds, splits):
    """{"nats": {split: Seeded}, "bpc": the held-out splits' in bits} of runs holding {"nats": {split: loss}}."""
    nats = {split: seeded([run["nats"][split] for run in runs], seeds) for split in splits}
    return {"nats": nats, "bpc": {split: nats[split].map(lambda value: value / NATS_PER_BIT)
                                  for split in splits if split != "train"}}


def _adaptive_kneser_ney(config, data):
    """Kneser-Ney of the order best on validation, static and with its counts refitted as the text is read."""
    vocab = len(data.vocab)
    static = _static_kneser_ney(config, data)
    n = min(config.orders, key=lambda order: static[order]["validation"])
    adaptive = {split: _scored(config, adaptive_log_probs(data.train_ids, ids, n, vocab,
                                                          config.lm_dynamic_ngram_chunk)[1:])
                for split, ids in data.splits.items()}
    return {"n": n, "chunk": config.lm_dynamic_ngram_chunk, "static_nats": static[n], "nats": adaptive}


def _static_kneser_ney(config, data):
    """{n: {split: nats}} of Kneser-Ney fitted on the training split, for every order of the comparison."""
    counts = KneserNeyCounts(max(config.orders), len(data.vocab)).fit(data.train_ids)
    return {n: {split: _scored(config, CountScorer(counts, n).log_probs(*language_model_pairs(ids)))
                for split, ids in data.splits.items()} for n in config.orders}


def _nats(config, model, ids):
    """Mean loss in nats/char of a split, the state carried through it (see _scored for the positions)."""
    inputs, targets = language_model_pairs(ids)
    return _scored(config, RecurrentScorer(model).log_probs(inputs, targets))


def _scored(config, log_probs):
    """-mean log P over the positions the n-gram comparison scores at its largest n: from n - 1 to the last whole
    window of n (log_probs[t] is of target t, the id at t + 1)."""
    n = max(config.orders)
    return mean_loss(log_probs, n - 1, len(log_probs) // n * n)
