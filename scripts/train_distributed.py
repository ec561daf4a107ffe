"""Train one of the sheet's models under a tf.distribute strategy (tfsheet.experiments.distributed).

    python scripts/train_distributed.py --model mlp --workdir runs/one_device
    python scripts/train_distributed.py --strategy mirrored --workdir runs/mirrored     # all GPUs, or
                                                          # $TFSHEET_LOGICAL_CPUS logical CPUs (2)
    python scripts/launch_workers.py --workers 2 -- \\
        python scripts/train_distributed.py --strategy multi-worker --workdir runs/two_workers

Run again with the same --workdir to resume from the newest checkpoint; SIGTERM saves one and
exits with status 143. Flags: tfsheet train-distributed --help.
"""

import sys

from tfsheet.cli import main

if __name__ == "__main__":
    arguments = sys.argv[1:]
    strategy = []
    if "--strategy" in arguments:                     # a global flag of `tfsheet`, accepted here too
        at = arguments.index("--strategy")
        strategy, arguments = arguments[at:at + 2], arguments[:at] + arguments[at + 2:]
    sys.exit(main([*strategy, "train-distributed", *arguments]))
