"""Problem 1 end to end: train softmax regression on MNIST with hand-derived gradients for each SGD learning
rate tried, keep the one (at its epoch) with the best validation accuracy, test it once, check the gradients,
export. The winner is the search's own run at its best epoch, not a second training."""

import keras
import numpy as np
import tensorflow as tf

from tfsheet.data import load_mnist
from tfsheet.layers.softmax_backprop import affine, backprop, softmax_cross_entropy
from tfsheet.models.losses import CLASSIFIER_METRICS, cross_entropy_loss
from tfsheet.models.softmax_regression import build_softmax_regression
from tfsheet.serving.export import digit_classifier_signature, export_model, probabilities_and_digit
from tfsheet.experiments.validation import choose_and_keep, validation_data
from tfsheet.training import ArrayData, TrainConfig, seed_everything
from tfsheet.training.search import grid

MODEL_NAME = "softmax_regression"
ACCURACY_BAR = 0.92  # published multinomial logistic regression on MNIST: about 92.5%
GRADIENT_CHECK_EXAMPLES = 50  # test images whose gradients are checked against autodiff at the trained weights


def train(config, runtime, learning_rate, workdir=None, validation=None, callbacks=()):
    """Train Problem 1's model for config.epochs with SGD at `learning_rate` under `runtime`; return
    (model, trainer, history), the history with val_* per epoch when `validation` data is given."""
    seed_everything(config.seed)
    train_split = load_mnist("train", config.train_examples)
    model, trainer = runtime.make_trainer(
        build_softmax_regression, cross_entropy_loss, lambda: keras.optimizers.SGD(learning_rate),
        TrainConfig(epochs=config.epochs, batch_size=config.batch_size, seed=config.seed),
        name=f"{MODEL_NAME}_lr{learning_rate:g}" + ("_search" if validation is not None else ""),
        metrics=CLASSIFIER_METRICS, workdir=workdir, callbacks=callbacks)
    history = trainer.fit(ArrayData(train_split.images, train_split.labels), validation)
    return model, trainer, history


def search(config, runtime):
    """The learning rate and the number of epochs with the best validation accuracy (see experiments.validation),
    and the winner as trained: (search record, (model, trainer, history up to the chosen epoch))."""
    validation = validation_data()
    return choose_and_keep(grid(learning_rate=config.learning_rate), lambda settings, callbacks: train(
        config, runtime, settings["learning_rate"], validation=validation, callbacks=callbacks))


def gradient_check(model, images, labels):
    """Relative error of the hand-derived gradients against autodiff, at the model's weights, in float64.

    Three computations of dl/dW and dl/db for each example: `backprop` (the sheet's equations in
    numpy), the layer's custom-gradient ops, and TensorFlow's autodiff of -log softmax(Wx + b)_y
    built from plain ops. Returns the largest ||g - g_autodiff|| / ||g_autodiff|| of each over
    the examples, and how many examples were checked.
    """
    layer = model.get_layer("softmax_regression")
    W, b = (tf.constant(np.asarray(v), tf.float64) for v in (layer.W, layer.b))
    worst = {"hand_derived_numpy": 0.0, "custom_gradient_ops": 0.0}
    for x, y in zip(np.asarray(images, np.float64), np.asarray(labels)):
        x_row, label = tf.constant(x[None]), tf.constant([int(y)])
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([W, b])
            plain = -tf.nn.log_softmax(tf.matmul(x_row, W, transpose_b=True) + b)[0, int(y)]
            custom = softmax_cross_entropy(label, affine(x_row, W, b))[0]
        want = np.concatenate([g.numpy().ravel() for g in tape.gradient(plain, [W, b])])
        got_custom = np.concatenate([g.numpy().ravel() for g in tape.gradient(custom, [W, b])])
        hand = backprop(W.numpy(), b.numpy(), x, int(y))
        got_hand = np.concatenate([hand["dl_dW"].ravel(), hand["dl_db"].ravel()])
        scale = max(np.linalg.norm(want), 1e-300)
        worst["hand_derived_numpy"] = max(worst["hand_derived_numpy"], float(np.linalg.norm(got_hand - want) / scale))
        worst["custom_gradient_ops"] = max(worst["custom_gradient_ops"], float(np.linalg.norm(got_custom - want) / scale))
    return {"max_relative_error": worst, "examples": len(labels)}


def export(model, root=None):
    """Publish the model as the next version of saved_models/softmax_regression/."""
    return export_model(model, MODEL_NAME,
                        {"serving_default": digit_classifier_signature(model, probabilities_and_digit)}, root=root)


def run(config, workdir, runtime, export_root=None):
    """Search on validation, keep the winner as trained, measure it once on the 10k test set, check the gradients
    at its weights, optionally export."""
    record, (model, trainer, history) = search(config, runtime)
    test = load_mnist("test")
    test_metrics = trainer.evaluate(ArrayData(test.images, test.labels))
    results = {"test_accuracy": test_metrics["accuracy"], "test_loss": test_metrics["loss"], "search": record,
               "accuracy_bar": ACCURACY_BAR, "history": history,
               "gradient_check": gradient_check(model, test.images[:GRADIENT_CHECK_EXAMPLES],
                                                test.labels[:GRADIENT_CHECK_EXAMPLES]),
               "train_seconds": sum(epoch["seconds"] for epoch in history)}
    if export_root is not None:
        results["saved_models"] = {MODEL_NAME: str(export(model, export_root))}
    return results
