"""A short card beside every published model, written from the results record of the run that exported it.

`tfsheet export` publishes each version with `assets.extra/card.json` (what it is, the data and split, the
metric on test with its spread where the run had seeds, the command and settings that made it, the
tfsheet version) and rewrites `saved_models/<model>/MODEL_CARD.md` from the cards of all its versions,
newest first, with how to load and serve it. Nothing on a card is typed by hand: every number is read
from the record; a version published without a card is listed as such.
"""

import json
import pathlib

from tfsheet.results import as_written, write_atomically, write_json
from tfsheet.serving.export import version_dir, versions

CARD_FILE = "card.json"          # in a version's assets.extra/
MODEL_CARD = "MODEL_CARD.md"     # in a model's folder
CARD_FIELDS = ("what", "data", "test", "command", "experiment", "scale", "tfsheet", "made")   # MODEL_CARD.md shows

WHAT = {  # model: (what it is, the data and split its metric is measured on)
    "softmax_regression": ("Problem 1: softmax regression (784 -> 10) trained with the hand-derived gradients",
                           "MNIST; trained on 55,000 images, chosen on the 5,000 validation images, tested on 10,000"),
    "mlp_onehot": ("Problem 2: MLP 784-H-10 with one-hot outputs (digit 0 is the last component)",
                   "MNIST; trained on 55,000 images, chosen on the 5,000 validation images, tested on 10,000"),
    "mlp_binary": ("Problem 2: MLP 784-H-4 with 4-bit binary outputs (codes 10-15 decode to -1)",
                   "MNIST; trained on 55,000 images, chosen on the 5,000 validation images, tested on 10,000"),
    "mlp_onehot_to_binary": ("Problem 2.2: the one-hot MLP with the fixed one-hot-to-binary layer appended",
                             "MNIST test set (10,000 images); the appended layer has no trained weights"),
    "linear_hidden_25": ("Problem 3: 784-25-10 with a linear hidden layer and softmax outputs",
                         "MNIST; trained on 55,000 images, chosen on the 5,000 validation images, tested on 10,000"),
    "linear_hidden_4": ("Problem 3: 784-4-10 with a linear hidden layer and softmax outputs",
                        "MNIST; trained on 55,000 images, chosen on the 5,000 validation images, tested on 10,000"),
    "relu_ramp": ("Problem 4: the ReLU construction of a ramp (exact, not trained)", "none: a construction"),
    "relu_sheet_example": ("Problem 4: the sheet's example function as a ReLU net (exact, not trained)",
                           "none: a construction"),
    "char_ngram": ("Problem 5.1: neural character n-gram model at the largest n of the run",
                   "Tiny Shakespeare (TFDS splits): trained on train, tuned on validation, tested on test"),
    "char_rnn": ("Problem 5.1: the strong character RNN language model (TBPTT), the validation-chosen cell and seed",
                 "Tiny Shakespeare (TFDS splits): trained on train, tuned on validation, tested on test"),
}


def _spread(seeded):
    """'m +- s over N seeds (min-max)' of a Seeded as written."""
    return (f"{seeded['mean']:.4f} +- {seeded['std']:.4f} (std) over {len(seeded['values'])} seeds, "
            f"range {seeded['min']:.4f}-{seeded['max']:.4f}")


def metric_on_test(model, results):
    """The model's metric on its test split as one line, read from its experiment's results."""
    if model == "softmax_regression":
        return f"test accuracy {results['test_accuracy']:.4f} (one run: the weights start at zero)"
    if model == "mlp_onehot":
        return f"test accuracy {results['one_hot']['accuracy']:.4f} (the search's winner, one seed)"
    if model == "mlp_binary":
        return (f"test accuracy {results['binary']['accuracy']:.4f}, invalid codes "
                f"{results['binary']['invalid_share']:.4f} of images (the search's winner, one seed)")
    if model == "mlp_onehot_to_binary":
        appended = results["appended"]
        return (f"test accuracy {appended['accuracy']:.4f}; agrees with the one-hot net's argmax on "
                f"{appended['agrees_with_one_hot_argmax']:.4f} of the test images")
    if model in ("linear_hidden_25", "linear_hidden_4"):
        accuracy = results["accuracy"][model]
        return f"test accuracy {accuracy['values'][0]:.4f} (this model: the first seed); {_spread(accuracy)}"
    if model in ("relu_ramp", "relu_sheet_example"):
        return "exact by construction; its checks are in the report's Problem 4"
    if model == "char_ngram":
        row = max(results["rows"], key=lambda row: row["n"])
        bpc = row["bpc"]["test"]["neural_ngram"]
        if "exported_seed" not in results:                # exported before the seed was chosen on validation
            return f"n = {row['n']}: test {bpc['values'][0]:.4f} bits/char (this model: the first seed); {_spread(bpc)}"
        seed = results["exported_seed"]
        mine = bpc["values"][results["seeds"].index(seed)]
        return (f"n = {row['n']}, seed {seed} (the seed best on validation): test {mine:.4f} bits/char; "
                f"{_spread(bpc)}")
    if model == "char_rnn":
        best = results["best"]
        nats = results["cells"][best["cell"]]["nats"]["test"]
        mine = nats["values"][nats["seeds"].index(best["seed"])]
        return (f"{best['cell']} cell, seed {best['seed']}: test {mine:.4f} nats/char; the cell's "
                f"{_spread(nats)}")
    raise ValueError(f"no card for the model {model!r}; known models: {', '.join(WHAT)}")


def card(model, record, needed=()):
    """The card of `model` as exported by the run of `record` (a results record, tfsheet.runs.cache), read as it is
    written to its results file; `needed` are the records of the experiments it read (Problem 2's search), whose
    settings are part of the command that makes the model again."""
    record = json.loads(json.dumps(as_written(record)))
    what, data = WHAT.get(model, (model, "see the report"))
    settings = {}
    for source in (*needed, record):
        settings.update(source.get("settings") or {})
    command = f"tfsheet export {model} --scale {record['scale']}" + "".join(
        f" --set {name}={','.join(map(str, value)) if isinstance(value, list) else value}"
        for name, value in sorted(settings.items()))
    return {"model": model, "what": what, "data": data, "test": metric_on_test(model, record["results"]),
            "experiment": record["experiment"], "scale": record["scale"], "command": command,
            "config": record["config"], "tfsheet": record["tfsheet"], "made": record.get("started_at", "?")}


def write_card(version_path, facts):
    """Put `facts` (card()) into a version folder, as assets.extra/card.json (write_model_card reads it)."""
    version_path = pathlib.Path(version_path)
    (version_path / "assets.extra").mkdir(exist_ok=True)
    write_json(version_path / "assets.extra" / CARD_FILE, facts)
    return version_path / "assets.extra" / CARD_FILE


def write_model_card(model_dir):
    """MODEL_CARD.md of `model_dir` from the cards of its versions, newest first."""
    model_dir = pathlib.Path(model_dir)
    name = model_dir.name
    lines = [f"# {name}", ""]
    for version in reversed(versions(model_dir)):
        path = version_dir(model_dir, version) / "assets.extra" / CARD_FILE
        if not path.exists():
            lines += [f"## Version {version}", "", "Published without a card (before tfsheet recorded one).", ""]
            continue
        try:
            facts = json.loads(path.read_text())
            facts = facts if all(isinstance(facts.get(key), str) for key in CARD_FIELDS) else None
        except (OSError, ValueError, AttributeError):
            facts = None
        if facts is None:
            lines += [f"## Version {version}", "", f"Its card, {path.relative_to(model_dir)}, is damaged; "
                      "export the model again for a version with a whole card.", ""]
            continue
        lines += [f"## Version {version}", "", facts["what"] + ".", "",
                  f"- data: {facts['data']}", f"- on test: {facts['test']}",
                  f"- made by: `{facts['command']}` (experiment {facts['experiment']}, {facts['scale']} scale, "
                  f"tfsheet {facts['tfsheet']}, {facts['made']})", ""]
    lines += ["## Load and serve", "",
              f"    saved_model_cli show --dir {name}/<version> --all",
              f"    python -c \"import tensorflow as tf; m = tf.saved_model.load('{name}/<version>'); "
              "print(m.signatures['serving_default'].structured_input_signature)\"",
              "    tfsheet serving-config    # models.config for tensorflow_model_server --model_config_file", ""]
    return write_atomically(model_dir / MODEL_CARD, "\n".join(lines))
