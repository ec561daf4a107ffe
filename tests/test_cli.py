"""The command line answers bad input with a usage error or a one-line message, never a traceback,
and answers --help without starting TensorFlow."""

import errno
import json
import os
import pathlib
import signal
import subprocess
import sys

import pytest

from tfsheet.cli import build_parser, main


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "epochs must be an int >= 1"),
    (["--epochs", "ten"], "epochs must be an integer"),
    (["--learning-rate", "-0.1"], "learning_rate must be a non-empty tuple of finite numbers > 0"),
    (["--learning-rate", "nan"], "learning_rate must be a non-empty tuple of finite numbers > 0"),
    (["--seed", "-1"], "seed must be an int >= 0"),
    (["--preset", "huge"], "invalid choice"),
    (["--unknown"], "unrecognized arguments"),
])
def test_invalid_flags_are_usage_errors(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train-softmax-regression", *flags])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_unknown_command(capsys):
    with pytest.raises(SystemExit):
        main(["train-everything"])
    assert "invalid choice" in capsys.readouterr().err


def test_help_does_not_import_tensorflow():
    code = ("import sys; from tfsheet.cli import build_parser; build_parser().format_help(); "
            "print('tensorflow' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "False", completed.stderr


def test_missing_data_is_one_clear_line(tmp_path):
    environment = {**os.environ, "TFSHEET_DATA_DIR": str(tmp_path / "nowhere"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    completed = subprocess.run([sys.executable, "-m", "tfsheet", "train-softmax-regression", "--no-export",
                                "--log-dir", str(tmp_path / "run")], capture_output=True, text=True,
                               env=environment, timeout=300)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "FAILED" in completed.stderr and "MNIST file not found" in completed.stderr
    assert "TFSHEET_DATA_DIR" in completed.stderr


@pytest.mark.parametrize("command, choices", [("problem2", ("sweep", "appended", "direct")),
                                              ("problem5.1", ("shakespeare", "probe", "copy"))])
def test_experiment_parts_default_to_all_and_refuse_unknown_names(command, choices, capsys):
    parser = build_parser()
    assert parser.parse_args([command]).parts == []            # all of them
    assert parser.parse_args([command, choices[1]]).parts == [choices[1]]
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([command, "everything"])
    assert exit_info.value.code == 2 and "invalid choice: 'everything'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["report", "problem1", "problem2", "problem3", "problem4", "problem5.1",
                                     "problem5.2", "export", "serving-config", "train-softmax-regression"])
def test_every_command_parses_its_defaults(command):
    assert build_parser().parse_args([command]).handler


def test_the_problem_commands_name_each_of_their_questions_once():
    text = " ".join(build_parser().format_help().split())        # argparse wraps the lines
    assert "Problem 2 (questions 2.1, 2.2, 2.3):" in text
    assert "Problem 5.1 (question 5.1):" in text and "Problem 1 (question 1):" in text


def test_a_report_compared_with_a_folder_without_results_is_a_one_line_error(tmp_path, capsys):
    code = main(["report", "--scale", "quick", "--out", str(tmp_path / "out"), "--compare-with", str(tmp_path),
                 "--only", "P4"])
    assert code == 1 and "tfsheet: error: --compare-with" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()                       # refused before anything is written


@pytest.mark.parametrize("text, message", [("[]", "results/P1.json is not a results record tfsheet wrote"),
                                           ('{"x": 1}', "results/P1.json is not a results record tfsheet wrote"),
                                           ("{bad", "results/P1.json is unreadable (Expecting property name")])
def test_a_report_compared_with_a_results_file_that_is_not_a_record_is_a_one_line_error(tmp_path, capsys, text,
                                                                                         message):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "P1.json").write_text(text)
    code = main(["report", "--scale", "quick", "--out", str(tmp_path / "out"), "--compare-with", str(tmp_path),
                 "--only", "P4"])
    error = capsys.readouterr().err
    assert code == 1 and message in error and "Traceback" not in error


@pytest.mark.parametrize("arguments", [
    ["report", "--out", ""], ["report", "--export-dir", " "], ["problem4", "--workdir", ""],
    ["export", "--export-dir", ""], ["serving-config", "--base-path", ""], ["train-softmax-regression", "--log-dir", ""],
    ["report", "--compare-with", ""],
])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(arguments, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    error = capsys.readouterr().err
    assert exit_info.value.code == 2 and "an empty path" in error
    assert ("made if missing" in error) == (arguments[1] not in ("--base-path", "--compare-with"))   # read, not made
    assert list(tmp_path.iterdir()) == []                         # nothing written where the user stands


@pytest.mark.parametrize("arguments, message", [
    (["problem2", "sweep", "--seeds", "0,,1"], "seeds has an empty item"),
    (["problem2", "search", "--seed", str(2**70)], "seed must be at most 2147483647"),
    (["problem5.2", "--online-seeds", f"0,{2**31}"], "online_seeds must be at most"),
    (["problem1", "--train-examples", "1000000000"], "train_examples must be at most 55,000"),
    (["problem1", "--epochs", "3", "--set", "epochs=4"], "conflicting values for epochs"),
    (["problem2", "search", "--output-activation", "bogus"], "output_activation must be one of"),
    (["problem4", "--learning-rate", "0"], "learning_rate must be a finite number > 0"),
])
def test_values_that_would_be_quietly_wrong_are_usage_errors(arguments, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, "--workdir", str(tmp_path / "run")])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_a_report_exports_inside_its_own_folder_and_writes_nothing_where_the_user_stands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TFSHEET_SAVED_MODELS", raising=False)
    assert main(["report", "--scale", "quick", "--only", "P1", "--out", "out"]) == 0
    assert (tmp_path / "out" / "saved_models" / "softmax_regression" / "1" / "saved_model.pb").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]     # no ./saved_models beside it


def test_ctrl_c_is_one_line_that_says_how_to_resume_and_leaves_only_whole_files(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([sys.executable, "-m", "tfsheet", "report", "--scale", "quick", "--only", "P1",
                                "--out", str(tmp_path / "out"), "--no-export"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for line in process.stdout:                       # wait until it is training
        if "P1: running" in line:
            break
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    said = [line for line in stderr.splitlines() if line.strip() and "absl" not in line and "E0000" not in line]
    assert len(said) == 1 and "interrupted" in said[0] and "run the same command again" in said[0], stderr
    assert "Traceback" not in stderr
    assert not list((tmp_path / "out").rglob("*.tmp*"))        # nothing half-written


def test_a_full_disk_names_the_fix(monkeypatch, tmp_path, capsys):
    import tfsheet.cli as cli

    def full(args, strategy):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "results.json"))

    monkeypatch.setattr(cli, "_report", full)
    assert main(["report", "--scale", "quick", "--out", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert "No space left on device" in error and "The disk is full (or a file-size limit or quota was reached): free some space" in error
    assert len(error.strip().splitlines()) == 1


def test_an_export_that_fails_half_way_publishes_nothing_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    from tfsheet.experiments.registry import P1
    from tfsheet.runs import runner

    real = runner.run_experiments

    def half_way(*args, **kwargs):
        outcomes = real(*args, **{**kwargs, "experiments": (P1,)})          # exports softmax_regression...
        assert list(pathlib.Path(kwargs["export_root"]).rglob("saved_model.pb"))
        return [*outcomes, runner.Outcome("P4", "failed", 0.0, tmp_path / "P4.json", {"error": "stopped"})]  # ...then fails

    monkeypatch.setattr(runner, "run_experiments", half_way)
    root = tmp_path / "published"
    (root / "softmax_regression" / "1").mkdir(parents=True)
    (root / "models.config").write_text("as it was")
    before = sorted(path.relative_to(root).as_posix() for path in root.rglob("*"))
    assert main(["export", "softmax_regression", "--scale", "quick", "--export-dir", str(root),
                 "--workdir", str(tmp_path / "work")]) == 1
    assert sorted(path.relative_to(root).as_posix() for path in root.rglob("*")) == before
    assert (root / "models.config").read_text() == "as it was"


def test_exporting_one_model_publishes_that_model_only(tmp_path):
    root = tmp_path / "published"
    assert main(["export", "relu_ramp", "--scale", "quick", "--export-dir", str(root),
                 "--workdir", str(tmp_path / "work")]) == 0
    assert sorted(path.name for path in root.iterdir() if path.is_dir()) == ["relu_ramp"]   # not relu_sheet_example
    assert "relu_sheet_example" not in (root / "models.config").read_text()


def test_a_file_size_limit_reached_inside_an_experiment_names_the_fix(tmp_path):
    """ulimit -f stands in for a full disk: the experiment fails in one line that says what to do, no traceback."""
    script = (f"ulimit -f 20; exec {sys.executable} -m tfsheet report --scale quick --only P1 --out {tmp_path / 'out'}"
              " --no-export")
    completed = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
                               preexec_fn=lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN))
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    said = completed.stdout + completed.stderr + (tmp_path / "out" / "index.md").read_text()
    assert "free some space" in said, said[-2000:]


@pytest.mark.parametrize("name, text", [("index.md", "precious notes"), ("results/P1.json", "my data"),
                                         ("results/P1.json", "[1, 2]")])
def test_a_report_never_replaces_a_users_file_in_its_folder(tmp_path, capsys, name, text):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    assert main(["report", "--scale", "quick", "--only", "P1", "--out", str(tmp_path), "--no-export"]) == 1
    assert (tmp_path / name).read_text() == text
    error = capsys.readouterr().err
    assert str(tmp_path / name) in error and "replace" in error and len(error.strip().splitlines()) == 1


def test_train_distributed_refuses_more_mnist_images_than_the_split_holds(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train-distributed", "--workdir", str(tmp_path), "--train-examples", "100000000"])
    assert stop.value.code == 2 and "train_examples must be at most" in capsys.readouterr().err
    assert not (tmp_path / "results.json").exists()


def test_train_distributed_refuses_too_few_characters_for_its_streams_naming_both_settings(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train-distributed", "--workdir", str(tmp_path), "--model", "char_rnn", "--train-examples", "50"])
    error = capsys.readouterr().err
    assert stop.value.code == 2 and "batch_size=128 needs train_examples >= 103" in error
    assert "lower batch_size" in error
    assert not (tmp_path / "results.json").exists()


def test_train_distributed_refuses_a_batch_larger_than_its_images_as_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train-distributed", "--workdir", str(tmp_path), "--train-examples", "1", "--epochs", "1"])
    assert stop.value.code == 2 and "batch_size 128 is larger than train_examples 1" in capsys.readouterr().err


def test_an_export_into_a_root_whose_models_config_is_a_folder_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "root" / "models.config").mkdir(parents=True)
    assert main(["export", "relu_ramp", "--scale", "quick", "--export-dir", str(tmp_path / "root"),
                 "--workdir", str(tmp_path / "work")]) == 1
    assert "models.config is a folder; remove it" in capsys.readouterr().err
    assert not (tmp_path / "work").exists() and not (tmp_path / "root" / "relu_ramp").exists()


def test_every_published_version_carries_a_card_read_from_its_runs_record(tmp_path):
    root, work = tmp_path / "published", tmp_path / "work"
    settings = ["--set", "epochs=1", "--set", "learning_rate=0.1"]
    for _ in range(2):
        assert main(["export", "softmax_regression", "--scale", "quick", "--export-dir", str(root),
                     "--workdir", str(work), *settings]) == 0
    record = json.loads((work / "results" / "P1.json").read_text())
    facts = json.loads((root / "softmax_regression" / "2" / "assets.extra" / "card.json").read_text())
    assert facts["test"].startswith(f"test accuracy {record['results']['test_accuracy']:.4f}")
    assert facts["command"] == "tfsheet export softmax_regression --scale quick --set epochs=1 --set learning_rate=0.1"
    card = (root / "softmax_regression" / "MODEL_CARD.md").read_text()
    assert card.index("## Version 2") < card.index("## Version 1") and facts["test"] in card
    assert "saved_model_cli show --dir softmax_regression/<version>" in card


def test_an_export_interrupted_after_publishing_leaves_each_version_with_its_card(tmp_path, monkeypatch):
    from tfsheet.serving import models_config

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(models_config, "write_serving_config", interrupted)   # Ctrl-C while the config is checked
    root = tmp_path / "published"
    assert main(["export", "softmax_regression", "--scale", "quick", "--set", "epochs=1", "--export-dir", str(root),
                 "--workdir", str(tmp_path / "work")]) == 130
    facts = json.loads((root / "softmax_regression" / "1" / "assets.extra" / "card.json").read_text())
    assert facts["model"] == "softmax_regression"
    assert facts["test"] in (root / "softmax_regression" / "MODEL_CARD.md").read_text()


def test_a_card_that_cannot_be_made_does_not_cost_the_export(tmp_path, monkeypatch, capsys):
    from tfsheet.serving import model_card

    def broken(*args, **kwargs):
        raise KeyError("test_accuracy")

    monkeypatch.setattr(model_card, "card", broken)
    root = tmp_path / "published"
    assert main(["export", "softmax_regression", "--scale", "quick", "--set", "epochs=1", "--export-dir", str(root),
                 "--workdir", str(tmp_path / "work")]) == 0
    assert "softmax_regression is published without its card (KeyError" in capsys.readouterr().err
    assert (root / "softmax_regression" / "1" / "saved_model.pb").is_file()
    assert "Published without a card" in (root / "softmax_regression" / "MODEL_CARD.md").read_text()


def test_an_export_whose_model_folder_is_a_file_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "relu_ramp").write_text("a user's file")
    assert main(["export", "relu_ramp", "--export-dir", str(tmp_path / "published"),
                 "--workdir", str(tmp_path / "work")]) == 1
    assert "relu_ramp is a file, not the folder of relu_ramp's versions" in capsys.readouterr().err
    assert not (tmp_path / "work" / "results").exists()
    assert (tmp_path / "published" / "relu_ramp").read_text() == "a user's file"


def test_an_unusable_saved_models_variable_is_named_not_blamed_on_export_dir(tmp_path, monkeypatch, capsys):
    (tmp_path / "a_file").write_text("")
    monkeypatch.setenv("TFSHEET_SAVED_MODELS", str(tmp_path / "a_file"))
    assert main(["export", "relu_ramp", "--workdir", str(tmp_path / "work")]) == 1
    assert f"$TFSHEET_SAVED_MODELS (the default --export-dir) {tmp_path / 'a_file'} is a file" in capsys.readouterr().err
