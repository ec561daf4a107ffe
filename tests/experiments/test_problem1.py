"""Problem 1 end to end: the real entry point trains on all of MNIST, passes the bar, and serves."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPOSITORY
from tfsheet.cli import main
from tfsheet.experiments.problem1 import ACCURACY_BAR, MODEL_NAME
from tfsheet.serving.export import versions
from tfsheet.serving.load_check import load_in_fresh_process


def test_training_script_reaches_the_bar_and_exports(tmp_path, mnist_test, capsys):
    # the default preset: three SGD rates for up to 10 epochs over the 55k training images, chosen on validation
    exit_code = main(["train-softmax-regression", "--log-dir", str(tmp_path / "run"),
                      "--export-dir", str(tmp_path / "saved_models")])
    assert exit_code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["test_accuracy"] >= ACCURACY_BAR

    record = json.loads(open(summary["results"]["P1"]).read())
    assert record["results"]["test_accuracy"] == summary["test_accuracy"]
    assert record["config"]["epochs"] == 10 and record["environment"]["tensorflow"]
    search = record["results"]["search"]       # the rate and the epochs were chosen on the validation split
    assert search["split"] == "validation" and len(search["tried"]) == 3
    best = max(search["tried"], key=lambda row: row["validation_accuracy"])
    assert search["chosen"] == {"learning_rate": best["learning_rate"], "epochs": best["epochs"]}
    assert len(record["results"]["history"]) == search["chosen"]["epochs"] <= 10

    served, _, _ = load_in_fresh_process(summary["saved_models"][MODEL_NAME], {"pixels": mnist_test.images})
    assert np.mean(served["digit"] == mnist_test.labels) == pytest.approx(summary["test_accuracy"], abs=1e-4)


def test_committed_saved_model_reaches_the_bar(mnist_test):
    model_dir = REPOSITORY / "saved_models" / MODEL_NAME
    latest = model_dir / str(versions(model_dir)[-1])
    tf2, session, _ = load_in_fresh_process(latest, {"pixels": mnist_test.images})
    for outputs in (tf2, session):
        assert np.mean(outputs["digit"] == mnist_test.labels) >= ACCURACY_BAR
        np.testing.assert_allclose(outputs["probabilities"].sum(axis=1), 1.0, atol=1e-5)


def test_script_wrapper_runs_and_resumes(tmp_path):
    # the thin script in scripts/ on a small slice; a second call resumes the finished run
    command = [sys.executable, str(REPOSITORY / "scripts" / "train_softmax_regression.py"), "--epochs", "1",
               "--train-examples", "2000", "--log-dir", str(tmp_path / "run"), "--no-export"]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    first = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "epoch 1/1" in first.stderr and "P1: done in" in first.stderr
    assert "P1: cached" in second.stderr and "epoch 1/1" not in second.stderr  # nothing left to train
    assert json.loads(second.stdout)["test_accuracy"] == json.loads(first.stdout)["test_accuracy"]


def test_the_search_winner_is_kept_as_trained_not_trained_again(tmp_path, monkeypatch, mnist_test):
    import dataclasses

    from tfsheet.experiments import problem1
    from tfsheet.experiments.configs import Problem1Config
    from tfsheet.training import ArrayData, Runtime, Trainer

    fits, fit = [], Trainer.fit
    monkeypatch.setattr(Trainer, "fit", lambda self, *args, **kwargs: fits.append(1) or fit(self, *args, **kwargs))
    config = Problem1Config(epochs=3, learning_rate=(0.05, 0.2), train_examples=6000)
    results = problem1.run(config, tmp_path, Runtime(verbose=False))
    assert len(fits) == len(config.learning_rate)                     # one run per candidate, no second training
    chosen = results["search"]["chosen"]
    _, trainer, _ = problem1.train(dataclasses.replace(config, epochs=chosen["epochs"]), Runtime(verbose=False),
                                   chosen["learning_rate"])
    again = trainer.evaluate(ArrayData(mnist_test.images, mnist_test.labels))["accuracy"]
    assert again == pytest.approx(results["test_accuracy"], abs=1e-4)  # the kept run is the one training it gives
