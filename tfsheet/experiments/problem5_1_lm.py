"""Problem 5.1 "in practice": the strongest recurrent language model trained here with TBPTT, against the
n-gram models, on Tiny Shakespeare's test split.

For each cell of `lm_cells` ("tanh", the sheet's cell h_t = tanh(W_hh h_{t-1} + W_xh x_t + b), and
"gru", a gated cell), an RNN of H = `lm_hidden` units is trained by TBPTT with k = `lm_window` and
the state carried, on `lm_streams` parallel streams, with dropout `lm_dropout` before the readout
and Adam on a clipped gradient. The protocol:

  1. the learning rate and the clipping norm of each cell are chosen on the validation split by a
     grid search (`search_learning_rates` x `search_clip_norms`, `lm_search_epochs` passes each);
  2. every seed of `seeds` is trained for `lm_epochs` passes with the chosen settings; the
     validation loss after each pass is the learning curve;
  3. the test split is scored once per trained model, at the end; every model is reported on both
     splits, the n-gram models' figures coming from the "shakespeare" experiment.

The model with the lowest validation loss (cell and seed) is exported as `char_rnn`.
"""

from tfsheet.experiments.problem5_1 import NATS_PER_BIT, CharacterData, mean_loss, search_grid
from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.results import spread
from tfsheet.serving.export import export_model, recurrent_language_model_signature
from tfsheet.training import seed_everything
from tfsheet.training.search import choose
from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, sequence_log_probs, train_on_streams


def run(config, workdir, runtime, export_root=None):
    """Search, train over seeds, score; results per cell with the learning curves and both splits."""
    data = CharacterData.load(config.train_chars)
    results = {"cells": {}, "seeds": list(config.seeds), "hidden_size": config.lm_hidden,
               "window": config.lm_window, "streams": config.lm_streams, "dropout": config.lm_dropout,
               "epochs": config.lm_epochs}
    best = None
    for cell in config.lm_cells:
        search = choose(search_grid(config), lambda settings: _train(
            config, runtime, data, cell, settings, config.seeds[0], config.lm_search_epochs)[1][-1]["validation_nats"])
        runs = []
        for seed in config.seeds:
            model, curve = _train(config, runtime, data, cell, search["chosen"], seed, config.lm_epochs)
            test = _nats(config, model, data.splits["test"])    # the one look at the test split
            runs.append({"seed": seed, "curve": curve, "validation_nats": curve[-1]["validation_nats"],
                         "test_nats": test, "train_nats": curve[-1]["train_nats"]})
            if best is None or runs[-1]["validation_nats"] < best[0]:
                best = (runs[-1]["validation_nats"], model, cell, seed)
        results["cells"][cell] = {
            "search": search, "runs": runs,
            **{f"{split}_nats": spread([run[f"{split}_nats"] for run in runs]) for split in ("train", "validation", "test")},
            **{f"{split}_bpc": spread([run[f"{split}_nats"] / NATS_PER_BIT for run in runs])
               for split in ("validation", "test")}}
    results["best"] = {"cell": best[2], "seed": best[3]}
    if export_root is not None:
        signature = recurrent_language_model_signature(best[1])
        results["saved_models"] = {"char_rnn": str(export_model(
            best[1], "char_rnn", {"serving_default": signature}, root=export_root,
            extra_files={"vocabulary.json": data.vocab.to_json()}))}
    return results


def _train(config, runtime, data, cell, settings, seed, epochs):
    """(model, learning curve): one RNN trained `epochs` passes; the curve holds train and validation nats per pass."""
    seed_everything(seed)
    inputs, targets = language_model_pairs(data.train_ids)
    vocab = len(data.vocab)
    model, _, history = train_on_streams(
        runtime, lambda: RNNLanguageModel(vocab, config.lm_hidden, cell=cell, streams=config.lm_streams,
                                          dropout=config.lm_dropout),
        inputs, targets, streams=config.lm_streams, window=config.lm_window,
        gradients_for=lambda model: carried_state_gradients, learning_rate=settings["learning_rate"],
        clip_norm=settings["clip_norm"] or None, seed=seed, epochs=epochs,
        name=f"lm_{cell}_hidden{config.lm_hidden}_lr{settings['learning_rate']:g}_clip{settings['clip_norm']:g}"
             f"_seed{seed}_{epochs}passes",
        after_epoch=lambda model: {"validation_nats": _nats(config, model, data.splits["validation"])})
    curve = [{"epoch": record["epoch"], "train_nats": record["loss"], "validation_nats": record["validation_nats"],
              "seconds": record["seconds"]} for record in history]
    return model, curve


def _nats(config, model, ids):
    """Mean loss in nats/char of a split, the state carried through it, on the positions the n-gram comparison
    scores at its largest n: from n - 1 to the last whole window of n."""
    inputs, targets = language_model_pairs(ids)
    n = max(config.orders)
    return mean_loss(sequence_log_probs(model, inputs, targets), n - 1, len(targets) // n * n)
