"""Problem 2: MNIST MLPs with one-hot vs binary outputs (Q2.1), the appended fixed network of threshold
units (Q2.2), and the 784-H-10-4 network trained directly (Q2.3). Each run_* returns its results.

Each of the three trained designs (the one-hot net, the binary net, the direct 784-H-10-4 net) gets
the same tuning effort: its hidden activation, Adam learning rate and number of epochs are chosen
on the validation split by a search over config.hidden_activation x config.learning_rate (see
tfsheet.experiments.validation), made once per design and shared by the three experiments. The
sweep of Q2.1 keeps sweep_epochs for every cell: an equal budget is what its comparison holds fixed.
"""

import keras
import numpy as np

from tfsheet.analysis.one_hot_likeness import one_hot_likeness
from tfsheet.analysis.winner_take_all import adversarial_scores, agreement_with_argmax
from tfsheet.data import encodings, load_mnist
from tfsheet.data.mnist import NUM_PIXELS
from tfsheet.layers import OneHotToBinary
from tfsheet.models.losses import MLP_METRICS, squared_loss
from tfsheet.models.mlp import build_mlp
from tfsheet.results import spread
from tfsheet.serving.export import digit_classifier_signature, export_model
from tfsheet.experiments.validation import choose_on_validation, validation_data
from tfsheet.training import ArrayData, TrainConfig, seed_everything
from tfsheet.training.search import grid

ONE_HOT_BAR = 0.975           # H = 256, one-hot, on the 10k test set
APPENDED_TOLERANCE = 0.003    # the appended net's accuracy within 0.3 points of the one-hot net's
ADVERSARIAL_INPUTS = 20_000   # score vectors built to break the threshold-unit winner-take-all
DESIGNS = {"one_hot": "one_hot", "binary": "binary", "direct": "binary"}   # design -> the targets it trains on
_SEARCHES = {}                # (config, design, strategy) -> its search, made once per report




def _data(config, encoding):
    train, test = load_mnist("train", config.train_examples), load_mnist("test")
    return (ArrayData(train.images, encodings.encode(train.labels, encoding)),
            ArrayData(test.images, encodings.encode(test.labels, encoding)), test)


def train_mlp(config, runtime, encoding, num_hidden, epochs, seed, settings, workdir=None, validation=None):
    """Train one 784-H-K MLP on `encoding` targets under `runtime` with `settings` (hidden_activation,
    learning_rate); return (model, test metrics, history). With `validation` data, the history holds val_*
    per epoch and the test split is not read (the metrics are None)."""
    seed_everything(seed)
    train, test, _ = _data(config, encoding)
    model, trainer = runtime.make_trainer(
        lambda: build_mlp(num_hidden, encoding, settings["hidden_activation"], config.output_activation), squared_loss,
        lambda: keras.optimizers.Adam(settings["learning_rate"]),
        TrainConfig(epochs=epochs, batch_size=config.batch_size, seed=seed),
        name=f"{encoding}_H{num_hidden}_{settings['hidden_activation']}_lr{settings['learning_rate']:g}_seed{seed}",
        metrics=MLP_METRICS[encoding], workdir=workdir)
    history = trainer.fit(train, validation)
    return model, (None if validation is not None else trainer.evaluate(test)), history


def chosen_settings(config, runtime, design):
    """The search of `design` ("one_hot", "binary" or "direct") on the validation split, made once per config."""
    key = (config, design, id(runtime.strategy))
    if key not in _SEARCHES:
        validation = validation_data(lambda labels: encodings.encode(labels, DESIGNS[design]))
        candidates = grid(hidden_activation=config.hidden_activation, learning_rate=config.learning_rate)
        if design == "direct":
            history_of = lambda settings: _train_direct(config, runtime, settings, config.epochs, config.seeds[0],
                                                        validation)[2]
        else:
            history_of = lambda settings: train_mlp(config, runtime, design, config.num_hidden, config.epochs,
                                                    config.seeds[0], settings, validation=validation)[2]
        _SEARCHES[key] = {"num_hidden": config.num_hidden, **choose_on_validation(candidates, history_of)}
    return _SEARCHES[key]


def run_sweep(config, workdir, runtime, export_root=None):
    """Q2.1: test accuracy against H for both encodings, len(seeds) seeds each, equal budgets (sweep_epochs),
    each encoding with the activation and learning rate its search chose at the default width."""
    rows, searches = [], {}
    for encoding in ("one_hot", "binary"):
        searches[encoding] = chosen_settings(config, runtime, encoding)
        for num_hidden in config.hidden_sizes:
            runs = [train_mlp(config, runtime, encoding, num_hidden, config.sweep_epochs, seed,
                              searches[encoding]["chosen"])[1] for seed in config.seeds]
            outputs = encodings.NUM_DIGITS if encoding == "one_hot" else encodings.NUM_BITS
            row = {"encoding": encoding, "num_hidden": num_hidden,
                   "parameters": (NUM_PIXELS + 1) * num_hidden + (num_hidden + 1) * outputs,
                   "accuracy": spread([run["accuracy"] for run in runs])}
            if encoding == "binary":
                row["invalid_share"] = spread([run["invalid"] for run in runs])
            rows.append(row)
    return {"rows": rows, "search": searches}


def append_one_hot_to_binary(one_hot_model, winner_take_all=True):
    """Q2.2: the trained 784-H-10 net with the fixed OneHotToBinary layer on top (784-H-10-4)."""
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    bits = OneHotToBinary(winner_take_all=winner_take_all, name="one_hot_to_binary")(one_hot_model(pixels))
    return keras.Model(pixels, bits, name="mlp_onehot_to_binary")


def build_direct_binary(config, hidden_activation):
    """Q2.3: the 784-H-10-4 architecture with every layer trainable (the 10-unit layer is sigmoid)."""
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    hidden = keras.layers.Dense(config.num_hidden, activation=hidden_activation, name="hidden")(pixels)
    middle = keras.layers.Dense(encodings.NUM_DIGITS, activation="sigmoid", name="middle")(hidden)
    bits = keras.layers.Dense(encodings.NUM_BITS, activation="sigmoid", name="output")(middle)
    return keras.Model(pixels, bits, name="mlp_direct_binary")


def _decoded_accuracy(scores, labels, encoding):
    digits = encodings.decode(scores, encoding)
    return {"accuracy": float(np.mean(digits == labels)), "invalid_share": float(np.mean(digits == encodings.INVALID))}


def run_appended(config, workdir, runtime, export_root=None):
    """Q2.2 (and the exported models): train H-wide one-hot and binary nets, append the fixed layer."""
    test = load_mnist("test")
    searches = {design: chosen_settings(config, runtime, design) for design in ("one_hot", "binary")}
    one_hot_model, binary_model = (train_mlp(config, runtime, design, config.num_hidden,
                                             searches[design]["chosen"]["epochs"], config.seeds[0],
                                             searches[design]["chosen"], workdir=workdir / name)[0]
                                   for design, name in (("one_hot", "mlp_onehot"), ("binary", "mlp_binary")))
    appended = append_one_hot_to_binary(one_hot_model)
    classic = append_one_hot_to_binary(one_hot_model, winner_take_all=False)

    scores = one_hot_model.predict(test.images, batch_size=2000, verbose=0)       # (N, 10)
    ordered = np.sort(scores, axis=1)
    layer = appended.get_layer("one_hot_to_binary")
    adversarial = np.random.default_rng(0)
    premise = (ordered[:, -1] >= 0.99) & (ordered[:, -2] < 0.01)
    one_hot_digits = encodings.decode_one_hot(scores)
    appended_digits = encodings.decode_binary(appended.predict(test.images, batch_size=2000, verbose=0))
    classic_digits = encodings.decode_binary(classic.predict(test.images, batch_size=2000, verbose=0))

    def accuracy(digits, where=None):
        where = np.ones(len(digits), bool) if where is None else where
        return float(np.mean(digits[where] == test.labels[where])) if where.any() else None

    results = {
        "one_hot": {"accuracy": accuracy(one_hot_digits), "num_hidden": config.num_hidden, "accuracy_bar": ONE_HOT_BAR},
        "binary": _decoded_accuracy(binary_model.predict(test.images, batch_size=2000, verbose=0), test.labels, "binary"),
        "search": searches,
        "appended": {"accuracy": accuracy(appended_digits),
                     "agrees_with_one_hot_argmax": float(np.mean(appended_digits == one_hot_digits)),
                     "test_images": len(test), "ties_at_the_top": int(np.sum(ordered[:, -1] == ordered[:, -2])),
                     "depth": layer.depth, "fixed_parameters": layer.parameter_count,
                     "adversarial": [agreement_with_argmax(layer, adversarial_scores(adversarial, ADVERSARIAL_INPUTS // 2,
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
    }
    if export_root is not None:
        results["saved_models"] = {name: str(path) for name, path in export_problem2_models(
            one_hot_model, binary_model, appended, export_root).items()}
    return results


def run_direct(config, workdir, runtime, export_root=None):
    """Q2.3: 784-H-10-4 trained from random initialisation on binary targets, against the appended design."""
    _, _, test = _data(config, "binary")
    search = chosen_settings(config, runtime, "direct")
    runs = []
    for seed in config.seeds:
        model, _, _ = _train_direct(config, runtime, search["chosen"], search["chosen"]["epochs"], seed)
        middle = keras.Model(model.input, model.get_layer("middle").output)
        run = _decoded_accuracy(model.predict(test.images, batch_size=2000, verbose=0), test.labels, "binary")
        run["middle_layer"] = one_hot_likeness(middle.predict(test.images, batch_size=2000, verbose=0), test.labels)
        runs.append(run)

    # the appended design's 10-unit layer (the trained one-hot net), for comparison, over the same seeds
    one_hot = chosen_settings(config, runtime, "one_hot")["chosen"]
    appended_runs = []
    for seed in config.seeds:
        one_hot_model, metrics, _ = train_mlp(config, runtime, "one_hot", config.num_hidden, one_hot["epochs"], seed,
                                              one_hot)
        appended_runs.append({"accuracy": metrics["accuracy"], "middle_layer": one_hot_likeness(
            one_hot_model.predict(test.images, batch_size=2000, verbose=0), test.labels)})
    summary = {key: spread([run[key] for run in runs]) for key in ("accuracy", "invalid_share")}
    summary["appended_accuracy"] = spread([run["accuracy"] for run in appended_runs])
    for key in ("best_assignment_agreement", "purity", "concentration", "premise_share"):
        summary[f"middle_{key}"] = spread([run["middle_layer"][key] for run in runs])
        summary[f"appended_middle_{key}"] = spread([run["middle_layer"][key] for run in appended_runs])
    return {"runs": runs, "summary": summary, "appended_middle_layer": appended_runs[0]["middle_layer"],
            "search": search}


def _train_direct(config, runtime, settings, epochs, seed, validation=None):
    """The 784-H-10-4 net trained from random initialisation on binary targets; (model, None, history)."""
    train, _, _ = _data(config, "binary")
    seed_everything(seed)
    model, trainer = runtime.make_trainer(
        lambda: build_direct_binary(config, settings["hidden_activation"]), squared_loss,
        lambda: keras.optimizers.Adam(settings["learning_rate"]),
        TrainConfig(epochs=epochs, batch_size=config.batch_size, seed=seed),
        name=f"direct_784-{config.num_hidden}-10-4_{settings['hidden_activation']}_lr{settings['learning_rate']:g}"
             f"_seed{seed}", metrics=MLP_METRICS["binary"])
    return model, None, trainer.fit(train, validation)


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
