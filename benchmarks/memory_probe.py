"""Print the peak resident memory (MiB) of a fresh process that computes one RTRL or BPTT gradient.

    python benchmarks/memory_probe.py rtrl N T      (used by rtrl_cost.py, once per size)

rtrl_cost.py subtracts the same process's peak at a tiny size, which leaves what the size itself needs.
The peak is VmHWM from /proc/self/status, the high-water mark of this process's own memory map:
getrusage's ru_maxrss would also carry the parent's peak across fork and exec on Linux.
"""

import pathlib
import sys

import numpy as np

from tfsheet.training import rtrl
from tfsheet.models.language_models import RNNLanguageModel

if __name__ == "__main__":
    method, n, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    model = RNNLanguageModel(4, n)
    tokens = np.random.default_rng(0).integers(0, 4, (1, length))
    gradients = rtrl.rtrl_gradients if method == "rtrl" else rtrl.bptt_gradients
    [g.numpy() for g in gradients(model, tokens, tokens)[1]]
    status = pathlib.Path("/proc/self/status").read_text().splitlines()
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024)  # kB -> MiB
