"""Hyperparameters are chosen on validation data by a recorded grid search that survives a diverging candidate."""

import math

import pytest

from tfsheet.errors import NonFiniteLossError
from tfsheet.training.search import choose, grid


def test_grid_is_every_combination_in_order():
    assert grid(learning_rate=(1e-3, 3e-3), clip_norm=(0.0, 1.0)) == [
        {"learning_rate": 1e-3, "clip_norm": 0.0}, {"learning_rate": 1e-3, "clip_norm": 1.0},
        {"learning_rate": 3e-3, "clip_norm": 0.0}, {"learning_rate": 3e-3, "clip_norm": 1.0}]
    with pytest.raises(ValueError, match="clip_norm"):
        grid(learning_rate=(1e-3,), clip_norm=())


def test_choose_keeps_the_lowest_validation_loss_and_records_every_candidate():
    losses = {1: 2.0, 2: 1.5, 3: 1.7}
    search = choose(grid(rate=(1, 2, 3)), lambda settings: losses[settings["rate"]])
    assert search["chosen"] == {"rate": 2} and search["split"] == "validation"
    assert [row["validation_nats"] for row in search["tried"]] == [2.0, 1.5, 1.7]


def test_a_diverging_candidate_scores_infinity_and_the_search_goes_on():
    def nats(settings):
        if settings["rate"] > 1:
            raise NonFiniteLossError("loss became NaN")
        return float("nan") if settings["rate"] == 1 else 0.9

    search = choose(grid(rate=(0.5, 1, 10)), nats)
    assert search["chosen"] == {"rate": 0.5}
    assert [math.isinf(row["validation_nats"]) for row in search["tried"]] == [False, True, True]
    with pytest.raises(NonFiniteLossError, match="every candidate"):
        choose(grid(rate=(10, 20)), nats)


def test_a_score_may_be_maximised_and_carry_extras_into_the_choice():
    accuracy = {0.05: (0.91, 7), 0.1: (0.93, 9), 0.2: (0.92, 4)}
    search = choose(grid(learning_rate=(0.05, 0.1, 0.2)),
                    lambda s: {"validation_accuracy": accuracy[s["learning_rate"]][0],
                               "epochs": accuracy[s["learning_rate"]][1]},
                    metric="validation_accuracy", maximize=True)
    assert search["chosen"] == {"learning_rate": 0.1, "epochs": 9}
    assert search["metric"] == "validation_accuracy" and len(search["tried"]) == 3
