"""Every exportable model's card reads its test metric from its run's record, as written or as held in memory."""

import json

import pytest

from tests.report.committed import COMMITTED_REPORTS, results
from tfsheet.experiments.registry import exporters
from tfsheet.serving.model_card import card, metric_on_test, write_card, write_model_card


@pytest.mark.parametrize("scale", list(COMMITTED_REPORTS))
@pytest.mark.parametrize("model", list(exporters()))
def test_a_card_reads_the_same_metric_from_a_record_in_memory_and_as_written(model, scale):
    experiment = exporters()[model]
    written = json.loads((COMMITTED_REPORTS[scale] / "results" / f"{experiment.name}.json").read_text())
    in_memory = {**written, "results": results(scale, experiment)}          # Seeded numbers typed, as a run holds them
    assert card(model, in_memory) == card(model, written)
    assert card(model, written)["test"] == metric_on_test(model, written["results"]) and "nan" not in card(model, written)["test"]


def test_the_model_card_lists_versions_newest_first_and_one_without_a_card_as_such(tmp_path):
    written = json.loads((COMMITTED_REPORTS["default"] / "results" / "P1.json").read_text())
    for version in ("1", "2"):
        (tmp_path / "softmax_regression" / version).mkdir(parents=True)
    write_card(tmp_path / "softmax_regression" / "2", card("softmax_regression", written))
    page = write_model_card(tmp_path / "softmax_regression").read_text()
    assert page.index("## Version 2") < page.index("## Version 1")
    assert "Published without a card" in page.split("## Version 1")[1]
    assert f"test accuracy {written['results']['test_accuracy']:.4f}" in page.split("## Version 1")[0]


@pytest.mark.parametrize("damage", ["[1, 2]", "{not json", '{"what": 3}'])
def test_a_damaged_card_is_named_in_the_model_card_and_the_others_still_show(tmp_path, damage):
    written = json.loads((COMMITTED_REPORTS["default"] / "results" / "P1.json").read_text())
    for version in ("1", "2"):
        (tmp_path / "softmax_regression" / version).mkdir(parents=True)
        write_card(tmp_path / "softmax_regression" / version, card("softmax_regression", written))
    (tmp_path / "softmax_regression" / "1" / "assets.extra" / "card.json").write_text(damage)
    page = write_model_card(tmp_path / "softmax_regression").read_text()
    assert "Its card, 1/assets.extra/card.json, is damaged" in page.split("## Version 1")[1]
    assert f"test accuracy {written['results']['test_accuracy']:.4f}" in page.split("## Version 1")[0]


def test_the_cards_command_carries_the_settings_of_the_experiments_the_model_was_read_from():
    written = json.loads((COMMITTED_REPORTS["default"] / "results" / "P2_appended.json").read_text())
    search = {"settings": {"num_hidden": "64"}}
    assert card("mlp_onehot", written, [search])["command"].endswith("--set num_hidden=64")
