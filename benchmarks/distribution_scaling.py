"""Examples per second of the MNIST MLP under tf.distribute: 1 vs 2 logical CPU devices, 1 vs 2 workers.

    python benchmarks/distribution_scaling.py            # about 3 minutes on 2 cores
    python benchmarks/distribution_scaling.py --quick

Every configuration trains the Problem 2 MLP (784-256-10, squared loss, Adam, global batch 256)
with scripts/train_distributed.py in a fresh process; the rate is the median over the epochs after
the first (which includes tracing), and each configuration runs --repeats times, interleaved with
the others, so the machine's load drifts evenly over all of them. Ratios are against one device.

What to expect on a 2-core CPU: little or no speed-up. One device already uses both cores for
its matrix multiplications (TensorFlow's intra-op thread pool), so splitting the CPU into two
logical devices adds work (two replicas, an all-reduce of the 200k gradients every step) without
adding cores; two worker processes also pay gRPC and the collective's synchronisation per step.
The point of the measurement is the overhead figure, and that the runs agree on the loss.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import print_table  # noqa: E402

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
TRAIN = [sys.executable, str(REPOSITORY / "scripts" / "train_distributed.py")]
LAUNCH = [sys.executable, str(REPOSITORY / "scripts" / "launch_workers.py")]

CONFIGURATIONS = {
    "1 device": ([], "default", {}),
    "mirrored, 2 logical CPUs": ([], "mirrored", {"TFSHEET_LOGICAL_CPUS": "2"}),
    "multi-worker, 1 worker": (["--workers", "1"], "multi-worker", {}),
    "multi-worker, 2 workers": (["--workers", "2"], "multi-worker", {}),
}


def measure(name, options, workdir):
    launcher, strategy, environment = CONFIGURATIONS[name]
    command = [*TRAIN, "--strategy", strategy, "--workdir", str(workdir), *options]
    if launcher:
        command = [*LAUNCH, *launcher, "--timeout", "900", "--", *command]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPOSITORY), **environment}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200, cwd=REPOSITORY)
    if completed.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
    results = json.loads((workdir / "results.json").read_text())
    batch, examples = results["config"]["batch_size"], results["config"]["train_examples"]
    per_epoch = examples // batch * batch
    rates = [per_epoch / epoch["seconds"] for epoch in results["history"][1:]]
    return statistics.median(rates), results["history"][-1]["loss"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 repeat, fewer examples")
    args = parser.parse_args(argv)
    examples, epochs = ("12800", "3") if args.quick else ("30720", "4")
    options = ["--model", "mlp", "--num-hidden", "256", "--batch-size", "256", "--train-examples", examples,
               "--epochs", epochs, "--checkpoint-every", "0"]
    repeats = 1 if args.quick else args.repeats
    rates = {name: [] for name in CONFIGURATIONS}
    losses = {}
    with tempfile.TemporaryDirectory() as scratch:
        for repeat in range(repeats):
            for name in CONFIGURATIONS:
                workdir = pathlib.Path(scratch) / f"{repeat}-{name.replace(' ', '_').replace(',', '')}"
                rate, losses[name] = measure(name, options, workdir)
                rates[name].append(rate)
                print(f"repeat {repeat + 1}/{repeats}: {name}: {rate:,.0f} examples/s", file=sys.stderr, flush=True)
    baseline = statistics.median(rates["1 device"])
    rows = [{"configuration": name, "examples/s": round(statistics.median(values)),
             "vs 1 device": round(statistics.median(values) / baseline, 2),
             "overhead per step (ms)": round(1e3 * 256 * (1 / statistics.median(values) - 1 / baseline), 2),
             "final loss": round(losses[name], 5)} for name, values in rates.items()]
    print_table(rows, list(rows[0]))
    return rows


if __name__ == "__main__":
    main()
