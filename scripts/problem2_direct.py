"""Problem 2, Q2.3 (784-H-10-4 trained directly on binary targets): see tfsheet.experiments.problem2.run_direct; flags: tfsheet problem2 --help.

    python scripts/problem2_direct.py --preset default --workdir runs/problem2
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem2", "direct", *sys.argv[1:]]))
