"""Problem 5.2 at quick scale: every online comparison holds its budget, and the estimators are measured."""

import pytest

from tfsheet.experiments import configs, problem5_2
from tfsheet.training import Runtime

QUICK = configs.PROBLEM5_2_PRESETS["quick"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return problem5_2.run(QUICK, tmp_path_factory.mktemp("problem5_2"), Runtime())


def test_equal_tokens_and_equal_updates_are_what_they_say(results):
    online = results["online"]
    k, window, streams = online["truncation"], online["full_bptt_window"], QUICK.streams
    learners = online["learners"]
    exact = learners["rtrl_online"]
    for name in ("snap1_online", "uoro_online"):
        assert learners[name]["updates"] == exact["updates"] and learners[name]["tokens"] == exact["tokens"]
    for one_pass_name, length in ((f"tbptt_k{k}_carried", k), ("full_bptt", window)):
        one_pass, equal = learners[one_pass_name], learners[f"{one_pass_name}_equal_updates"]
        assert abs(one_pass["tokens"] - exact["tokens"]) < streams * length          # equal tokens, up to a window
        assert abs(equal["updates"] - exact["updates"]) < length                     # equal updates, up to a pass
        assert equal["tokens"] == length * one_pass["tokens"]
    assert online["seeds"] == list(QUICK.online_seeds)
    assert exact["copy_accuracy"].seeds == QUICK.online_seeds


def test_rtrl_is_exact_and_its_cheaper_estimates_are_measured(results):
    assert max(row["relative_error"] for row in results["agreement"]) < 1e-10
    assert all(0 < row["cosine_similarity"] < 1 for row in results["snap1"])
    for row in results["uoro"]:
        assert row["mean_cosine"] > row["single_cosine_mean"]                       # averaging helps: unbiased
        assert row["relative_variance"] > 0
    cost = results["cost"]
    assert [pair["to"] for pair in cost["local_exponents"]] == [row["n"] for row in cost["rows"][1:]]
