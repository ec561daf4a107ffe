"""Problem 4 (ReLU networks as universal approximators): the sheet's constructions, approximation
error against width (constructed and trained), eventual linearity and the primes claim; exports the
Q4.2 network and the unit ramp h_{0,1}.

    python scripts/problem4.py --preset default --workdir runs/problem4

Flags: tfsheet problem4 --help.
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem4", *sys.argv[1:]]))
