"""Problem 5.1 (n-gram models vs an RNN trained with truncated BPTT): Tiny Shakespeare bits per
character against n, the truncation probe, and the copy task's k x L grid; exports char_rnn and
char_ngram.

    python scripts/problem5_1.py [shakespeare] [probe] [copy] --preset default --workdir runs/problem5_1

Flags: tfsheet problem5.1 --help.
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    sys.exit(main(["problem5.1", *sys.argv[1:]]))
