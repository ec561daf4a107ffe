"""Q4.4's closing sentence follows the table: training is said to fall short of the construction exactly at the
widths where its largest error is more than SHORT_FACTOR times the even grid's of the same width."""

import copy

from tests.report import committed
from tfsheet.experiments.registry import P4
from tfsheet.report.answers import problem4


def _sine(records):
    return next(row for row in records[P4.name]["results"]["q4_4"] if row["function"].startswith("sin"))


def test_training_falls_short_exactly_where_its_error_exceeds_the_constructions_by_the_factor(tmp_path):
    records = copy.deepcopy(committed.typed_records("default"))
    sine = _sine(records)
    grid = {point["width"]: point["max_error"] for point in sine["uniform"]}
    for point in sine["trained"]:
        point["max_error"] = grid[point["width"]]               # as good as the grid everywhere
    finding = problem4.construction_findings(sine)
    assert finding.verdict is False
    assert "training got within reach of the construction" in problem4.answer_4_4(records, tmp_path).text
    first = sine["trained"][0]
    first["max_error"] = 1.01 * problem4.SHORT_FACTOR * grid[first["width"]]
    assert problem4.construction_findings(sine).reading(f"{first['width']} units") is True
    text = problem4.answer_4_4(records, tmp_path).text
    assert f"times the grid's) with {first['width']} units, but not with" in text


def test_at_two_units_the_committed_training_beats_the_construction_and_is_not_called_short(tmp_path):
    finding = problem4.construction_findings(_sine(committed.typed_records("default")))
    assert finding.reading("2 units") is False
