"""Problem 2, Q2.1 (accuracy against H for one-hot and binary outputs): see tfsheet.experiments.problem2.run_sweep; flags: tfsheet problem2 --help.

    python scripts/problem2_sweep.py --preset default --workdir runs/problem2
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem2", "sweep", *sys.argv[1:]]))
