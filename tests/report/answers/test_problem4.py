"""Q4.4's closing sentence follows the trained nets: it says training stalled only where it did."""

import copy

from tests.report import committed
from tfsheet.experiments.registry import P4
from tfsheet.report.answers import problem4


def _sine(records):
    return next(row for row in records[P4.name]["results"]["q4_4"] if row["function"].startswith("sin"))


def test_stalled_widths_are_named_and_a_training_that_got_there_is_not_called_stalled(tmp_path):
    records = copy.deepcopy(committed.typed_records("default"))
    for point in _sine(records)["trained"]:
        point["max_error"] = 0.01
    text = problem4.answer_4_4(records, tmp_path).text
    assert "training stalled" not in text and "training got within reach of the construction" in text
    first = _sine(records)["trained"][0]
    first["max_error"] = 0.9
    assert f"training stalled at an error above 0.5 with {first['width']} units" in problem4.answer_4_4(
        records, tmp_path).text
