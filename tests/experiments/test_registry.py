"""One typed registry: every command, the export list and the report derive from it, and every setting
can be changed the same way, checked, recorded and part of the cache key."""

import dataclasses
import json

import pytest

from tfsheet import cli
from tfsheet.errors import TfsheetError
from tfsheet.experiments import configs, overrides, registry
from tfsheet.runs import ALL, CHANGED
from tfsheet.runs.runner import run_experiments


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    steps: int = 3           # a toy needs few
    scale: float = 0.5       # multiplies the answer
    seeds: tuple[int, ...] = (0, 1)

    def __post_init__(self):
        if self.steps < 1:
            raise ValueError(f"steps must be an int >= 1. Received: steps={self.steps!r}")


def _toy_run(config, workdir, runtime, export_root=None):
    return {"answer": config.steps * config.scale, "seeds": list(config.seeds),
            "strategy_replicas": runtime.strategy.num_replicas_in_sync}


TOY = registry.Experiment("P9", "toy", ("9.1",), {scale: ToyConfig() for scale in registry.SCALES}, _toy_run,
                          exports=("toy_model",), estimated_seconds={"quick": 1, "default": 1, "full": 1})
EXPERIMENTS = (*registry.select(["P1"]), TOY)


def test_a_registered_experiment_gets_a_command_an_export_entry_and_a_report_record(tmp_path, capsys):
    parser = cli.build_parser(EXPERIMENTS)
    assert parser.parse_args(["problem9", "toy", "--steps", "5"]).field_steps == "5"
    assert registry.exporters(EXPERIMENTS)["toy_model"] is TOY
    assert parser.parse_args(["export", "toy_model"]).models == ["toy_model"]
    assert registry.for_question("9.1", EXPERIMENTS) == (TOY,)

    arguments = ["problem9", "--workdir", str(tmp_path), "--steps", "4", "--set", "seeds=3", "--set", "scale=0.25"]
    assert cli.main(arguments, EXPERIMENTS) == 0      # `scale` clashes with --scale: it is reached by --set
    summary = json.loads(capsys.readouterr().out)
    record = json.loads(open(summary["results"]["P9_toy"]).read())
    assert record["results"]["answer"] == 1.0 and record["results"]["seeds"] == [3]
    assert record["settings"] == {"steps": "4", "seeds": "3", "scale": "0.25"} and record["config"]["steps"] == 4
    assert record["outputs"] == {"workdir": "runs/P9_toy", "tensorboard": "tensorboard/P9_toy"}   # inside the folder
    assert (tmp_path / record["outputs"]["workdir"]).is_dir()
    assert "P9_toy" in (tmp_path / "index.md").read_text()           # the report's header lists every record


def test_settings_change_only_the_experiments_that_have_them_and_are_part_of_the_key(tmp_path):
    p1 = registry.select(["P1"])[0]
    assert registry.settings_for(p1, {"epochs": "2", "P2.epochs": "9", "steps": "4"}) == {"epochs": "2"}
    assert registry.settings_for(TOY, {"P9.steps": "4", "P1.steps": "8"}) == {"steps": "4"}
    outcomes = run_experiments("quick", tmp_path, experiments=(TOY,), settings={"steps": "6"})
    assert outcomes[0].record["results"]["answer"] == 3.0
    again = run_experiments("quick", tmp_path, experiments=(TOY,), settings={"steps": "6"})
    assert again[0].status == "cached"
    with pytest.raises(TfsheetError, match="steps 6 -> 7"):   # other settings would replace its results: refused
        run_experiments("quick", tmp_path, experiments=(TOY,), settings={"steps": "7"})
    changed = run_experiments("quick", tmp_path, experiments=(TOY,), settings={"steps": "7"}, replace=CHANGED)
    assert changed[0].status == "ran" and changed[0].record["key"] != outcomes[0].record["key"]


def test_restart_replaces_only_the_changed_experiments_and_force_reruns_all(tmp_path):
    other = dataclasses.replace(TOY, part="other")
    run_experiments("quick", tmp_path, experiments=(TOY, other), settings={"P9_toy.steps": "6"})
    restarted = run_experiments("quick", tmp_path, experiments=(TOY, other), settings={"P9_toy.steps": "7"},
                                replace=CHANGED)
    assert [outcome.status for outcome in restarted] == ["ran", "cached"]
    forced = run_experiments("quick", tmp_path, experiments=(TOY, other), settings={"P9_toy.steps": "7"}, replace=ALL)
    assert [outcome.status for outcome in forced] == ["ran", "ran"]
    with pytest.raises(ValueError, match="replace must be one of"):
        run_experiments("quick", tmp_path, experiments=(TOY,), replace="yes")


@pytest.mark.parametrize("arguments, message", [
    (["report", "--set", "epoch=3"], "unknown setting 'epoch'"),
    (["report", "--only", "P1", "--set", "hidden_sizes=4"], "valid settings: batch_size, epochs"),
    (["report", "--set", "epochs"], "a setting must be written field=value"),
    (["report", "--set", "epochs=three"], "epochs must be an integer. Received: epochs='three'"),
    (["problem1", "--epochs", "0"], "epochs must be an int >= 1. Received: epochs=0"),
    (["problem1", "--learning-rate", "nan"], "learning_rate must be a non-empty tuple of finite numbers > 0"),
    (["problem2", "--seeds", "0,x"], "seeds must be an integer"),
    (["report", "--set", "lm_schedule=linear"], "lm_schedule must be one of constant, cosine"),
    (["train-softmax-regression", "--epochs", "ten"], "epochs must be an integer"),
    (["train-distributed", "--workdir", "w", "--model", "resnet"], "unknown model 'resnet'"),
])
def test_a_bad_setting_is_a_usage_error_that_says_what_is_valid(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(arguments)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_values_are_parsed_by_the_fields_type():
    config = overrides.apply(configs.Problem51Config(), {"orders": "2,4", "copy_distance_factors": "0.5,1",
                                                           "search_learning_rates": "1e-3", "hidden_size": "8",
                                                           "lm_cells": "gru", "lm_dropout": "0.1"})
    assert config.orders == (2, 4) and config.copy_distance_factors == (0.5, 1.0)
    assert config.search_learning_rates == (1e-3,) and config.hidden_size == 8
    assert config.lm_cells == ("gru",) and config.lm_dropout == 0.1
    assert overrides.parse_value("no", bool) is False
    with pytest.raises(ValueError, match="valid settings: orders, hidden_size"):
        overrides.apply(configs.Problem51Config(), {"order": "2"})


def test_every_preset_of_every_experiment_is_a_valid_config():
    for experiment in registry.EXPERIMENTS:
        assert set(experiment.presets) == set(registry.SCALES)
        for scale in registry.SCALES:
            assert isinstance(experiment.config(scale), experiment.config_class)


def test_the_full_scale_language_model_anneals_its_learning_rate():
    assert configs.PROBLEM5_1_PRESETS["full"].lm_schedule == "cosine"
