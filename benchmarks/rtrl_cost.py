"""RTRL's cost against BPTT's: time per step as the hidden size n and the sequence length T grow, with
fitted exponents and RTRL's step against the n x n by n x n^2 contraction it must do.

Theory: RTRL takes O(n^4) time and O(n^3) memory per step, whatever T; BPTT takes O(n^2) per step and
O(T n) memory for the states it keeps for the backward pass. Peak memory is measured as a fresh
process's peak resident memory (VmHWM) minus that of the same process at a tiny size (TensorFlow's
allocator statistics read zero on the CPU), the median of --memory-repeats processes, next to the sizes of the
tensors each algorithm must hold. Exponents are fitted at the largest sizes, where the arithmetic,
not per-call overhead, dominates.

    python benchmarks/rtrl_cost.py                 # n in 8..256; about 4 minutes
    python benchmarks/rtrl_cost.py --quick
Writes rtrl_cost.json and rtrl_cost.png (log-log) into --out.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import median, print_table  # noqa: E402

from tfsheet.analysis.rtrl_cost import (bptt_step_seconds, contraction_seconds, fitted_exponent,  # noqa: E402
                               rtrl_step_seconds, sensitivity_mib)


def peak_memory_mib(method, n, length, repeats):
    """Median peak-RSS increase (MiB) of a fresh process computing `method` at (n, T) over (4, 4)."""
    probe = pathlib.Path(__file__).with_name("memory_probe.py")

    def peak(size, steps):
        completed = subprocess.run([sys.executable, str(probe), method, str(size), str(steps)], capture_output=True,
                                   text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=900, check=True)
        return float(completed.stdout.strip().splitlines()[-1])

    return median([peak(n, length) - peak(4, 4) for _ in range(repeats)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rtrl-sizes", type=int, nargs="+", default=[8, 16, 32, 64, 128, 256, 384, 512])
    parser.add_argument("--bptt-sizes", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096])
    parser.add_argument("--lengths", type=int, nargs="+", default=[256, 1024, 4096], help="T for BPTT at n = 1024")
    parser.add_argument("--rtrl-lengths", type=int, nargs="+", default=[4, 16, 64, 256],
                        help="T for RTRL's peak memory at n = --rtrl-memory-n (flat in T by theory)")
    parser.add_argument("--rtrl-memory-n", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-repeats", type=int, default=2, help="processes per memory measurement (0: skip)")
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 repeats, no memory measurement")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/benchmarks"))
    args = parser.parse_args(argv)
    if args.quick:
        args.rtrl_sizes, args.bptt_sizes, args.lengths, args.repeats = [8, 16, 32], [64, 128], [16, 64], 2
        args.memory_repeats, args.rtrl_lengths = 0, [4, 16]
    large_rtrl = [n for n in args.rtrl_sizes if n >= 256] or args.rtrl_sizes
    memory_rtrl = [n for n in args.rtrl_sizes if n >= 128] or args.rtrl_sizes
    large_bptt = [n for n in args.bptt_sizes if n >= 1024] or args.bptt_sizes
    length_n = 1024 if not args.quick else 64

    rtrl_rows = []
    for n in args.rtrl_sizes:
        row = {"n": n, "rtrl_step_ms": 1e3 * rtrl_step_seconds(n, args.repeats),
               "contraction_ms": 1e3 * contraction_seconds(n, args.repeats),
               "rtrl_sensitivity_mib": sensitivity_mib(n)}
        row["rtrl/contraction"] = row["rtrl_step_ms"] / row["contraction_ms"]
        row["contraction_gflops"] = 2 * n ** 4 / (row["contraction_ms"] * 1e6)
        if args.memory_repeats and n in memory_rtrl:
            row["rtrl_peak_mib"] = peak_memory_mib("rtrl", n, 4, args.memory_repeats)
        rtrl_rows.append(row)
    print_table(rtrl_rows, list(rtrl_rows[-1]))
    bptt_rows = [{"n": n, "bptt_step_ms": 1e3 * bptt_step_seconds(n, 64, args.repeats)} for n in args.bptt_sizes]
    print()
    print_table(bptt_rows, list(bptt_rows[0]))
    length_rows = []
    for length in args.lengths:
        row = {"T": length, "n": length_n, "bptt_step_ms": 1e3 * bptt_step_seconds(length_n, length, args.repeats),
               "bptt_states_mib": 4 * length * length_n / 2 ** 20}
        if args.memory_repeats:
            row["bptt_peak_mib"] = peak_memory_mib("bptt", length_n, length, args.memory_repeats)
        length_rows.append(row)
    print()
    print_table(length_rows, list(length_rows[0]))
    rtrl_length_rows = []
    if args.memory_repeats:
        for length in args.rtrl_lengths:
            rtrl_length_rows.append({"T": length, "n": args.rtrl_memory_n,
                                     "rtrl_sensitivity_mib": sensitivity_mib(args.rtrl_memory_n),
                                     "rtrl_peak_mib": peak_memory_mib("rtrl", args.rtrl_memory_n, length,
                                                                      args.memory_repeats)})
        print()
        print_table(rtrl_length_rows, list(rtrl_length_rows[0]))

    def fit(rows, x, y, sizes):
        """The exponent of y against x over the rows whose x is in `sizes`, recorded with that range."""
        points = [row for row in rows if x in row and y in row and row[x] in sizes]
        if len(points) < 2:
            return None
        return {"exponent": fitted_exponent([row[x] for row in points], [max(row[y], 1e-6) for row in points]),
                "over": f"{x} = {', '.join(str(row[x]) for row in points)}"}

    exponents = {"rtrl_time_vs_n": fit(rtrl_rows, "n", "rtrl_step_ms", large_rtrl),
                 "contraction_time_vs_n": fit(rtrl_rows, "n", "contraction_ms", large_rtrl),
                 "bptt_time_per_step_vs_n": fit(bptt_rows, "n", "bptt_step_ms", large_bptt),
                 "bptt_time_per_step_vs_T": fit(length_rows, "T", "bptt_step_ms", args.lengths),
                 "rtrl_memory_vs_n (tensor sizes)": fit(rtrl_rows, "n", "rtrl_sensitivity_mib", large_rtrl),
                 "bptt_memory_vs_T (tensor sizes)": fit(length_rows, "T", "bptt_states_mib", args.lengths)}
    if args.memory_repeats:
        exponents["rtrl_peak_memory_vs_n"] = fit(rtrl_rows, "n", "rtrl_peak_mib", memory_rtrl)
        exponents["bptt_peak_memory_vs_T"] = fit(length_rows, "T", "bptt_peak_mib", args.lengths)
        exponents["rtrl_peak_memory_vs_T"] = fit(rtrl_length_rows, "T", "rtrl_peak_mib", args.rtrl_lengths)
    local = [{"from": a["n"], "to": b["n"], "rtrl_time": fitted_exponent([a["n"], b["n"]],
                                                                          [a["rtrl_step_ms"], b["rtrl_step_ms"]])}
             for a, b in zip(rtrl_rows, rtrl_rows[1:])]
    print("\nfitted exponents, each over the range given with it:")
    for name, value in exponents.items():
        if value is not None:
            print(f"  {name}: {value['exponent']:.2f} over {value['over']}")
    print("RTRL's local time exponent between neighbouring sizes:",
          ", ".join(f"{pair['from']}->{pair['to']}: {pair['rtrl_time']:.2f}" for pair in local))
    print("theory: RTRL time n^4, memory n^3 (T^0); BPTT time per step n^2 (T^0), memory T^1")
    args.out.mkdir(parents=True, exist_ok=True)
    result = {"rtrl": rtrl_rows, "bptt": bptt_rows, "lengths": length_rows, "rtrl_lengths": rtrl_length_rows,
              "exponents": exponents, "rtrl_local_exponents": local}
    (args.out / "rtrl_cost.json").write_text(json.dumps(result, indent=2))
    from tfsheet.report.plots import plot_rtrl_cost

    plot_rtrl_cost(rtrl_rows, bptt_rows, args.out / "rtrl_cost.png")
    return result


if __name__ == "__main__":
    main()
