"""Problems 1-3 choose their settings on MNIST's validation split (the last 5,000 training images):
each candidate is trained for the configured number of epochs with the validation accuracy measured
after every epoch; a candidate scores its best epoch, and the epochs up to it become part of the
choice. The test split is never read here. choose_and_keep keeps the winning run at its best epoch, so
the winner is not trained a second time.
"""

from tfsheet.data import load_mnist
from tfsheet.training import ArrayData
from tfsheet.training.callbacks import KeepBest
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


def choose_and_keep(candidates, train_with, metric="val_accuracy"):
    """choose_on_validation over `candidates`, keeping the winning run as trained instead of training it again.

    `train_with(candidate, callbacks) -> (model, trainer, history)` trains one candidate with the validation
    data, passing `callbacks` to its trainer. Returns (the search's record, (the winner's model with its
    weights at the chosen epoch, its trainer, its history up to that epoch)).
    """
    trained = []

    def history_of(candidate):
        best = KeepBest(metric)
        model, trainer, history = train_with(candidate, (best,))
        trained.append((best.restore(model), trainer, history))
        return history

    record = choose_on_validation(candidates, history_of, metric)
    index = next(i for i, candidate in enumerate(candidates)
                 if all(record["chosen"][name] == value for name, value in candidate.items()))
    model, trainer, history = trained[index]
    return record, (model, trainer, history[:record["chosen"]["epochs"]])
