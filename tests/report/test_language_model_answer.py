"""The language model's "where it stands" paragraph follows its results: it says whether the test loss reaches the
bar, and names only the remedies the results point to."""

import copy

import pytest

from tests.report import committed
from tfsheet.experiments.registry import P5_1_LANGUAGE_MODEL, P5_1_SHAKESPEARE
from tfsheet.report.answers import problem5
from tfsheet.results import Seeded


@pytest.fixture
def results():
    """The committed default report's language model and n-gram grid, for editing."""
    return (copy.deepcopy(committed.results("default", P5_1_LANGUAGE_MODEL)),
            committed.results("default", P5_1_SHAKESPEARE))


def stands(lm, grid):
    return problem5._where_it_stands(lm, "gru", grid)


def set_test_loss(lm, nats):
    lm["cells"]["gru"]["nats"]["test"] = Seeded.constant(nats)


def test_a_test_loss_at_the_bar_is_said_to_reach_it_and_needs_no_remedies(results):
    lm, grid = results
    set_test_loss(lm, problem5.TEST_TARGET_NATS)
    text = stands(lm, grid)
    assert "reaches that bar" in text and "point to" not in text


def test_a_test_loss_above_the_bar_lists_what_the_results_point_to(results):
    lm, grid = results
    set_test_loss(lm, problem5.TEST_TARGET_NATS + 0.1)
    text = stands(lm, grid)
    assert "does not yet" in text and "more capacity" in text and "learning from the text while reading" in text


def test_a_rate_at_the_top_of_the_grid_is_named_as_a_remedy_and_one_inside_it_is_not(results):
    lm, grid = results
    set_test_loss(lm, problem5.TEST_TARGET_NATS + 0.1)
    search = lm["cells"]["gru"]["search"]
    rates = sorted({tried["learning_rate"] for tried in search["tried"]})
    search["chosen"]["learning_rate"] = rates[-1]
    assert "learning rates above" in stands(lm, grid)
    search["tried"].append(dict(search["tried"][0], learning_rate=rates[-1] * 10))
    assert "learning rates above" not in stands(lm, grid)


def test_a_longer_run_is_a_remedy_only_while_the_validation_loss_still_falls(results):
    lm, grid = results
    set_test_loss(lm, problem5.TEST_TARGET_NATS + 0.1)
    runs = lm["cells"]["gru"]["runs"]
    for run in runs:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"] - 0.05
    assert "a longer run" in stands(lm, grid)
    for run in runs:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"]
    text = stands(lm, grid)
    assert "levelled off" in text and "a longer run" not in text
