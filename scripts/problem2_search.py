"""Problem 2's search (each design's settings chosen on validation at H = 256, the winners kept for the other
Problem 2 experiments): see tfsheet.experiments.problem2_search.run; flags: tfsheet problem2 --help.

    python scripts/problem2_search.py --scale default --workdir runs/problem2
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem2", "search", *sys.argv[1:]]))
