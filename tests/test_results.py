"""A number measured over seeds is one type, Seeded, in memory and on disk; runs of several seeds merge into
one result of the same shape whose floats are Seeded."""

import json

import pytest

from tfsheet.results import Seeded, as_written, merge_runs, seeded, typed, write_json


def test_a_seeded_number_keeps_each_seeds_value_beside_its_mean_and_std():
    number = seeded([1.0, 3.0, 2.0], [0, 1, 2])
    assert (number.mean, number.std, number.min, number.max) == (2.0, pytest.approx(0.8165, abs=1e-4), 1.0, 3.0)
    assert number.values == (1.0, 3.0, 2.0) and number.seeds == (0, 1, 2)
    assert number.map(lambda value: 2 * value) == seeded([2.0, 6.0, 4.0], [0, 1, 2])
    assert Seeded.constant(1.5).seeds == () and Seeded.constant(1.5).std == 0.0


def test_a_seeded_number_refuses_values_that_do_not_match_its_seeds():
    with pytest.raises(ValueError, match="one value per seed"):
        seeded([1.0, 2.0], [0])
    with pytest.raises(ValueError, match="one value per seed"):
        seeded([], [])


def test_a_results_file_reads_back_to_the_same_seeded_numbers(tmp_path):
    results = {"rows": [{"n": 2, "nats": {"test": {"rnn": seeded([1.0, 2.0], [0, 1])}}}], "kept": [1, 2]}
    written = json.loads(write_json(tmp_path / "results.json", results).read_text())
    assert written["rows"][0]["nats"]["test"]["rnn"] == {"mean": 1.5, "std": 0.5, "min": 1.0, "max": 2.0,
                                                         "values": [1.0, 2.0], "seeds": [0, 1]}
    assert typed(written) == results and typed(as_written(results)) == results


def test_merged_runs_keep_the_shape_with_every_float_seeded_and_settings_kept():
    runs = [{"rows": [{"n": 2, "nats": 1.0}, {"n": 3, "nats": 2.0}], "name": "x"},
            {"rows": [{"n": 2, "nats": 3.0}, {"n": 3, "nats": 2.0}], "name": "x"}]
    merged = merge_runs(runs, seeds=[5, 7])
    assert merged == {"rows": [{"n": 2, "nats": seeded([1.0, 3.0], [5, 7])},
                               {"n": 3, "nats": seeded([2.0, 2.0], [5, 7])}], "name": "x"}


def test_runs_of_different_shapes_or_without_their_seeds_do_not_merge():
    with pytest.raises(ValueError):
        merge_runs([{"rows": [{"a": 1.0}]}, {"rows": [{"a": 1.0}, {"a": 2.0}]}], seeds=[0, 1])
    with pytest.raises(ValueError, match="one run per seed"):
        merge_runs([], seeds=[])
    with pytest.raises(ValueError, match="one run per seed"):
        merge_runs([{"a": 1.0}], seeds=[0, 1])


def test_a_path_that_is_not_a_regular_file_is_refused_not_replaced(tmp_path):
    import os
    import stat

    from tfsheet.results import write_json

    with pytest.raises(ValueError, match="is not a regular file"):
        write_json("/dev/null", {"a": 1})
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)               # still the device
    with pytest.raises(ValueError, match="is not a regular file"):
        write_json(tmp_path, {"a": 1})


def test_a_write_that_fails_leaves_neither_half_a_file_nor_a_temporary_one(tmp_path):
    from tfsheet.results import write_atomically

    target = tmp_path / "index.md"
    target.write_text("as it was")
    with pytest.raises(TypeError):
        write_atomically(target, b"not text")                       # fails while writing
    assert target.read_text() == "as it was" and sorted(path.name for path in tmp_path.iterdir()) == ["index.md"]
    import os
    import stat

    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(write_atomically(target, "new").stat().st_mode) == 0o666 & ~mask   # not tempfile's 0600
