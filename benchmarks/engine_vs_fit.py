"""Training throughput of tfsheet's engine against Keras model.fit, side by side in one run.

Models: Problem 1's softmax regression (784-10, hand-derived gradients) and Problem 2's
784-256-10 MLP (sigmoid units, squared loss on one-hot targets). Both loops train the same
model from the same initial weights on the same MNIST training images; each epoch is timed
after a first warm-up epoch, and the median of the repeats is reported, with the ratio
engine / fit and the fraction of this machine's float32 matmul ceiling each reaches.

When PyTorch happens to be installed (it is never a dependency of tfsheet), a plain PyTorch loop
over the same MLP (the same Adam, loss, batches and thread count) is timed beside them.

    python benchmarks/engine_vs_fit.py                 # batch 128 and 1024, 5 timed epochs
    python benchmarks/engine_vs_fit.py --quick         # a smoke run on 4,096 images
"""

import argparse
import json
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import EpochTimer, dense_training_flops_per_example, matmul_ceiling_flops, median, print_table  # noqa: E402

from tfsheet.data import load_mnist  # noqa: E402
from tfsheet.data.encodings import one_hot  # noqa: E402
from tfsheet.models.losses import cross_entropy_loss, one_hot_accuracy, squared_loss  # noqa: E402
from tfsheet.models.mlp import build_mlp as build_problem2_mlp  # noqa: E402
from tfsheet.models.softmax_regression import build_softmax_regression  # noqa: E402
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything  # noqa: E402


def build_mlp():
    return build_problem2_mlp(256, "one_hot", hidden_activation="sigmoid")


MODELS = {
    # name: (builder, optimizer factory, engine loss, fit loss, targets from labels, accuracy, layer sizes)
    "softmax_regression": (build_softmax_regression, lambda: keras.optimizers.SGD(0.2), cross_entropy_loss,
                           {"logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
                           lambda labels: labels, None, [784, 10]),
    "mlp_784_256_10": (build_mlp, lambda: keras.optimizers.Adam(1e-3), squared_loss, squared_loss,
                       one_hot, one_hot_accuracy, [784, 256, 10]),
}


def time_engine(name, images, targets, batch_size, epochs):
    builder, optimizer, loss = MODELS[name][:3]
    seed_everything(0)
    model = builder()
    trainer = Trainer(model, loss, optimizer(), TrainConfig(epochs=epochs, batch_size=batch_size, verbose=False))
    history = trainer.fit(ArrayData(images, targets))
    return [record["seconds"] for record in history][1:], model


def time_fit(name, images, targets, batch_size, epochs):
    builder, optimizer, _, fit_loss = MODELS[name][:4]
    seed_everything(0)
    model = builder()
    model.compile(optimizer=optimizer(), loss=fit_loss)
    timer = EpochTimer()
    fit_targets = {"logits": targets} if isinstance(fit_loss, dict) else targets
    model.fit(images, fit_targets, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
    return timer.seconds[1:], model


def time_pytorch(images, targets, batch_size, epochs):
    """Seconds per epoch of a plain PyTorch loop over the 784-256-10 MLP, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    torch.set_num_threads(tf.config.threading.get_intra_op_parallelism_threads() or len(os.sched_getaffinity(0)))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.Sigmoid(), torch.nn.Linear(256, 10),
                                torch.nn.Sigmoid())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(np.array(images, np.float32)), torch.from_numpy(np.array(targets, np.float32))  # writable copies
    seconds = []
    for epoch in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(len(x))
        for first in range(0, len(x), batch_size):
            ids = order[first:first + batch_size]
            loss = ((model(x[ids]) - y[ids]) ** 2).sum(dim=1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - started)
    return seconds[1:]


def test_accuracy(name, model, test):
    outputs = model(test.images)
    predicted = np.argmax(outputs["logits"] if isinstance(outputs, dict) else outputs, axis=-1)
    labels = test.labels if name == "softmax_regression" else np.argmax(one_hot(test.labels), axis=-1)
    return float(np.mean(predicted == labels))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs per measurement (after 1 warm-up)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 1024])
    parser.add_argument("--examples", type=int, default=60_000, help="training images per epoch")
    parser.add_argument("--quick", action="store_true", help="smoke run: 4,096 images, 2 repeats")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.examples, args.repeats = 4096, 2

    train, test = load_mnist("train", args.examples), load_mnist("test")
    ceiling = matmul_ceiling_flops()
    print(f"float32 matmul ceiling: {ceiling / 1e9:.1f} GFLOP/s; {args.examples} images per epoch, "
          f"median of {args.repeats} epochs after a warm-up\n")
    rows = []
    for name, spec in MODELS.items():
        targets = spec[4](train.labels)
        flops = dense_training_flops_per_example(spec[6])
        for batch_size in args.batch_sizes:
            measured = {}
            for loop, timer in (("engine", time_engine), ("fit", time_fit)):
                seconds, model = timer(name, train.images, targets, batch_size, args.repeats + 1)
                measured[loop] = (args.examples / median(seconds), test_accuracy(name, model, test))
            (engine_rate, engine_accuracy), (fit_rate, fit_accuracy) = measured["engine"], measured["fit"]
            row = {"model": name, "batch": batch_size, "engine ex/s": engine_rate, "fit ex/s": fit_rate,
                   "engine/fit": engine_rate / fit_rate,
                   "engine %ceiling": 100 * engine_rate * flops / ceiling,
                   "fit %ceiling": 100 * fit_rate * flops / ceiling,
                   "engine acc": engine_accuracy, "fit acc": fit_accuracy}
            torch_seconds = time_pytorch(train.images, targets, batch_size, args.repeats + 1) \
                if name == "mlp_784_256_10" else None
            if torch_seconds:
                row["engine/pytorch"] = engine_rate / (args.examples / median(torch_seconds))
            rows.append(row)
    print_table(rows, list(dict.fromkeys(key for row in rows for key in row)))
    if not any("engine/pytorch" in row for row in rows):
        print("\n(PyTorch is not installed: no PyTorch column. It is optional and never a tfsheet dependency.)")
    if args.json:
        with open(args.json, "w") as stream:
            json.dump({"ceiling_flops": ceiling, "rows": rows}, stream, indent=2)
    return rows


if __name__ == "__main__":
    main()
