"""Problem 2, Q2.2 (the fixed one-hot-to-binary layer appended; exports the three MLPs): see tfsheet.experiments.problem2.run_appended; flags: tfsheet problem2 --help.

    python scripts/problem2_appended.py --preset default --workdir runs/problem2
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem2", "appended", *sys.argv[1:]]))
