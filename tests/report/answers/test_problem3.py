"""Q3's answers print what the results measured: the exactness of the maps and the accuracy a rank limit costs."""

import copy

from tests.report import committed
from tfsheet.experiments.registry import P3
from tfsheet.report.answers import problem3


def test_the_maps_are_reported_by_their_largest_change_of_a_probability(tmp_path):
    records = copy.deepcopy(committed.typed_records("default"))
    maps = records[P3.name]["results"]["q3_1"]
    maps["collapse"]["linear_hidden_4"] = 7.5e-06
    maps["expand_to"]["9"] = 6.5e-06
    text = problem3.answer_3_1(records, tmp_path).text
    assert "by more than 7.5e-06, and expanding" in text and "by more than 6.5e-06 (float32 rounding)" in text


def test_the_accuracy_lost_at_four_units_is_the_difference_of_the_means(tmp_path):
    records = committed.typed_records("default")
    accuracy = records[P3.name]["results"]["accuracy"]
    lost = 100 * (accuracy["logistic_regression"].mean - accuracy["linear_hidden_4"].mean)
    assert f"{lost:.2f} points below" in problem3.answer_3_2(records, tmp_path).text


def test_every_trained_model_has_a_row_widest_first(tmp_path):
    accuracy = committed.typed_records("default")[P3.name]["results"]["accuracy"]
    rows = problem3._accuracy_rows(accuracy)
    assert [row[0] for row in rows] == ["logistic regression (784-10)", "linear hidden units, H = 25",
                                        "linear hidden units, H = 4"]
