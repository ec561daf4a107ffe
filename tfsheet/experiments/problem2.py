"""Problem 2: MNIST MLPs with one-hot vs binary outputs (Q2.1), the appended fixed layer (Q2.2),
and the 784-H-10-4 network trained directly (Q2.3). Each run_* returns its results.
"""

import keras
import numpy as np

from tfsheet.analysis.one_hot_likeness import one_hot_likeness
from tfsheet.data import encodings, load_mnist
from tfsheet.data.mnist import NUM_PIXELS
from tfsheet.layers import OneHotToBinary
from tfsheet.models.losses import MLP_METRICS, squared_loss
from tfsheet.models.mlp import build_mlp
from tfsheet.results import spread
from tfsheet.serving.export import digit_classifier_signature, export_model
from tfsheet.training import ArrayData, TrainConfig, seed_everything

ONE_HOT_BAR = 0.975           # H = 256, one-hot, on the 10k test set
APPENDED_TOLERANCE = 0.003    # the appended net's accuracy within 0.3 points of the one-hot net's




def _data(config, encoding):
    train, test = load_mnist("train", config.train_examples), load_mnist("test")
    return (ArrayData(train.images, encodings.encode(train.labels, encoding)),
            ArrayData(test.images, encodings.encode(test.labels, encoding)), test)


def train_mlp(config, runtime, encoding, num_hidden, epochs, seed, workdir=None):
    """Train one 784-H-K MLP on `encoding` targets under `runtime`; return (model, test metrics)."""
    seed_everything(seed)
    train, test, _ = _data(config, encoding)
    model, trainer = runtime.make_trainer(
        lambda: build_mlp(num_hidden, encoding, config.hidden_activation, config.output_activation), squared_loss,
        lambda: keras.optimizers.Adam(config.learning_rate),
        TrainConfig(epochs=epochs, batch_size=config.batch_size, seed=seed),
        name=f"{encoding}_H{num_hidden}_seed{seed}", metrics=MLP_METRICS[encoding], workdir=workdir)
    trainer.fit(train)
    return model, trainer.evaluate(test)


def run_sweep(config, workdir, runtime, export_root=None):
    """Q2.1: test accuracy against H for both encodings, len(seeds) seeds each, equal budgets."""
    rows = []
    for encoding in ("one_hot", "binary"):
        for num_hidden in config.hidden_sizes:
            runs = [train_mlp(config, runtime, encoding, num_hidden, config.sweep_epochs, seed)[1]
                    for seed in config.seeds]
            outputs = encodings.NUM_DIGITS if encoding == "one_hot" else encodings.NUM_BITS
            row = {"encoding": encoding, "num_hidden": num_hidden,
                   "parameters": (NUM_PIXELS + 1) * num_hidden + (num_hidden + 1) * outputs,
                   "accuracy": spread([run["accuracy"] for run in runs])}
            if encoding == "binary":
                row["invalid_share"] = spread([run["invalid"] for run in runs])
            rows.append(row)
    return {"rows": rows}


def append_one_hot_to_binary(one_hot_model, winner_take_all=True):
    """Q2.2: the trained 784-H-10 net with the fixed OneHotToBinary layer on top (784-H-10-4)."""
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    bits = OneHotToBinary(winner_take_all=winner_take_all, name="one_hot_to_binary")(one_hot_model(pixels))
    return keras.Model(pixels, bits, name="mlp_onehot_to_binary")


def build_direct_binary(config):
    """Q2.3: the 784-H-10-4 architecture with every layer trainable (the 10-unit layer is sigmoid)."""
    pixels = keras.Input(shape=(NUM_PIXELS,), name="pixels")
    hidden = keras.layers.Dense(config.num_hidden, activation=config.hidden_activation, name="hidden")(pixels)
    middle = keras.layers.Dense(encodings.NUM_DIGITS, activation="sigmoid", name="middle")(hidden)
    bits = keras.layers.Dense(encodings.NUM_BITS, activation="sigmoid", name="output")(middle)
    return keras.Model(pixels, bits, name="mlp_direct_binary")


def _decoded_accuracy(scores, labels, encoding):
    digits = encodings.decode(scores, encoding)
    return {"accuracy": float(np.mean(digits == labels)), "invalid_share": float(np.mean(digits == encodings.INVALID))}


def run_appended(config, workdir, runtime, export_root=None):
    """Q2.2 (and the exported models): train H-wide one-hot and binary nets, append the fixed layer."""
    test = load_mnist("test")
    one_hot_model, _ = train_mlp(config, runtime, "one_hot", config.num_hidden, config.epochs, config.seeds[0],
                                 workdir=workdir / "mlp_onehot")
    binary_model, _ = train_mlp(config, runtime, "binary", config.num_hidden, config.epochs, config.seeds[0],
                                workdir=workdir / "mlp_binary")
    appended = append_one_hot_to_binary(one_hot_model)
    classic = append_one_hot_to_binary(one_hot_model, winner_take_all=False)

    scores = one_hot_model.predict(test.images, batch_size=2000, verbose=0)       # (N, 10)
    ordered = np.sort(scores, axis=1)
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
        "appended": {"accuracy": accuracy(appended_digits),
                     "agrees_with_one_hot_argmax": float(np.mean(appended_digits == one_hot_digits)),
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
    train, _, test = _data(config, "binary")
    runs = []
    for seed in config.seeds:
        seed_everything(seed)
        model, trainer = runtime.make_trainer(
            lambda: build_direct_binary(config), squared_loss, lambda: keras.optimizers.Adam(config.learning_rate),
            TrainConfig(epochs=config.epochs, batch_size=config.batch_size, seed=seed),
            name=f"direct_784-{config.num_hidden}-10-4_seed{seed}", metrics=MLP_METRICS["binary"])
        trainer.fit(train)
        middle = keras.Model(model.input, model.get_layer("middle").output)
        run = _decoded_accuracy(model.predict(test.images, batch_size=2000, verbose=0), test.labels, "binary")
        run["middle_layer"] = one_hot_likeness(middle.predict(test.images, batch_size=2000, verbose=0), test.labels)
        runs.append(run)

    # the appended design's 10-unit layer, for comparison
    one_hot_model, _ = train_mlp(config, runtime, "one_hot", config.num_hidden, config.epochs, config.seeds[0])
    appended_middle = one_hot_likeness(one_hot_model.predict(test.images, batch_size=2000, verbose=0), test.labels)
    summary = {key: spread([run[key] for run in runs]) for key in ("accuracy", "invalid_share")}
    for key in ("best_assignment_agreement", "purity", "concentration", "premise_share"):
        summary[f"middle_{key}"] = spread([run["middle_layer"][key] for run in runs])
    return {"runs": runs, "summary": summary, "appended_middle_layer": appended_middle}


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
