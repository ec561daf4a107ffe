"""Problem 2: MNIST MLPs with one-hot vs binary outputs (Q2.1), the appended fixed layer (Q2.2),
and the 784-H-10-4 network trained directly (Q2.3). Each run_* writes a results JSON.
"""

import dataclasses
import pathlib
import time

import keras
import numpy as np

from tfsheet.analysis import one_hot_likeness
from tfsheet.data import encodings, load_mnist
from tfsheet.data.mnist import NUM_PIXELS
from tfsheet.export import digit_classifier_signature, export_model
from tfsheet.layers import OneHotToBinary
from tfsheet.models.mlp import METRICS, build_mlp, squared_loss
from tfsheet.results import write_results
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything

ONE_HOT_BAR = 0.975           # H = 256, one-hot, on the 10k test set
APPENDED_TOLERANCE = 0.003    # the appended net's accuracy within 0.3 points of the one-hot net's


@dataclasses.dataclass(frozen=True)
class Problem2Config:
    """Settings for all Problem 2 experiments; each default says why."""

    hidden_sizes: tuple = (4, 8, 16, 32, 64, 128, 256)  # the sheet's question is about shrinking H
    seeds: tuple = (0, 1, 2)              # three seeds give a mean and a spread
    sweep_epochs: int = 10                # every sweep cell gets the same budget
    epochs: int = 20                      # the exported H = 256 models: 98.3 % (one-hot) measured
    num_hidden: int = 256                 # the default model's hidden width
    batch_size: int = 128                 # the usual MNIST mini-batch
    learning_rate: float = 1e-3           # Adam; beat SGD (97.7 %) and sigmoid hidden units (96.7 %)
    hidden_activation: str = "relu"       # ReLU trained best at H = 256 (98.1 % vs 96.7 % sigmoid, 10 epochs)
    output_activation: str = "sigmoid"    # the classic squared-loss network: outputs in [0, 1]
    train_examples: int = 0               # 0 = all 60,000 training images

    def __post_init__(self):
        for name in ("sweep_epochs", "epochs", "num_hidden", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1. Received: {name}={value!r}")
        if not self.hidden_sizes or any(not isinstance(h, int) or h < 1 for h in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must be ints >= 1. Received: hidden_sizes={self.hidden_sizes!r}")
        if not self.seeds:
            raise ValueError("seeds must name at least one seed. Received: seeds=()")


PRESETS = {
    "quick": Problem2Config(hidden_sizes=(8, 64), seeds=(0,), sweep_epochs=2, epochs=3, train_examples=20_000),
    "default": Problem2Config(),
    "full": Problem2Config(seeds=(0, 1, 2, 3, 4), sweep_epochs=20, epochs=40),
}


def _data(config, encoding):
    train, test = load_mnist("train"), load_mnist("test")
    if config.train_examples:
        train = train.take(config.train_examples)
    return (ArrayData(train.images, encodings.encode(train.labels, encoding)),
            ArrayData(test.images, encodings.encode(test.labels, encoding)), test)


def train_mlp(config, encoding, num_hidden, epochs, seed, workdir=None, verbose=False):
    """Train one 784-H-K MLP on `encoding` targets; return (model, test metrics)."""
    seed_everything(seed)
    train, test, _ = _data(config, encoding)
    model = build_mlp(num_hidden, encoding, config.hidden_activation, config.output_activation)
    trainer = Trainer(model, squared_loss, keras.optimizers.Adam(config.learning_rate),
                      TrainConfig(epochs=epochs, batch_size=config.batch_size, seed=seed, verbose=verbose),
                      metrics=METRICS[encoding], workdir=workdir, name=f"{encoding}_H{num_hidden}_seed{seed}")
    trainer.fit(train)
    return model, trainer.evaluate(test)


def _mean_and_spread(values):
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "min": float(np.min(values)),
            "max": float(np.max(values)), "values": [float(v) for v in values]}


def run_sweep(config, workdir, verbose=False):
    """Q2.1: test accuracy against H for both encodings, len(seeds) seeds each, equal budgets."""
    workdir = pathlib.Path(workdir)
    started = time.perf_counter()
    rows = []
    for encoding in ("one_hot", "binary"):
        for num_hidden in config.hidden_sizes:
            runs = [train_mlp(config, encoding, num_hidden, config.sweep_epochs, seed)[1] for seed in config.seeds]
            outputs = encodings.NUM_DIGITS if encoding == "one_hot" else encodings.NUM_BITS
            row = {"encoding": encoding, "num_hidden": num_hidden,
                   "parameters": (NUM_PIXELS + 1) * num_hidden + (num_hidden + 1) * outputs,
                   "accuracy": _mean_and_spread([run["accuracy"] for run in runs])}
            if encoding == "binary":
                row["invalid_share"] = _mean_and_spread([run["invalid"] for run in runs])
            rows.append(row)
            if verbose:
                print(f"Q2.1 {encoding:8s} H={num_hidden:4d} accuracy {row['accuracy']['mean']:.4f} "
                      f"± {row['accuracy']['std']:.4f}", flush=True)
    results = {"rows": rows, "wall_seconds": round(time.perf_counter() - started, 1)}
    from tfsheet.report.plots import plot_accuracy_against_hidden

    results["plot"] = str(plot_accuracy_against_hidden(rows, workdir / "q2_1_accuracy_vs_hidden.png"))
    write_results(workdir / "q2_1_sweep.json", "problem2_sweep", config, results)
    return results


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


def run_appended(config, workdir, export_root=None, verbose=False):
    """Q2.2 (and the exported models): train H-wide one-hot and binary nets, append the fixed layer."""
    workdir = pathlib.Path(workdir)
    started = time.perf_counter()
    test = load_mnist("test")
    one_hot_model, _ = train_mlp(config, "one_hot", config.num_hidden, config.epochs, seed=0,
                                 workdir=workdir / "mlp_onehot", verbose=verbose)
    binary_model, _ = train_mlp(config, "binary", config.num_hidden, config.epochs, seed=0,
                                workdir=workdir / "mlp_binary", verbose=verbose)
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
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    write_results(workdir / "q2_2_appended.json", "problem2_appended", config, results)
    return results


def run_direct(config, workdir, verbose=False):
    """Q2.3: 784-H-10-4 trained from random initialisation on binary targets, against the appended design."""
    workdir = pathlib.Path(workdir)
    started = time.perf_counter()
    train, _, test = _data(config, "binary")
    runs = []
    for seed in config.seeds:
        seed_everything(seed)
        model = build_direct_binary(config)
        trainer = Trainer(model, squared_loss, keras.optimizers.Adam(config.learning_rate),
                          TrainConfig(epochs=config.epochs, batch_size=config.batch_size, seed=seed, verbose=verbose),
                          metrics=METRICS["binary"], name=f"direct_784-{config.num_hidden}-10-4_seed{seed}")
        trainer.fit(train)
        middle = keras.Model(model.input, model.get_layer("middle").output)
        run = _decoded_accuracy(model.predict(test.images, batch_size=2000, verbose=0), test.labels, "binary")
        run["middle_layer"] = one_hot_likeness(middle.predict(test.images, batch_size=2000, verbose=0), test.labels)
        runs.append(run)

    seed_everything(config.seeds[0])  # the appended design's 10-unit layer, for comparison
    one_hot_model, _ = train_mlp(config, "one_hot", config.num_hidden, config.epochs, seed=config.seeds[0])
    appended_middle = one_hot_likeness(one_hot_model.predict(test.images, batch_size=2000, verbose=0), test.labels)
    summary = {key: _mean_and_spread([run[key] for run in runs]) for key in ("accuracy", "invalid_share")}
    for key in ("best_assignment_agreement", "purity", "concentration", "premise_share"):
        summary[f"middle_{key}"] = _mean_and_spread([run["middle_layer"][key] for run in runs])
    results = {"runs": runs, "summary": summary, "appended_middle_layer": appended_middle,
               "wall_seconds": round(time.perf_counter() - started, 1)}
    write_results(workdir / "q2_3_direct.json", "problem2_direct", config, results)
    return results


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
