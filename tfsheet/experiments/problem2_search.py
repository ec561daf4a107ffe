"""Problem 2's search, a recorded step of its own: each trained design (the one-hot net, the binary net, the
direct 784-H-10-4 net) gets the same tuning effort, its hidden activation, Adam learning rate and number of
epochs chosen on the validation split (tfsheet.experiments.validation). The winner of each design is kept
as trained, at its best epoch, in this experiment's folder; the sweep, the appended net and the direct net
read the choices and the winners from there (`searched_model`), so nothing is searched or trained twice.
"""

import keras

from tfsheet.data import encodings, load_mnist
from tfsheet.errors import TfsheetError
from tfsheet.experiments.validation import choose_and_keep, validation_data
from tfsheet.models.losses import MLP_METRICS, squared_loss
from tfsheet.models.mlp import build_direct_binary, build_mlp
from tfsheet.training import ArrayData, TrainConfig, seed_everything
from tfsheet.training.search import grid

DESIGNS = {"one_hot": "one_hot", "binary": "binary", "direct": "binary"}   # design -> the targets it trains on


def weights_file(workdir, design):
    return workdir / f"{design}.weights.h5"


def build_design(design, num_hidden, hidden_activation, output_activation):
    """The untrained model of `design` at width `num_hidden`."""
    if design == "direct":
        return build_direct_binary(num_hidden, hidden_activation)
    return build_mlp(num_hidden, DESIGNS[design], hidden_activation, output_activation)


def train_design(config, runtime, design, num_hidden, epochs, seed, settings, validation=None, callbacks=()):
    """Train `design` at width `num_hidden` for `epochs` under `runtime` with `settings` (hidden_activation,
    learning_rate), on the training images of `config` (a Problem2SearchConfig); (model, trainer, history),
    the history with val_* per epoch when `validation` data is given."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}. Received: design={design!r}")
    seed_everything(seed)
    train = load_mnist("train", config.train_examples)
    model, trainer = runtime.make_trainer(
        lambda: build_design(design, num_hidden, settings["hidden_activation"], config.output_activation),
        squared_loss, lambda: keras.optimizers.Adam(settings["learning_rate"]),
        TrainConfig(epochs=epochs, batch_size=config.batch_size, seed=seed),
        name=f"{design}_H{num_hidden}_{settings['hidden_activation']}_lr{settings['learning_rate']:g}_seed{seed}",
        metrics=MLP_METRICS[DESIGNS[design]], callbacks=callbacks)
    history = trainer.fit(ArrayData(train.images, encodings.encode(train.labels, DESIGNS[design])), validation)
    return model, trainer, history


def run(config, workdir, runtime, export_root=None):
    """Search every design on validation; keep each winner's weights; {design: {"num_hidden", the search}}."""
    results = {}
    for design, encoding in DESIGNS.items():
        validation = validation_data(lambda labels: encodings.encode(labels, encoding))
        record, (model, _, _) = choose_and_keep(
            grid(hidden_activation=config.hidden_activation, learning_rate=config.learning_rate),
            lambda settings, callbacks: train_design(config, runtime, design, config.num_hidden, config.epochs,
                                                     config.seed, settings, validation, callbacks))
        model.save_weights(weights_file(workdir, design))
        results[design] = {"num_hidden": config.num_hidden, **record}
    return results


def searched_model(upstream, design):
    """The search's winner of `design` as trained, from the search's record and folder (`upstream`)."""
    search = upstream.results[design]
    model = build_design(design, search["num_hidden"], search["chosen"]["hidden_activation"],
                         upstream.config.output_activation)
    path = weights_file(upstream.workdir, design)
    if not path.is_file():
        raise TfsheetError(f"{path} is missing: the search's record is there but not its winners' weights. Run "
                           "the search again: `tfsheet problem2 search --force` with the same --workdir or --out.")
    model.load_weights(path)
    return model
