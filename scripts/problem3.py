"""Problem 3 (linear hidden units vs logistic regression): accuracy over seeds, the exact maps of Q3.1,
the rank argument of Q3.2, the non-convexity certificate of Q3.3; exports linear_hidden_25 and _4.

    python scripts/problem3.py --preset default --workdir runs/problem3

Flags: tfsheet problem3 --help.
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem3", *sys.argv[1:]]))
