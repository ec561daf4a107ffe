"""The command line answers bad input with a usage error or a one-line message, never a traceback."""

import os
import subprocess
import sys

import pytest

from tfsheet.cli import main


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "must be an integer >= 1"),
    (["--epochs", "ten"], "must be an integer"),
    (["--learning-rate", "-0.1"], "must be a finite number > 0"),
    (["--learning-rate", "nan"], "must be a finite number > 0"),
    (["--seed", "-1"], "must be an integer >= 0"),
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


def test_missing_data_is_one_clear_line(tmp_path):
    environment = {**os.environ, "TFSHEET_DATA_DIR": str(tmp_path / "nowhere"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    completed = subprocess.run([sys.executable, "-m", "tfsheet.cli", "train-softmax-regression", "--no-export",
                                "--log-dir", str(tmp_path / "run")], capture_output=True, text=True,
                               env=environment, timeout=300)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "tfsheet: error: MNIST file not found" in completed.stderr and "TFSHEET_DATA_DIR" in completed.stderr


@pytest.mark.parametrize("command, choices", [("problem2", ("sweep", "appended", "direct")),
                                              ("problem5.1", ("shakespeare", "probe", "copy"))])
def test_experiment_lists_default_to_all_and_refuse_unknown_names(command, choices, capsys):
    from tfsheet.cli import build_parser

    parser = build_parser()
    assert parser.parse_args([command]).experiments == []            # all of them
    assert parser.parse_args([command, choices[1]]).experiments == [choices[1]]
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([command, "everything"])
    assert exit_info.value.code == 2 and "invalid choice: 'everything'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["problem3", "problem4", "problem5.2", "export", "serving-config",
                                     "train-softmax-regression"])
def test_every_command_parses_its_defaults(command):
    from tfsheet.cli import build_parser

    assert build_parser().parse_args([command]).handler
