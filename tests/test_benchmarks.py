"""A smoke run of the engine-vs-fit benchmark: it runs, and both loops learn the same thing (chance is 0.1)."""

import sys

from tests.conftest import REPOSITORY

sys.path.insert(0, str(REPOSITORY / "benchmarks"))

import engine_vs_fit  # noqa: E402


def test_quick_benchmark_measures_both_loops():
    rows = engine_vs_fit.main(["--quick", "--batch-sizes", "256"])
    assert [row["model"] for row in rows] == ["softmax_regression", "mlp_784_256_10"]
    for row in rows:
        assert row["engine ex/s"] > 0 and row["fit ex/s"] > 0
        assert row["engine acc"] > 0.3 and abs(row["engine acc"] - row["fit acc"]) < 0.05
