"""The report writes every number one way, and a broken number shows as broken rather than vanishing."""

from tfsheet.report import format as fmt
from tfsheet.results import Seeded, seeded


def test_numbers_and_percentages():
    assert fmt.number(1.50349) == "1.503" and fmt.number(2.0, 1) == "2.0"
    assert fmt.number(23526) == "23,526" and fmt.number(1e4) == "10,000"
    assert fmt.percent(0.9832) == "98.32 %" and fmt.percent(0.5, 0) == "50 %"
    assert fmt.scientific(1.4e-15) == "1.4e-15"
    assert fmt.seconds(159.4) == "159 s" and fmt.seconds(6.24) == "6.2 s"


def test_a_missing_or_nan_number_is_written_as_such():
    assert fmt.number(None) == "missing" and fmt.number(float("nan")) == "NaN"
    assert fmt.percent(float("nan")) == "NaN" and fmt.seconds(float("inf")) == "inf"
    assert fmt.seeded(seeded([float("nan"), 1.0], [0, 1])) == "NaN"


def test_a_seeded_number_is_its_mean_and_std_over_seeds_and_a_single_value_its_mean():
    accuracy = seeded([0.98, 0.97, 0.99], [0, 1, 2])
    assert fmt.seeded_percent(accuracy) == "98.00 ± 0.82 %" and fmt.seeded_percent(accuracy, 1) == "98.0 ± 0.8 %"
    assert fmt.seeded(seeded([1.5, 1.7], [0, 1])) == "1.600 ± 0.100"
    assert fmt.seeded(Seeded.constant(2.4957)) == "2.496"
    assert fmt.over_seeds(accuracy) == "mean ± std over 3 seeds" and fmt.over_seeds(Seeded.constant(1.0)) == "one seed"


def test_a_table_is_markdown_with_one_row_per_row():
    assert fmt.table(("n", "bpc"), [(2, "3.600"), (5, "2.190")]).splitlines() == [
        "| n | bpc |", "| --- | --- |", "| 2 | 3.600 |", "| 5 | 2.190 |"]


def test_a_search_says_what_it_tried_and_what_it_chose_on_which_split():
    found = {"split": "validation", "metric": "validation_accuracy",
             "tried": [{"learning_rate": 0.001, "validation_accuracy": 0.97},
                       {"learning_rate": 0.003, "validation_accuracy": 0.98}],
             "chosen": {"learning_rate": 0.003, "epochs": 17}}
    text = fmt.search(found, lambda settings: f"Adam {settings['learning_rate']:g}")
    assert text == ("chosen on the validation split: Adam 0.003, 17 epochs (tried Adam 0.001: 97.00 %; "
                    "Adam 0.003: 98.00 %; validation accuracy)")


def test_a_bar_in_a_table_cell_does_not_end_the_cell():
    from tfsheet.report.html import markdown_to_html

    text = fmt.table(("function", "verdict"), [("|x - 1/3|", "holds")])
    assert "<td>|x - 1/3|</td>" in markdown_to_html(text, ".", "t").replace("\n", "")
