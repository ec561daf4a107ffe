"""Runs of several seeds merge into one result: each number a mean, with its spread kept beside it."""

import pytest

from tfsheet.results import merge_runs


def test_floats_become_means_with_their_spread_and_settings_are_kept():
    runs = [{"rows": [{"k": 2, "nats": 1.0}, {"k": 4, "nats": 2.0}], "levels": [0.5, 0.6], "name": "probe"},
            {"rows": [{"k": 2, "nats": 3.0}, {"k": 4, "nats": 2.0}], "levels": [0.5, 0.6], "name": "probe"}]
    merged = merge_runs(runs)
    assert merged["rows"][0]["k"] == 2 and merged["rows"][0]["nats"] == 2.0
    assert merged["rows"][0]["spread"]["nats"]["values"] == [1.0, 3.0]
    assert merged["rows"][0]["spread"]["nats"]["std"] == 1.0
    assert merged["rows"][1]["spread"]["nats"]["std"] == 0.0
    assert merged["levels"] == [0.5, 0.6] and merged["name"] == "probe"


def test_runs_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="one length"):
        merge_runs([{"rows": [{"a": 1.0}]}, {"rows": [{"a": 1.0}, {"a": 2.0}]}])
    with pytest.raises(ValueError, match="at least one"):
        merge_runs([])
