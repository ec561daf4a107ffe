"""Problems 1-3 choose their settings on MNIST's validation split (the last 5,000 training images):
each candidate is trained for the configured number of epochs with the validation accuracy measured
after every epoch; a candidate scores its best epoch, and the epochs up to it become part of the
choice. The test split is never read here.
"""

from tfsheet.data import load_mnist
from tfsheet.training import ArrayData
from tfsheet.training.search import choose


def validation_data(encode=None):
    """The validation split as ArrayData, targets encoded by `encode(labels)` (the labels when None)."""
    split = load_mnist("validation")
    return ArrayData(split.images, split.labels if encode is None else encode(split.labels))


def best_epoch(history, metric="val_accuracy"):
    """{"validation_accuracy", "epochs"}: the best value of `metric` in a Trainer history and its epoch (the first
    of equals)."""
    if not history or metric not in history[0]:
        raise ValueError(f"a history with {metric!r} per epoch is needed to choose the epochs")
    record = max(history, key=lambda record: (record[metric], -record["epoch"]))
    return {"validation_accuracy": float(record[metric]), "epochs": int(record["epoch"])}


def choose_on_validation(candidates, history_of, metric="val_accuracy"):
    """choose() over `candidates`, each scored by best_epoch(history_of(candidate)); the choice includes `epochs`."""
    return choose(candidates, lambda settings: best_epoch(history_of(settings), metric),
                  metric="validation_accuracy", maximize=True)
