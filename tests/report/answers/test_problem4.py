"""Q4.4 opens with its verdict and says, per function and width, whether training falls short of the even-grid
construction on every seed (more than SHORT_FACTOR times its error), beats it on every seed, or neither, where the
seeds spread, and that its training recipe was fixed, not tuned; Q4.5 opens with its verdict."""

from tests.report.answers.schema import current_records
from tfsheet.experiments.registry import P4
from tfsheet.report.answers import problem4


def _rows(records):
    return records[P4.name]["results"]["q4_4"]


def _sine(records):
    return next(row for row in _rows(records) if row["function"].startswith("sin"))


def _sentence(text):
    return text[text.index("Universality says"):]


def test_training_falls_short_exactly_where_its_error_exceeds_the_constructions_by_the_factor(tmp_path):
    records = current_records()
    for row in _rows(records):
        grid = {point["width"]: point["max_error"] for point in row["uniform"]}
        for point in row["trained"]:
            point["max_error"] = grid[point["width"]]            # as good as the grid everywhere
            point["all"] = [point["max_error"]] * 3
    sine = _sine(records)
    assert problem4.construction_findings(sine).verdict is False
    assert "Training from random weights got within reach of the construction" in problem4.answer_4_4(records, tmp_path).text
    grid = {point["width"]: point["max_error"] for point in sine["uniform"]}
    first = sine["trained"][0]
    first["max_error"] = 1.01 * problem4.SHORT_FACTOR * grid[first["width"]]
    first["all"] = [first["max_error"]] * 3
    assert problem4.construction_findings(sine).reading(f"{first['width']} units") is True
    text = problem4.answer_4_4(records, tmp_path).text
    assert f"sin(2 pi x): short at {first['width']} units, within {problem4.SHORT_FACTOR:g}× at" in _sentence(text)
    assert f"at some widths for 1 of {len(_rows(records))} functions" in text


def test_short_is_read_on_every_seed_not_on_the_median(tmp_path):
    records = current_records()
    sine = _sine(records)
    grid = {point["width"]: point["max_error"] for point in sine["uniform"]}
    first = sine["trained"][0]
    limit = problem4.SHORT_FACTOR * grid[first["width"]]
    first["all"] = [0.9 * grid[first["width"]], 1.5 * limit, 1.6 * limit]     # the median is short, one seed is not
    first["max_error"] = 1.5 * limit
    assert problem4.construction_findings(sine).reading(f"{first['width']} units") is False
    assert f"within {problem4.SHORT_FACTOR:g}× at {first['width']}" in _sentence(problem4.answer_4_4(records, tmp_path).text)
    first["all"] = [1.01 * limit, 1.5 * limit, 1.6 * limit]                  # every seed short
    assert problem4.construction_findings(sine).reading(f"{first['width']} units") is True
    assert problem4.construction_findings(sine).rule.reason.startswith(
        "training falls short at a width when every seed's largest error")


def test_the_training_recipe_is_said_fixed_not_tuned_and_read_from_the_config(tmp_path):
    records = current_records()
    config = records[P4.name]["config"]
    config.update(learning_rate=0.02, epochs=1234, samples=999)
    text = problem4.answer_4_4(records, tmp_path).text
    assert ("Training used one fixed recipe (Adam at rate 0.02, 1,234 epochs, 999 evenly spaced points, squared loss, "
            "3 seeds), not tuned on validation, so \"falls short\" is about this recipe, not about what gradient "
            "descent can find") in text


def test_every_function_gets_its_own_reading_not_only_the_sine(tmp_path):
    records = current_records()
    rows = _rows(records)
    last = rows[-1]
    grid = {point["width"]: point["max_error"] for point in last["uniform"]}
    for point in last["trained"]:                              # beats the grid on every seed at every width
        point["all"] = [0.5 * grid[point["width"]]] * 3
        point["max_error"] = 0.5 * grid[point["width"]]
    sentence = _sentence(problem4.answer_4_4(records, tmp_path).text)
    for row in rows:
        assert f"{row['function'].replace('|', chr(92) + '|')}: " in sentence, row["function"]
    widths = ", ".join(str(point["width"]) for point in last["trained"])
    assert f"{last['function']}: below the grid's error on every seed at {widths} units" in sentence
    assert len(problem4.findings_4_4(records)) == len(rows)


def test_the_trained_column_is_the_median_over_the_seeds_with_its_range_and_a_wide_spread_is_said(tmp_path):
    records = current_records()
    for row in _rows(records):                                  # every width's seeds close together...
        for point in row["trained"]:
            point["all"] = [point["max_error"]] * 3
    sine = _sine(records)
    point = sine["trained"][1]                                  # ...but one
    point["all"] = [0.01, 0.05, 0.02]
    point["max_error"] = 0.02
    widest = sine["trained"][-1]
    widest["all"], widest["max_error"] = [0.011, 0.012, 0.013], 0.012
    text = problem4.answer_4_4(records, tmp_path).text
    assert "trained: max error, the median of 3 seeds (min to max)" in text
    assert "1.2e-02 (1.1e-02 to 1.3e-02) at" in text
    assert f"seeds more than {problem4.SPREAD_FACTOR:g}× apart at {point['width']} units" in _sentence(text)


def test_one_seed_is_called_one_seed_not_a_median(tmp_path):
    records = current_records()
    for row in _rows(records):
        for point in row["trained"]:
            point["all"] = [point["max_error"]]
    text = problem4.answer_4_4(records, tmp_path).text
    assert "trained: max error, one seed |" in text and "median" not in _sentence(text)


def test_q4_4_and_q4_5_open_with_their_verdicts(tmp_path):
    records = current_records()
    q4_4 = problem4.answer_4_4(records, tmp_path).text.split("\n\n")[0]
    assert q4_4.startswith("**Yes: $f$ is uniformly continuous") and q4_4.count(". ") + 1 <= 3
    q4_5 = problem4.answer_4_5(records, tmp_path).text
    assert q4_5.startswith("**Yes to both") and "however many hidden units it has" in q4_5.split("**")[1]
