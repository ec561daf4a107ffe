"""A cached record is reused only while its key holds: the experiment, its own settings, its data's bytes,
tfsheet's version, the strategy and the keys of the steps it needs."""

import dataclasses
import json

from tfsheet.experiments.registry import P1, P2_APPENDED, P2_SEARCH
from tfsheet.runs import cache
from tfsheet.training.runtime import one_device


def _fields(experiment=P1, config=None, changed=None, needs=None):
    return cache.key_fields(experiment, config or experiment.config("quick"), changed or {}, one_device(), needs)


def test_the_key_moves_with_each_of_its_fields_and_with_nothing_else():
    base = cache.cache_key(_fields())
    assert cache.cache_key(_fields()) == base
    config = P1.config("quick")
    moved = dataclasses.replace(config, seed=config.seed + 1)
    assert cache.cache_key(_fields(config=moved)) != base
    assert cache.cache_key(_fields(changed={"seed": "1"})) != base
    assert cache.cache_key(_fields(P2_APPENDED, needs={P2_SEARCH.name: "a"})) != cache.cache_key(
        _fields(P2_APPENDED, needs={P2_SEARCH.name: "b"}))            # a change upstream is a change here


def test_a_record_carries_the_key_its_fields_give_so_an_edit_shows():
    record = cache.new_record(P1, "quick", _fields())
    assert cache.record_key(record) == record["key"] and record["seed"] == {"seed": P1.config("quick").seed}
    record["config"] = {**record["config"], "seed": 99}
    assert cache.record_key(record) != record["key"]


def test_only_a_successful_record_with_the_same_key_is_reused(tmp_path):
    record = {**cache.new_record(P1, "quick", _fields()), "status": "ok", "results": {}}
    cache.write_record(tmp_path, P1, record)
    assert cache.load_cached(tmp_path, P1, record["key"]) == json.loads(json.dumps(record))
    assert cache.load_cached(tmp_path, P1, "another key") is None
    cache.write_record(tmp_path, P1, {**record, "status": "failed"})
    assert cache.load_cached(tmp_path, P1, record["key"]) is None
    cache.record_path(tmp_path, P1).write_text("{ truncated")
    assert cache.load_cached(tmp_path, P1, record["key"]) is None     # unreadable: run again, do not crash


def test_the_data_fingerprint_is_the_bytes_of_the_offline_files(tmp_path, monkeypatch):
    monkeypatch.setenv("TFSHEET_DATA_DIR", str(tmp_path))
    (tmp_path / "tiny_shakespeare").mkdir()
    text = tmp_path / "tiny_shakespeare" / "input.txt"
    assert cache.input_fingerprint("tiny_shakespeare")["sha256"] == {"tiny_shakespeare/input.txt": "missing"}
    text.write_text("First Citizen:")
    first = cache.input_fingerprint("tiny_shakespeare")
    text.write_text("First Citizen!")
    assert cache.input_fingerprint("tiny_shakespeare") != first and first["source"] == "files"
