"""A smoke run of the engine-vs-fit benchmark: it runs, and both loops learn the same thing (chance is 0.1)."""

import sys

import numpy as np
import pytest

from tests.conftest import REPOSITORY

sys.path.insert(0, str(REPOSITORY / "benchmarks"))

import engine_vs_fit  # noqa: E402


def test_quick_benchmark_measures_both_loops():
    rows = engine_vs_fit.main(["--quick", "--batch-sizes", "256"])
    assert [row["model"] for row in rows] == ["softmax_regression", "mlp_784_256_10"]
    for row in rows:
        assert row["engine ex/s"] > 0 and row["fit ex/s"] > 0
        assert row["engine acc"] > 0.3 and abs(row["engine acc"] - row["fit acc"]) < 0.05


def test_quick_tbptt_benchmark_measures_both_loops():
    import tbptt_vs_fit

    rows = tbptt_vs_fit.main(["--quick"])
    assert len(rows) == 2 and all(row["engine"] > 0 and row["fit"] > 0 for row in rows)


def test_quick_rtrl_cost_benchmark(tmp_path):
    import rtrl_cost

    result = rtrl_cost.main(["--quick", "--out", str(tmp_path)])
    assert [row["n"] for row in result["rtrl"]] == [8, 16, 32]
    assert all(row["rtrl_step_ms"] > 0 for row in result["rtrl"]) and all(row["bptt_step_ms"] > 0 for row in result["bptt"])
    # every exponent is fitted over its own algorithm's sizes only, and says which
    assert result["exponents"]["bptt_time_per_step_vs_n"]["over"] == "n = 64, 128"
    assert result["exponents"]["rtrl_time_vs_n"]["over"] == "n = 8, 16, 32"
    assert (tmp_path / "rtrl_cost.png").stat().st_size > 10_000


@pytest.mark.slow     # the Mirrored and MWMS runs it times are exercised for real by tests/training/test_distributed.py
def test_quick_distribution_scaling_benchmark():
    import distribution_scaling

    rows = distribution_scaling.main(["--quick"])
    assert [row["configuration"] for row in rows] == list(distribution_scaling.CONFIGURATIONS)
    assert all(row["examples/s"] > 0 for row in rows)
    losses = [row["final loss"] for row in rows]
    assert max(losses) - min(losses) < 1e-3          # every configuration trains on the same global batches


def test_the_pytorch_benchmark_times_the_engine_and_without_pytorch_says_how_to_install_it(monkeypatch, capsys):
    import versus_pytorch
    from tfsheet.training.tbptt import stream_windows

    tokens = np.arange(8 * 16 * 3 + 1) % 20
    x, y = stream_windows(tokens[:-1], tokens[1:], 8, 16)
    seconds = versus_pytorch.engine_epochs(20, 16, 8, 0.2, x, y, 2)         # the engine's side, on the same shapes
    assert len(seconds) == 2 and all(second > 0 for second in seconds)
    monkeypatch.setitem(sys.modules, "torch", None)                         # as on a machine without PyTorch
    assert versus_pytorch.main(["--quick"]) is None
    assert versus_pytorch.INSTALL in capsys.readouterr().err
