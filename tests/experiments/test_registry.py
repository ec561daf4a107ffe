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
    assert record["outputs"] == {"workdir": "runs/P9_toy"}   # inside the folder; it logs nothing to TensorBoard
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
    (["report", "--set", "seeds=0,0"], "seeds holds 0 more than once; give each value once"),
    (["report", "--no-export", "--export-dir", "x"], "argument --export-dir: not allowed with argument --no-export"),
    (["problem1", "--set", "epochs=3", "--set", "epochs=4"], "epochs is set twice (3 and 4); give each setting once"),
    (["problem1", "--set", "epochs=1", "--set", "P1.epochs=2"], "epochs=1 and P1.epochs=2 both set P1's epochs"),
    (["report", "--only", "P1", "--set", f"epochs={2**70}"], "epochs must be at most 2147483647 (2**31 - 1) in size"),
])
def test_a_bad_setting_is_a_usage_error_that_says_what_is_valid(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(arguments)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_values_are_parsed_by_the_fields_type():
    config = overrides.apply(configs.Problem51ShakespeareConfig(), {"orders": "2,4", "search_learning_rates": "1e-3",
                                                                      "hidden_size": "8"})
    assert config.orders == (2, 4) and config.search_learning_rates == (1e-3,) and config.hidden_size == 8
    config = overrides.apply(configs.Problem51LanguageModelConfig(), {"lm_cells": "gru", "lm_dropout": "0.1"})
    assert config.lm_cells == ("gru",) and config.lm_dropout == 0.1
    assert overrides.apply(configs.Problem51CopyConfig(), {"copy_distance_factors": "0.5,1"}).copy_distance_factors == (
        0.5, 1.0)
    assert overrides.parse_value("no", bool) is False
    with pytest.raises(ValueError, match="valid settings: orders, hidden_size"):
        overrides.apply(configs.Problem51ShakespeareConfig(), {"order": "2"})


def test_every_preset_of_every_experiment_is_a_valid_config():
    for experiment in registry.EXPERIMENTS:
        assert set(experiment.presets) == set(registry.SCALES)
        for scale in registry.SCALES:
            assert isinstance(experiment.config(scale), experiment.config_class)


def test_the_full_scale_language_model_anneals_its_learning_rate():
    assert registry.P5_1_LANGUAGE_MODEL.config("full").lm_schedule == "cosine"


@pytest.mark.parametrize("table", [configs.PROBLEM2_SCALES, configs.PROBLEM5_1_SCALES])
def test_every_change_of_a_scale_table_lands_in_some_experiments_config(table):
    classes = {experiment.config_class for experiment in registry.EXPERIMENTS}
    fields = {field.name for config_class in classes for field in dataclasses.fields(config_class)}
    for scale, changes in table.items():
        assert set(changes) <= fields, (scale, set(changes) - fields)


def _keys(settings):
    """{experiment: its cache key} for the whole registry at the default scale with `settings` changed."""
    from tfsheet.runs import cache
    from tfsheet.training.runtime import one_device

    keys = {}
    for experiment in registry.EXPERIMENTS:
        changed = registry.settings_for(experiment, settings)
        keys[experiment.name] = cache.cache_key(cache.key_fields(
            experiment, experiment.config("default", changed), changed, one_device(),
            {needed.name: keys[needed.name] for needed in experiment.needs}))
    return keys


def _changed_value(value):
    if isinstance(value, bool):
        return str(not value)
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value[:1])   # a shorter tuple: still valid
    if isinstance(value, str):
        return value
    return str(value + 1 if isinstance(value, int) else value / 2)


def test_a_setting_moves_the_keys_of_exactly_the_experiments_that_read_it_and_those_needing_them():
    before = _keys({})
    for experiment in registry.EXPERIMENTS:
        defaults = experiment.config("default")
        for field in dataclasses.fields(defaults):
            value = getattr(defaults, field.name)
            text = _changed_value(value)
            if isinstance(value, str) or (isinstance(value, tuple) and len(value) == 1):
                continue                                      # no other valid value to try without knowing it
            after = _keys({field.name: text})
            moved = {name for name in before if before[name] != after[name]}
            readers = {other.name for other in registry.EXPERIMENTS
                       if field.name in {f.name for f in dataclasses.fields(other.config_class)}}
            readers |= {other.name for other in registry.EXPERIMENTS if any(n.name in readers for n in other.needs)}
            assert moved == readers, (field.name, moved, readers)
            assert experiment.name in moved


def _config_reads():
    """{(module, top-level function): the config fields it reads, itself or through the functions it calls}:
    attribute reads of a name `config` or `seeded`, followed into the functions of tfsheet/experiments that a
    call hands `config` or `seeded` to."""
    import ast
    import pathlib

    folder = pathlib.Path(registry.__file__).parent
    functions, imported = {}, {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported[path.stem] = {alias.asname or alias.name: (node.module.rsplit(".", 1)[1], alias.name)
                               for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
                               and node.module.startswith("tfsheet.experiments.") for alias in node.names}
        functions.update({(path.stem, node.name): node for node in tree.body if isinstance(node, ast.FunctionDef)})

    def reads(module, name, seen):
        if (module, name) in seen or (module, name) not in functions:
            return set()
        seen.add((module, name))
        found = set()
        for node in ast.walk(functions[(module, name)]):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in (
                    "config", "seeded"):
                found.add(node.attr)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and any(
                    isinstance(argument, ast.Name) and argument.id in ("config", "seeded")
                    for argument in [*node.args, *(keyword.value for keyword in node.keywords)]):
                callee = node.func.id           # followed only when it is given this experiment's config
                target = (module, callee) if (module, callee) in functions else imported[module].get(callee)
                if target:
                    found |= reads(*target, set(seen))
        return found

    return lambda module, name: reads(module, name, set())


@pytest.mark.parametrize("experiment, module, function", [
    (registry.P2_SWEEP, "problem2", "run_sweep"), (registry.P2_APPENDED, "problem2", "run_appended"),
    (registry.P2_DIRECT, "problem2", "run_direct"), (registry.P2_SEARCH, "problem2_search", "run"),
    (registry.P5_1_SHAKESPEARE, "problem5_1", "run_shakespeare"), (registry.P5_1_PROBE, "problem5_1", "run_probe"),
    (registry.P5_1_COPY, "problem5_1", "run_copy"), (registry.P5_1_LANGUAGE_MODEL, "problem5_1_lm", "run")])
def test_each_config_holds_exactly_the_fields_its_experiment_reads(experiment, module, function):
    fields = {field.name for field in dataclasses.fields(experiment.config_class)}
    assert _config_reads()(module, function) == fields
