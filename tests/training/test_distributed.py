"""The engine under tf.distribute, and training that survives SIGKILL and SIGTERM.

Each test starts real processes: MirroredStrategy over 2 logical CPU devices (they must be made
before TensorFlow starts), two MultiWorkerMirroredStrategy workers on 127.0.0.1 with their own
TF_CONFIG, and training runs killed part-way and started again.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.conftest import REPOSITORY

TRAIN = [sys.executable, str(REPOSITORY / "scripts" / "train_distributed.py")]
LAUNCH = [sys.executable, str(REPOSITORY / "scripts" / "launch_workers.py")]
ENVIRONMENT = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPOSITORY)}


def _run(command, timeout=600, **environment):
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPOSITORY,
                          env={**ENVIRONMENT, **environment})


def _weights(path):
    with np.load(path) as stored:
        return [stored[key] for key in stored.files]


@pytest.mark.parametrize("model", ["mlp", "softmax_regression", "char_rnn", "online_rtrl"])
def test_mirrored_on_two_devices_gives_the_weights_of_one_device(model, tmp_path):
    # the one-device path every experiment uses, against MirroredStrategy; MNIST runs end on a batch of
    # one row, which one of the two replicas gets and the other does not
    completed = _run([sys.executable, str(REPOSITORY / "tests" / "training" / "mirrored_vs_one_device.py"),
                      model, str(tmp_path)])
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["replicas"] == [1, 2] and result["steps"][0] == result["steps"][1] > 0
    assert result["losses"][0] == pytest.approx(result["losses"][1], rel=1e-5)
    assert result["max_abs_difference"] < 1e-5 * max(1.0, result["largest_weight"])


def test_two_workers_train_to_identical_weights(tmp_path):
    options = ["--train-examples", "2560", "--num-hidden", "32", "--epochs", "2"]
    completed = _run([*LAUNCH, "--workers", "2", "--timeout", "400", "--", *TRAIN, "--strategy", "multi-worker",
                      "--workdir", str(tmp_path / "two_workers"), *options])
    assert completed.returncode == 0, completed.stdout[-4000:]
    first, second = (_weights(tmp_path / "two_workers" / f"weights-worker{i}.npz") for i in (0, 1))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    results = json.loads((tmp_path / "two_workers" / "results.json").read_text())   # written by the chief only
    assert results["replicas"] == 2 and results["steps"] == 40
    assert sorted(path.name for path in (tmp_path / "two_workers" / "checkpoints").glob("*.index"))[-1] == "ckpt-40.index"
    single = _run([*TRAIN, "--strategy", "default", "--workdir", str(tmp_path / "one"), *options])
    assert single.returncode == 0, single.stderr[-3000:]
    for a, b in zip(first, _weights(tmp_path / "one" / "weights-single.npz")):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_a_worker_that_never_comes_up_is_a_clear_error_not_a_hang(tmp_path):
    config = json.dumps({"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 0}})
    started = time.monotonic()
    completed = _run([*TRAIN, "--strategy", "multi-worker", "--workdir", str(tmp_path)], timeout=300,
                     TF_CONFIG=config, TFSHEET_WORKER_TIMEOUT="5")
    assert completed.returncode != 0 and time.monotonic() - started < 120
    assert "not every worker of the cluster" in completed.stderr and "TFSHEET_WORKER_TIMEOUT" in completed.stderr


SLOW_RUN = ["--strategy", "default", "--num-hidden", "512", "--train-examples", "12800", "--epochs", "4"]


def _reference(tmp_path, options):
    completed = _run([*TRAIN, "--workdir", str(tmp_path / "reference"), *options])
    assert completed.returncode == 0, completed.stderr[-3000:]
    return _weights(tmp_path / "reference" / "weights-single.npz")


def _checkpoint_steps(workdir):
    return sorted(int(path.name[5:-6]) for path in (workdir / "checkpoints").glob("ckpt-*.index"))


def test_killed_with_sigkill_at_a_random_step_then_restarted_ends_bit_identical(tmp_path):
    options = [*SLOW_RUN, "--checkpoint-every", "7"]
    reference = _reference(tmp_path, options)
    workdir = tmp_path / "killed"
    target = random.Random().randrange(7, 300)           # 400 steps in all
    process = subprocess.Popen([*TRAIN, "--workdir", str(workdir), *options], cwd=REPOSITORY, env=ENVIRONMENT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and not (workdir.exists() and _checkpoint_steps(workdir)
                                          and _checkpoint_steps(workdir)[-1] >= target):
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "training finished before it could be killed"
    killed_at = _checkpoint_steps(workdir)[-1]
    assert killed_at < 400
    resumed = _run([*TRAIN, "--workdir", str(workdir), *options])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for a, b in zip(reference, _weights(workdir / "weights-single.npz")):
        np.testing.assert_array_equal(a, b)


def test_sigterm_writes_a_checkpoint_before_exiting_and_the_run_resumes(tmp_path):
    options = [*SLOW_RUN, "--checkpoint-every", "0", "--steps-per-call", "3"]   # checkpoints only at epoch ends
    reference = _reference(tmp_path, options)
    workdir = tmp_path / "stopped"
    process = subprocess.Popen([*TRAIN, "--workdir", str(workdir), *options], cwd=REPOSITORY, env=ENVIRONMENT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None and not (workdir.exists() and _checkpoint_steps(workdir)):
        time.sleep(0.005)
    time.sleep(random.Random().uniform(0.0, 0.3))
    process.send_signal(signal.SIGTERM)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == 143, stderr[-3000:]
    stopped_at = int(stderr.split("Stopped by SIGTERM at step ")[1].split(";")[0])
    assert _checkpoint_steps(workdir)[-1] == stopped_at < 400     # saved where it stopped, mid-epoch as a rule
    resumed = _run([*TRAIN, "--workdir", str(workdir), *options])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for a, b in zip(reference, _weights(workdir / "weights-single.npz")):
        np.testing.assert_array_equal(a, b)


def test_two_workers_resume_from_the_chiefs_checkpoints(tmp_path):
    options = ["--train-examples", "2560", "--num-hidden", "32"]

    def two_workers(workdir, epochs):
        completed = _run([*LAUNCH, "--workers", "2", "--timeout", "400", "--", *TRAIN, "--strategy", "multi-worker",
                          "--workdir", str(workdir), "--epochs", str(epochs), *options])
        assert completed.returncode == 0, completed.stdout[-4000:]
        return [_weights(workdir / f"weights-worker{i}.npz") for i in (0, 1)]

    uninterrupted = two_workers(tmp_path / "straight", 2)
    two_workers(tmp_path / "resumed", 1)                  # stops after epoch 1; only the chief kept checkpoints
    assert _checkpoint_steps(tmp_path / "resumed") == [20]       # the newest alone, once the training finished
    resumed = two_workers(tmp_path / "resumed", 2)        # both workers restore step 20 from the chief's folder
    for worker in (0, 1):
        for a, b in zip(uninterrupted[worker], resumed[worker]):
            np.testing.assert_array_equal(a, b)


def _one_device_mirrored():
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(["/cpu:0"])


def _small_model():
    import keras

    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)])


def _squared(y, outputs):
    import tensorflow as tf

    return tf.reduce_sum(tf.square(outputs - y), axis=-1)


def test_under_a_strategy_a_nan_loss_stops_before_the_update(tmp_path):
    import keras

    from tfsheet.errors import NonFiniteLossError
    from tfsheet.training import ArrayData, TrainConfig, Trainer

    strategy = _one_device_mirrored()
    x = np.ones((64, 6), np.float32)
    x[40] = np.nan                                    # batch 2 of 4 (batch size 16, no shuffle)
    with strategy.scope():
        model = _small_model()
        trainer = Trainer(model, _squared, keras.optimizers.Adam(0.01),
                          TrainConfig(epochs=1, batch_size=16, shuffle=False, checkpoint_every=1, verbose=False),
                          workdir=tmp_path, strategy=strategy)
    with pytest.raises(NonFiniteLossError, match="step 3"):
        trainer.fit(ArrayData(x, np.zeros((64, 2), np.float32)))
    assert int(trainer.step.numpy()) == 2 and _checkpoint_steps(tmp_path)[-1] == 2
    assert all(np.isfinite(np.asarray(v)).all() for v in model.trainable_variables)


def test_a_model_or_optimizer_made_outside_the_scope_is_refused_with_the_fix():
    import keras

    from tfsheet.training import TrainConfig, Trainer

    strategy = _one_device_mirrored()
    outside = keras.optimizers.Adam(0.01)
    with strategy.scope():
        with pytest.raises(ValueError, match="optimizer was created outside the strategy's scope"):
            Trainer(_small_model(), _squared, outside, TrainConfig(verbose=False), strategy=strategy)
    model = _small_model()
    with strategy.scope():
        with pytest.raises(ValueError, match="model's variables were created outside"):
            Trainer(model, _squared, keras.optimizers.Adam(0.01), TrainConfig(verbose=False), strategy=strategy)
        with pytest.raises(ValueError, match="needs that strategy passed explicitly"):
            Trainer(_small_model(), _squared, keras.optimizers.Adam(0.01), TrainConfig(verbose=False))


def test_an_unknown_strategy_or_a_bad_tf_config_is_a_clear_error(monkeypatch):
    from tfsheet.errors import TfsheetError
    from tfsheet.training.distribution import cluster_spec, make_strategy

    with pytest.raises(ValueError, match="valid strategies: default, mirrored, multi-worker"):
        make_strategy("parameter-server")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(TfsheetError, match="needs TF_CONFIG"):
        cluster_spec()
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}')
    with pytest.raises(TfsheetError, match="not a usable cluster description"):
        cluster_spec()
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"index": 0}}')
    with pytest.raises(TfsheetError, match="it has no 'type' entry"):
        cluster_spec()
    for config, message in (('{"worker": ["a:1"]}', "no 'cluster' entry"),
                            ('{"cluster": {"worker": "a:1"}, "task": {"type": "worker", "index": 0}}',
                             "a list of \"host:port\" strings"),
                            ('{"cluster": {"worker": ["a:1", "a:1"]}, "task": {"type": "worker", "index": 0}}',
                             "the cluster repeats one"),
                            ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0.7}}',
                             "must be an int. Received: 0.7"),
                            ('{"cluster": {"worker": ["a:1", "b"]}, "task": {"type": "worker", "index": 0}}',
                             r"must be host:port with a port in 1..65535; these are not: \['b'\]"),
                            ('{"cluster": {"worker": ["http://a:99999"]}, "task": {"type": "worker", "index": 0}}',
                             "these are not")):
        monkeypatch.setenv("TF_CONFIG", config)
        with pytest.raises(TfsheetError, match=message):
            cluster_spec()


@pytest.mark.parametrize("variable, value", [("TFSHEET_LOGICAL_CPUS", "abc"), ("TFSHEET_LOGICAL_CPUS", "0"),
                                             ("TFSHEET_LOGICAL_CPUS", str(2**70)), ("TFSHEET_LOGICAL_CPUS", "100000"),
                                             ("TFSHEET_WORKER_TIMEOUT", "abc"), ("TFSHEET_WORKER_TIMEOUT", "-5"),
                                             ("TFSHEET_WORKER_TIMEOUT", "nan"), ("TFSHEET_WORKER_TIMEOUT", "1e300")])
def test_a_bad_distribution_setting_is_an_error_naming_the_variable(monkeypatch, variable, value):
    from tfsheet.errors import TfsheetError
    from tfsheet.training.distribution import logical_cpus, worker_timeout_seconds

    monkeypatch.setenv(variable, value)
    with pytest.raises(TfsheetError, match=variable):
        logical_cpus() if variable == "TFSHEET_LOGICAL_CPUS" else worker_timeout_seconds()


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_the_launcher_refuses_a_timeout_that_is_not_a_positive_number(timeout):
    completed = subprocess.run([*LAUNCH, "--timeout", timeout, "--", sys.executable, "-c", "pass"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "--timeout must be a finite number of seconds > 0" in completed.stderr


@pytest.mark.parametrize("arguments, message", [
    (["--print-tf-config", "host0"], "'host0' is not HOST:PORT"),
    (["--print-tf-config", "host0:99999"], "a port in 1..65535"),
    (["--print-tf-config", "h:1", "h:1"], "every worker needs its own HOST:PORT"),
    (["--workers", "100000", "--", sys.executable, "-c", "pass"], "--workers must be from 1 to 16"),
    (["--workers", "1", "--", ""], "give the command to run after --"),
    (["--print-tf-config", "ho st:12"], "'ho st:12' is not HOST:PORT"),
    (["--print-tf-config", "h:012345", "h:12345"], "'h:012345' is not HOST:PORT"),
    (["--print-tf-config", "h:1", "--workers", "3", "--", "echo", "hi"], "give one or the other"),
])
def test_the_launcher_refuses_bad_addresses_and_a_command_that_cannot_start_in_one_line(arguments, message):
    completed = subprocess.run([*LAUNCH, *arguments], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and message in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.parametrize("program, status", [("/no/such/program", 127), ("/etc", 126)])
def test_the_launcher_says_a_command_cannot_start_with_a_shells_status(program, status):
    completed = subprocess.run([*LAUNCH, "--workers", "1", "--", program], capture_output=True, text=True, timeout=60)
    assert completed.returncode == status and f"cannot run '{program}'" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("arguments, status, message", [
    (["--timeout", "1", "--", "sleep", "30"], 124, "stopped every worker after --timeout 1 s"),
    (["--", "false"], 1, "a worker exited with status 1"),
    (["--", "sh", "-c", "kill -TERM $$"], 143, "a worker exited with status 143"),
])
def test_the_launcher_says_why_it_stopped_the_workers(arguments, status, message):
    completed = subprocess.run([*LAUNCH, "--workers", "2", *arguments], capture_output=True, text=True, timeout=60)
    assert completed.returncode == status and message in completed.stderr


def test_train_distributed_names_a_workdir_that_is_a_file(tmp_path, capsys):
    from tfsheet.cli import main

    (tmp_path / "a_file").write_text("")
    assert main(["train-distributed", "--workdir", str(tmp_path / "a_file")]) == 1
    assert "--workdir " + str(tmp_path / "a_file") + " is a file, not a folder" in capsys.readouterr().err


def test_commands_that_write_shared_outputs_refuse_several_workers(capsys):
    from tfsheet.cli import main

    assert main(["--strategy", "multi-worker", "report", "--scale", "quick"]) == 2
    assert "runs on one machine" in capsys.readouterr().err


@pytest.mark.slow
def test_the_whole_report_runs_mirrored_over_two_logical_cpus(tmp_path):
    completed = _run([sys.executable, "-m", "tfsheet.cli", "--strategy", "mirrored", "report", "--scale", "quick",
                      "--out", str(tmp_path), "--no-export"], timeout=1800, TFSHEET_LOGICAL_CPUS="2")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    records = [json.loads(path.read_text()) for path in (tmp_path / "results").glob("*.json")]
    from tfsheet.experiments.registry import EXPERIMENTS

    assert len(records) == len(EXPERIMENTS) and {record["strategy"] for record in records} == {"MirroredStrategy x 2"}


def test_a_rerun_with_other_settings_names_them_instead_of_calling_the_checkpoint_unreadable(tmp_path):
    options = ["--train-examples", "1280", "--num-hidden", "16", "--epochs", "1"]
    assert _run([*TRAIN, "--workdir", str(tmp_path), *options]).returncode == 0
    results = (tmp_path / "results.json").read_text()
    changed = _run([*TRAIN, "--workdir", str(tmp_path), *options[:2], "--num-hidden", "32", "--epochs", "1"])
    assert changed.returncode == 1 and "num_hidden 16 -> 32" in changed.stderr
    assert len(changed.stderr.strip().splitlines()) == 1
    fewer = _run([*TRAIN, "--workdir", str(tmp_path), *options[:4], "--epochs", "1"])   # already done: nothing to do
    assert fewer.returncode == 1 and "nothing was trained" in fewer.stderr
    assert (tmp_path / "results.json").read_text() == results                         # left as it was
    more = _run([*TRAIN, "--workdir", str(tmp_path), *options[:4], "--epochs", "2"])    # more epochs: it goes on
    assert more.returncode == 0, more.stderr[-2000:]
    assert json.loads((tmp_path / "results.json").read_text())["steps"] == 2 * json.loads(results)["steps"]


@pytest.mark.parametrize("text", ["[1]", "{bad"])
def test_a_damaged_settings_file_beside_checkpoints_is_named_with_the_fix(tmp_path, text):
    from tfsheet.errors import TfsheetError
    from tfsheet.experiments.configs import DistributedConfig
    from tfsheet.experiments.distributed import SETTINGS_FILE, check_resumable

    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "ckpt-1.index").write_bytes(b"")
    (tmp_path / SETTINGS_FILE).write_text(text)
    with pytest.raises(TfsheetError, match=f"{tmp_path / SETTINGS_FILE} is not the settings file this command writes"):
        check_resumable(DistributedConfig(), tmp_path)


def test_a_runtime_refuses_a_strategy_given_by_name():
    from tfsheet.training import Runtime

    with pytest.raises(TypeError, match=r"strategy must be a tf.distribute.Strategy, such as the one .*make_strategy"):
        Runtime(strategy="default")
