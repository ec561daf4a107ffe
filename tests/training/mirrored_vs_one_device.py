"""Train one model on one device and under MirroredStrategy over 2 logical CPUs, in one fresh process.

    python tests/training/mirrored_vs_one_device.py MODEL WORKDIR   -> prints a JSON comparison

MODEL is one of train-distributed's models (mlp, softmax_regression, char_rnn) or online_rtrl (the
Problem 5.2 learner, its sensitivities kept per stream). The MNIST runs use 2,561 images in batches
of 128: every epoch ends on a batch of one row, so one replica gets it and the other gets none.
"""

import json
import sys

import numpy as np

from tfsheet.training import distribution

distribution.split_cpu(2)  # before TensorFlow starts its devices

from tfsheet.experiments.configs import DistributedConfig  # noqa: E402
from tfsheet.experiments.distributed import run  # noqa: E402


def online_rtrl(strategy):
    """The online RTRL learner of Problem 5.2 on a short copy task; returns (history, weights)."""
    from tfsheet.data import synthetic
    from tfsheet.models.language_models import RNNLanguageModel
    from tfsheet.training import Runtime, seed_everything
    from tfsheet.training.online_rtrl import OnlineRTRL
    from tfsheet.training.tbptt import language_model_pairs, train_on_streams

    seed_everything(0)
    tokens, _ = synthetic.copy_task(4_000, 4, 4, seed=0)
    inputs, targets = language_model_pairs(tokens)
    model, _, history = train_on_streams(
        Runtime(strategy=strategy), lambda: RNNLanguageModel(4, 8, streams=8), inputs, targets, streams=8, window=1,
        gradients_for=lambda model: OnlineRTRL(model, 8), learning_rate=1e-2, seed=0, name="rtrl")
    return history, [np.asarray(v) for v in model.trainable_variables]


model, workdir = sys.argv[1], sys.argv[2]
if model == "online_rtrl":
    (one_history, first), (two_history, second) = (online_rtrl(distribution.make_strategy(name))
                                                   for name in ("default", "mirrored"))
    one = {"replicas": 1, "steps": len(one_history), "history": one_history}
    two = {"replicas": 2, "steps": len(two_history), "history": two_history}
else:
    config = DistributedConfig(model=model, epochs=2, num_hidden=32,
                               train_examples=2000 if model == "char_rnn" else 2561,
                               batch_size=64 if model == "char_rnn" else 128)
    one = run(config, f"{workdir}/one_device", "default")
    two = run(config, f"{workdir}/mirrored", "mirrored")
    stored = [np.load(f"{workdir}/{name}/weights-single.npz") for name in ("one_device", "mirrored")]
    first, second = ([weights[key] for key in weights.files] for weights in stored)
print(json.dumps({
    "replicas": [one["replicas"], two["replicas"]], "steps": [one["steps"], two["steps"]],
    "losses": [one["history"][-1]["loss"], two["history"][-1]["loss"]],
    "max_abs_difference": max(float(np.max(np.abs(a - b))) for a, b in zip(first, second)),
    "largest_weight": max(float(np.max(np.abs(a))) for a in first),
}))
