"""Problem 1: train softmax regression (hand-derived backprop) on MNIST, test it, export a SavedModel.

    python scripts/train_softmax_regression.py --epochs 10 --learning-rate 0.2 --log-dir runs/p1

Flags: tfsheet train-softmax-regression --help.
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["train-softmax-regression", *sys.argv[1:]]))
