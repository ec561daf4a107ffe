"""Problem 3: linear hidden units against logistic regression: accuracy, the exact maps of Q3.1,
the rank argument of Q3.2 and the non-convexity certificate of Q3.3.

Every model gets the same tuning effort: its Adam learning rate and epochs are chosen on the
validation split (tfsheet.experiments.validation) with the first seed, whose winning run is kept at its
best epoch; it is then trained once per other seed with the choice, and every seed is measured on the
test split.
"""

import keras
import numpy as np

from tfsheet.analysis import convexity, linear_nets
from tfsheet.data import load_mnist
from tfsheet.models.linear_hidden import build_linear_hidden_net
from tfsheet.models.losses import CLASSIFIER_METRICS, cross_entropy_loss
from tfsheet.models.softmax_regression import build_softmax_regression
from tfsheet.results import seeded
from tfsheet.serving.export import digit_classifier_signature, export_model, probabilities_and_digit
from tfsheet.experiments.validation import choose_and_keep, validation_data
from tfsheet.training import ArrayData, TrainConfig, seed_everything
from tfsheet.training.search import grid

EXACT_TOLERANCE = 1e-5   # max abs difference of probabilities for the exact maps of Q3.1




def train(builder, name, config, runtime, seed, train_data, settings, validation=None, callbacks=()):
    """Train one model (Adam at settings["learning_rate"] for settings["epochs"] (config.epochs when absent),
    cross-entropy with the hand-derived gradient); return (model, trainer, history)."""
    seed_everything(seed)
    epochs = settings.get("epochs", config.epochs)
    model, trainer = runtime.make_trainer(builder, cross_entropy_loss,
                                          lambda: keras.optimizers.Adam(settings["learning_rate"]),
                                          TrainConfig(epochs=epochs, batch_size=config.batch_size, seed=seed),
                                          name=f"{name}_lr{settings['learning_rate']:g}_seed{seed}",
                                          metrics=CLASSIFIER_METRICS, callbacks=callbacks)
    history = trainer.fit(train_data, validation)
    return model, trainer, history


def search(builder, name, config, runtime, train_data, validation):
    """The Adam learning rate and epochs chosen on validation with the first seed, and that seed's winning run
    as trained, at its best epoch: (search record, (model, trainer, history))."""
    return choose_and_keep(grid(learning_rate=config.learning_rate), lambda settings, callbacks: train(
        builder, name, config, runtime, config.seeds[0], train_data, settings, validation, callbacks))


def _probabilities(model, images):
    return model.predict(images, batch_size=2000, verbose=0)["probabilities"]


def _accuracy(model, split):
    return float(np.mean(np.argmax(_probabilities(model, split.images), -1) == split.labels))


def run(config, workdir, runtime, export_root=None):
    """Train logistic regression and the linear-hidden nets (each over `seeds`), then the three analyses."""
    train_split, test = load_mnist("train", config.train_examples), load_mnist("test")
    train_data = ArrayData(train_split.images, train_split.labels)

    builders = {"logistic_regression": build_softmax_regression}
    builders.update({f"linear_hidden_{h}": (lambda h=h: build_linear_hidden_net(h)) for h in config.hidden_sizes})
    validation = validation_data()
    models, accuracies, searches = {}, {}, {}
    for name, builder in builders.items():
        searches[name], winner = search(builder, name, config, runtime, train_data, validation)
        runs = [winner] + [train(builder, name, config, runtime, seed, train_data, searches[name]["chosen"])
                           for seed in config.seeds[1:]]
        accuracies[name] = seeded([trainer.evaluate(ArrayData(test.images, test.labels))["accuracy"]
                                   for _, trainer, _ in runs], config.seeds)
        models[name] = [model for model, _, _ in runs]
    logistic = models["logistic_regression"][0]

    results = {"accuracy": accuracies, "search": searches,
               "q3_1": _exact_maps(models, logistic, test),
               "q3_2": _rank_argument(models, logistic, test),
               "q3_3": _convexity(config, models, train_split)}
    if export_root is not None:
        results["saved_models"] = {
            name: str(export_model(models[name][0], name, {"serving_default": digit_classifier_signature(
                models[name][0], probabilities_and_digit)}, root=export_root))
            for name in models if name.startswith("linear_hidden_")}
    return results


def _exact_maps(models, logistic, test):
    """Q3.1: collapse every trained linear-hidden net; expand the logistic regression to H = 25 and 9.

    Returns {"collapse": {net: largest |change| of a test probability}, "expand_to": {H: the same}, "tolerance"}.
    """
    collapse = {}
    for name, nets in models.items():
        if name.startswith("linear_hidden_"):
            collapsed = linear_nets.collapse(nets[0])
            collapse[name] = float(np.max(np.abs(
                _probabilities(nets[0], test.images) - _probabilities(collapsed, test.images))))
    reference = _probabilities(logistic, test.images)
    expand_to = {str(num_hidden): float(np.max(np.abs(
        reference - _probabilities(linear_nets.expand(logistic, num_hidden), test.images)))) for num_hidden in (25, 9)}
    return {"collapse": collapse, "expand_to": expand_to, "tolerance": EXACT_TOLERANCE}


def _rank_argument(models, logistic, test):
    """Q3.2: the rank of W2 W1 for H = 4 nets, the spectrum of logistic regression, truncated SVDs."""
    singular = linear_nets.singular_values(logistic)
    ranks = {}
    for name, nets in models.items():
        if name.startswith("linear_hidden_"):
            ranks[name] = [linear_nets.numerical_rank(linear_nets.linear_hidden_parameters(net)[2]
                                                      @ linear_nets.linear_hidden_parameters(net)[0]) for net in nets]
    return {"logistic_singular_values": [float(s) for s in singular],
            "logistic_centred_rank": linear_nets.numerical_rank(linear_nets.centred(
                linear_nets.logistic_parameters(logistic)[0])),
            "linear_hidden_product_ranks": ranks,
            "truncated_svd_accuracy": [{"rank": rank, "accuracy": _accuracy(
                linear_nets.best_rank_approximation(logistic, rank), test)} for rank in range(1, len(singular) + 1)]}


def _convexity(config, models, train_split):
    """Q3.3: the chord certificate and Hessian extremes for H = 4; logistic regression for contrast."""
    subset = train_split.take(config.hessian_examples)
    smallest_width = min(config.hidden_sizes)
    net = models[f"linear_hidden_{smallest_width}"][0]
    W1, b1, W2, b2 = linear_nets.linear_hidden_parameters(net)
    loss = convexity.linear_hidden_loss(subset.images, subset.labels, smallest_width)
    trained = convexity.flatten(W1, b1, W2, b2)
    twin = convexity.flatten(-W1, -b1, -W2, b2)
    logistic_loss = convexity.logistic_loss(subset.images, subset.labels)
    rng = np.random.default_rng(0)
    logistic_points = [convexity.flatten(*linear_nets.logistic_parameters(models["logistic_regression"][0]))] + [
        rng.normal(scale=0.01, size=7850) for _ in range(2)]
    return {
        "num_hidden": smallest_width,
        "examples": len(subset),
        "chord": convexity.chord_certificate(loss, trained, twin, t=0.5),
        "hessian_at_trained": convexity.hessian_extremes(loss, trained, config.lanczos_iterations),
        "hessian_at_midpoint": convexity.hessian_extremes(loss, 0.5 * (trained + twin), config.lanczos_iterations),
        "logistic_hessian_smallest": [convexity.hessian_extremes(logistic_loss, point, config.lanczos_iterations,
                                                                 seed=i)["smallest"]
                                      for i, point in enumerate(logistic_points)],
    }
