"""Train one model on one device and under MirroredStrategy over 2 logical CPUs, in one fresh process.

    python tests/training/mirrored_vs_one_device.py MODEL WORKDIR   -> prints a JSON comparison
"""

import json
import sys

import numpy as np

from tfsheet.training import distribution

distribution.split_cpu(2)  # before TensorFlow starts its devices

from tfsheet.experiments.distributed import DistributedConfig, run  # noqa: E402

model, workdir = sys.argv[1], sys.argv[2]
config = DistributedConfig(model=model, epochs=2, num_hidden=32, train_examples=2000 if model == "char_rnn" else 2560,
                           batch_size=64 if model == "char_rnn" else 128)
one = run(config, f"{workdir}/one_device", "default")
two = run(config, f"{workdir}/mirrored", "mirrored")
first = np.load(f"{workdir}/one_device/weights-single.npz")
second = np.load(f"{workdir}/mirrored/weights-single.npz")
print(json.dumps({
    "replicas": [one["replicas"], two["replicas"]], "steps": [one["steps"], two["steps"]],
    "losses": [one["history"][-1]["loss"], two["history"][-1]["loss"]],
    "max_abs_difference": max(float(np.max(np.abs(first[key] - second[key]))) for key in first.files),
    "largest_weight": max(float(np.max(np.abs(first[key]))) for key in first.files),
}))
