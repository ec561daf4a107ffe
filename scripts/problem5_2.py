"""Problem 5.2 (real-time recurrent learning): RTRL's gradients against BPTT's, online learning of a
copy task beyond TBPTT's truncation, and SnAp-1. Cost scaling: benchmarks/rtrl_cost.py.

    python scripts/problem5_2.py --preset default --workdir runs/problem5_2

Flags: tfsheet problem5.2 --help.
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem5.2", *sys.argv[1:]]))
