"""Problem 2: MNIST MLPs with one-hot vs binary outputs (Q2.1), the appended fixed network of threshold
units (Q2.2), and the 784-H-10-4 network trained directly (Q2.3). Each run_* returns its results.

Each of the three trained designs (the one-hot net, the binary net, the direct 784-H-10-4 net) gets
the same tuning effort: the search (tfsheet.experiments.problem2_search, the experiment P2_search)
chooses its hidden activation, Adam learning rate and epochs on the validation split and keeps its
winner; every run here reads them from `upstream`, with the search's training settings (batch size,
output units, training images). The sweep of Q2.1 keeps sweep_epochs for every cell (an equal
budget is what its comparison holds fixed) and chooses the hidden activation and learning rate again
for every cell, on validation, from the search's grid: a rate chosen at H = 256 can fail at H = 4.
"""

import keras
import numpy as np

from tfsheet.analysis.one_hot_likeness import one_hot_likeness
from tfsheet.analysis.winner_take_all import adversarial_scores, agreement_with_argmax
from tfsheet.data import encodings, load_mnist
from tfsheet.data.mnist import NUM_PIXELS
from tfsheet.experiments.problem2_search import searched_model, train_design
from tfsheet.experiments.validation import validation_data
from tfsheet.models.mlp import append_one_hot_to_binary
from tfsheet.results import seeded
from tfsheet.serving.export import digit_classifier_signature, export_model
from tfsheet.training.search import choose, grid

ONE_HOT_BAR = 0.975           # H = 256, one-hot, on the 10k test set
APPENDED_TOLERANCE = 0.003    # the appended net's accuracy within 0.3 points of the one-hot net's
SEARCH = "P2_search"           # the experiment whose choices and winners every run here reads (registry.P2_SEARCH)


def _test_scores(model, test):
    return model.predict(test.images, batch_size=2000, verbose=0)


def run_sweep(config, workdir, runtime, export_root=None, upstream=None):
    """Q2.1: test accuracy against H for both encodings, len(seeds) seeds each, equal budgets (sweep_epochs).

    Every (encoding, H) cell chooses its hidden activation and learning rate on validation from the search's
    grid, with the first seed (whose winning run is kept, not trained again); every seed then trains with
    that choice. Each row records its choice ("tuned") and every seed's validation accuracy.
    """
    search = upstream[SEARCH]
    test, held_out = load_mnist("test"), load_mnist("validation")
    rows, searches = [], {}
    for encoding in ("one_hot", "binary"):
        searches[encoding] = search.results[encoding]
        validation = validation_data(lambda labels: encodings.encode(labels, encoding))
        for num_hidden in config.hidden_sizes:
            tuned, models = _tuned_cell(search, runtime, encoding, num_hidden, config, validation)
            runs = [_decoded_accuracy(_test_scores(model, test), test.labels, encoding) for model in models]
            outputs = encodings.NUM_DIGITS if encoding == "one_hot" else encodings.NUM_BITS
            row = {"encoding": encoding, "num_hidden": num_hidden,
                   "parameters": (NUM_PIXELS + 1) * num_hidden + (num_hidden + 1) * outputs,
                   "accuracy": seeded([run["accuracy"] for run in runs], config.seeds),
                   "validation_accuracy": seeded([_decoded_accuracy(_test_scores(model, held_out), held_out.labels,
                                                                    encoding)["accuracy"] for model in models],
                                                 config.seeds),
                   "tuned": tuned}
            if encoding == "binary":
                row["invalid_share"] = seeded([run["invalid_share"] for run in runs], config.seeds)
            rows.append(row)
    return {"rows": rows, "search": searches}


def _tuned_cell(search, runtime, encoding, num_hidden, config, validation):
    """(the choice of hidden activation and learning rate on validation for this cell, one trained model per
    seed): the first seed's model is the winning candidate's run."""
    first = {}

    def validation_accuracy(settings):
        model, _, history = train_design(search.config, runtime, encoding, num_hidden, config.sweep_epochs,
                                          config.seeds[0], settings, validation)
        first[(settings["hidden_activation"], settings["learning_rate"])] = model
        return float(history[-1]["val_accuracy"])

    candidates = grid(hidden_activation=search.config.hidden_activation, learning_rate=search.config.learning_rate)
    tuned = choose(candidates, validation_accuracy, metric="validation_accuracy", maximize=True)
    chosen = tuned["chosen"]
    models = [first[(chosen["hidden_activation"], chosen["learning_rate"])]]
    models += [train_design(search.config, runtime, encoding, num_hidden, config.sweep_epochs, seed, chosen)[0]
               for seed in config.seeds[1:]]
    return tuned, models


def _decoded_accuracy(scores, labels, encoding):
    digits = encodings.decode(scores, encoding)
    return {"accuracy": float(np.mean(digits == labels)), "invalid_share": float(np.mean(digits == encodings.INVALID))}


def run_appended(config, workdir, runtime, export_root=None, upstream=None):
    """Q2.2 (and the exported models): the search's one-hot and binary winners, the fixed layer appended."""
    search = upstream[SEARCH]
    test = load_mnist("test")
    searches = {design: search.results[design] for design in ("one_hot", "binary")}
    one_hot_model, binary_model = (searched_model(search, design) for design in ("one_hot", "binary"))
    num_hidden = searches["one_hot"]["num_hidden"]
    appended = append_one_hot_to_binary(one_hot_model)
    classic = append_one_hot_to_binary(one_hot_model, winner_take_all=False)

    scores = one_hot_model.predict(test.images, batch_size=2000, verbose=0)       # (N, 10)
    ordered = np.sort(scores, axis=1)
    layer = appended.get_layer("one_hot_to_binary")
    adversarial = np.random.default_rng(0)
    premise = (ordered[:, -1] >= 0.99) & (ordered[:, -2] < 0.01)
    condition = decoder_condition(scores)
    one_hot_digits = encodings.decode_one_hot(scores)
    appended_digits = encodings.decode_binary(appended.predict(test.images, batch_size=2000, verbose=0))
    classic_digits = encodings.decode_binary(classic.predict(test.images, batch_size=2000, verbose=0))

    def accuracy(digits, where=None):
        where = np.ones(len(digits), bool) if where is None else where
        return float(np.mean(digits[where] == test.labels[where])) if where.any() else None

    results = {
        "one_hot": {"accuracy": accuracy(one_hot_digits), "num_hidden": num_hidden, "accuracy_bar": ONE_HOT_BAR},
        "binary": _decoded_accuracy(binary_model.predict(test.images, batch_size=2000, verbose=0), test.labels, "binary"),
        "search": searches,
        "appended": {"accuracy": accuracy(appended_digits),
                     "agrees_with_one_hot_argmax": float(np.mean(appended_digits == one_hot_digits)),
                     "test_images": len(test), "ties_at_the_top": int(np.sum(ordered[:, -1] == ordered[:, -2])),
                     "depth": layer.depth, "fixed_parameters": layer.parameter_count,
                     "adversarial": [agreement_with_argmax(layer, adversarial_scores(adversarial,
                                                                                     config.adversarial_inputs // 2,
                                                                                     negative=negative))
                                     for negative in (False, True)],
                     "trainable_parameters_added": int(sum(np.prod(w.shape) for w in appended.trainable_weights)
                                                       - sum(np.prod(w.shape) for w in one_hot_model.trainable_weights)),
                     "tolerance": APPENDED_TOLERANCE},
        "premise": {"share_meeting": float(np.mean(premise)), "count_failing": int(np.sum(~premise)),
                    "one_hot_accuracy_where_met": accuracy(one_hot_digits, premise),
                    "one_hot_accuracy_where_failed": accuracy(one_hot_digits, ~premise)},
        "classic_layer": {"accuracy": accuracy(classic_digits),
                          "accuracy_where_premise_met": accuracy(classic_digits, premise),
                          "accuracy_where_premise_failed": accuracy(classic_digits, ~premise),
                          "invalid_share": float(np.mean(classic_digits == encodings.INVALID)),
                          "disagrees_with_argmax": int(np.sum(classic_digits != one_hot_digits))},
        "appended_where_premise_failed": accuracy(appended_digits, ~premise),
        "decoder_condition": {"share_meeting": float(np.mean(condition)),
                              "classic_agrees_with_argmax_where_met": float(np.mean(
                                  classic_digits[condition] == one_hot_digits[condition])) if condition.any() else None,
                              "classic_accuracy_where_failed": accuracy(classic_digits, ~condition)},
    }
    if export_root is not None:
        results["saved_models"] = {name: str(path) for name, path in export_problem2_models(
            one_hot_model, binary_model, appended, export_root).items()}
    return results


def decoder_condition(scores):
    """(N,) bool: where a sufficient condition holds for the one-layer decoder step(B^T y - 1/2) to give the code
    of the argmax of one-hot scores y in [0, 1]^10, whatever the code assignment B.

    The condition: the largest score is above 1/2 and the others sum to less than 1/2. Then a bit that is 1 for
    the top digit sums at least the top score (> 1/2), and a bit that is 0 for it sums at most the others
    (< 1/2). It is not necessary (0.9 with nine others at 0.06 still decodes right for the codes used here).
    The textbook premise (top >= 0.99, the others < 0.01) is a special case: nine others below 0.01 sum below 0.09.
    """
    scores = np.asarray(scores)
    top = scores.max(axis=1)
    return (top > 0.5) & (scores.sum(axis=1) - top < 0.5)


def run_direct(config, workdir, runtime, export_root=None, upstream=None):
    """Q2.3: 784-H-10-4 trained from random initialisation on binary targets, against the appended design,
    over the same seeds; the search's seed is its kept winner, the others are trained with its choice."""
    search = upstream[SEARCH]
    test = load_mnist("test")

    def trained(design, seed):
        if seed == search.config.seed:
            return searched_model(search, design)
        chosen = search.results[design]["chosen"]
        return train_design(search.config, runtime, design, search.results[design]["num_hidden"], chosen["epochs"],
                            seed, chosen)[0]

    runs = []
    for seed in config.seeds:
        model = trained("direct", seed)
        middle = keras.Model(model.input, model.get_layer("middle").output)
        run = _decoded_accuracy(_test_scores(model, test), test.labels, "binary")
        run["middle_layer"] = one_hot_likeness(_test_scores(middle, test), test.labels)
        runs.append(run)

    # the appended design's 10-unit layer (the trained one-hot net), for comparison, over the same seeds
    # and the textbook one-layer decoder step(B^T y - 1/2) on the same one-hot nets
    appended_runs = []
    for seed in config.seeds:
        one_hot_model = trained("one_hot", seed)
        scores = _test_scores(one_hot_model, test)
        textbook = append_one_hot_to_binary(one_hot_model, winner_take_all=False)
        appended_runs.append({"accuracy": _decoded_accuracy(scores, test.labels, "one_hot")["accuracy"],
                              "textbook_accuracy": _decoded_accuracy(_test_scores(textbook, test), test.labels,
                                                                     "binary")["accuracy"],
                              "middle_layer": one_hot_likeness(scores, test.labels)})
    def over_seeds(values):
        return seeded(values, config.seeds)

    likeness = ("best_assignment_agreement", "purity", "concentration", "premise_share")
    summary = {key: over_seeds([run[key] for run in runs]) for key in ("accuracy", "invalid_share")}
    summary["appended_accuracy"] = over_seeds([run["accuracy"] for run in appended_runs])
    summary["textbook_accuracy"] = over_seeds([run["textbook_accuracy"] for run in appended_runs])
    summary["middle"] = {key: over_seeds([run["middle_layer"][key] for run in runs]) for key in likeness}
    summary["appended_middle"] = {key: over_seeds([run["middle_layer"][key] for run in appended_runs])
                                  for key in likeness}
    return {"runs": runs, "summary": summary, "appended_middle_layer": appended_runs[0]["middle_layer"],
            "search": search.results["direct"]}


def export_problem2_models(one_hot_model, binary_model, appended_model, root):
    """Publish mlp_onehot, mlp_binary and mlp_onehot_to_binary: `pixels` -> `scores`, `digit` (-1 invalid)."""
    def one_hot_outputs(scores):
        return {"scores": scores, "digit": encodings.tf_decode_one_hot(scores)}

    def binary_outputs(scores):
        return {"scores": scores, "digit": encodings.tf_decode_binary(scores)}

    published = {}
    for name, model, outputs in (("mlp_onehot", one_hot_model, one_hot_outputs),
                                 ("mlp_binary", binary_model, binary_outputs),
                                 ("mlp_onehot_to_binary", appended_model, binary_outputs)):
        published[name] = export_model(model, name, {"serving_default": digit_classifier_signature(model, outputs)},
                                       root=root)
    return published
