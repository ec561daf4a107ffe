"""The strong language model's paragraphs follow their results: each cell is judged against the best n-gram model
by the seed-separated rule, the sheet's tanh cell included, and only the remedies the results point to are named."""

import copy

import pytest

from tests.report import committed
from tfsheet.experiments.registry import P5_1_LANGUAGE_MODEL, P5_1_SHAKESPEARE
from tfsheet.report.answers import problem5
from tfsheet.report.findings import BETTER, NO_EFFECT, WORSE
from tfsheet.results import seeded


@pytest.fixture
def results():
    """The committed default report's language model and n-gram grid, for editing."""
    return (copy.deepcopy(committed.results("default", P5_1_LANGUAGE_MODEL)),
            committed.results("default", P5_1_SHAKESPEARE))


def stands(lm, grid):
    return problem5._where_it_stands(lm, "gru", grid)


def _best_ngram_test(grid):
    return min(problem5._best_ngrams(grid).values(), key=lambda best: best[1])[2]


@pytest.mark.parametrize("offsets, verdict", [((-0.02, -0.01, -0.03), BETTER), ((0.01, 0.02, 0.03), WORSE),
                                              ((-0.01, 0.01, 0.0), NO_EFFECT)])
def test_every_cell_is_judged_against_the_best_n_gram_by_its_seeds(results, offsets, verdict):
    lm, grid = results
    test = _best_ngram_test(grid)
    for cell in lm["cells"].values():
        cell["nats"]["test"] = seeded([test + offset for offset in offsets], (0, 1, 2))
    findings = problem5.language_model_findings(lm, grid)
    assert len(findings) == len(lm["cells"]) and all(f.reading("test") == verdict for f in findings)
    assert problem5.CELL_AGAINST_NGRAM[verdict] in problem5._language_model(lm, grid)


def test_the_sheets_tanh_cell_is_reported_even_when_the_gru_is_the_better_one(results):
    lm, grid = results
    text = problem5._language_model(lm, grid)
    assert "the tanh (the sheet's) cell scores" in text and "the GRU cell scores" in text


def test_no_uncited_target_is_quoted_and_the_remedies_are_named(results):
    lm, grid = results
    text = stands(lm, grid)
    assert "should reach" not in text and "more capacity" in text and "learning from the text while reading" in text


def test_a_rate_at_the_top_of_the_grid_is_named_as_a_remedy_and_one_inside_it_is_not(results):
    lm, grid = results
    search = lm["cells"]["gru"]["search"]
    rates = sorted({tried["learning_rate"] for tried in search["tried"]})
    search["chosen"]["learning_rate"] = rates[-1]
    assert "learning rates above" in stands(lm, grid)
    search["tried"].append(dict(search["tried"][0], learning_rate=rates[-1] * 10))
    assert "learning rates above" not in stands(lm, grid)


def test_a_longer_run_is_a_remedy_only_while_the_validation_loss_still_falls(results):
    lm, grid = results
    runs = lm["cells"]["gru"]["runs"]
    for run in runs:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"] - 0.05
    assert "a longer run" in stands(lm, grid)
    for run in runs:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"]
    text = stands(lm, grid)
    assert "levelled off" in text and "a longer run" not in text


def test_a_cell_still_improving_in_its_last_pass_is_said_to_be_held_back_by_its_budget(results):
    lm, grid = results
    for run in lm["cells"]["gru"]["runs"]:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"]        # the best cell: levelled
    for run in lm["cells"]["tanh"]["runs"]:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"] - 0.05  # the other: still falling
    assert "The sheet's tanh cell's validation loss still fell by 0.050 nats/char" in stands(lm, grid)
    for run in lm["cells"]["tanh"]["runs"]:
        run["curve"][-1]["validation_nats"] = run["curve"][-2]["validation_nats"]
    assert "still fell by" not in stands(lm, grid)
