"""Hostile input, surface by surface: every bad input gets a clear error naming the fix (exit status 1 or 2,
no traceback), and nothing is lost or misrecorded: results, checkpoints and SavedModel versions survive."""

import http.server
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from tfsheet import settings
from tfsheet.analysis import universal
from tfsheet.cli import main
from tfsheet.errors import DataError, NonFiniteLossError
from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.models.relu_net import ReluNet
from tfsheet.serving.client import RestClient, ServerError
from tfsheet.serving.export import STALE_SECONDS, export_model, recurrent_language_model_signature
from tfsheet.training import ArrayData, TrainConfig, Trainer, rtrl
from tfsheet.training.engine import HISTORY_FILE

SMALL_P1 = ["--train-examples", "2000", "--epochs", "1", "--learning-rate", "0.1"]


def _cli(argv, capsys):
    """(exit status, stderr) of `tfsheet argv` in this process."""
    try:
        status = main(argv)
    except SystemExit as stop:
        status = stop.code
    return status, capsys.readouterr().err


# -- data files -------------------------------------------------------------------------------------------------------

def test_tfds_without_network_fails_in_seconds_naming_the_offline_setting(monkeypatch, tmp_path):
    from tfsheet.data import mnist

    monkeypatch.delenv(settings.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(settings, "tfds_data_dir", lambda: tmp_path)   # an empty TFDS folder: nothing prepared

    def offline(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", offline)
    mnist._load_cached.cache_clear()
    started = time.perf_counter()
    with pytest.raises(DataError, match=settings.DATA_DIR_ENV) as error:
        mnist.load_mnist("test")
    assert time.perf_counter() - started < 30 and "storage.googleapis.com" in str(error.value)
    mnist._load_cached.cache_clear()


# -- command-line flags -----------------------------------------------------------------------------------------------

def test_an_empty_problem_list_is_a_usage_error(capsys):
    status, err = _cli(["report", "--only", ""], capsys)
    assert status == 2 and "name at least one problem" in err


def test_a_learning_rate_that_diverges_stops_with_the_reason(tmp_path, capsys):
    status, err = _cli(["train-softmax-regression", "--log-dir", str(tmp_path / "run"), "--no-export",
                        "--train-examples", "2000", "--epochs", "2", "--learning-rate", "1e30"], capsys)
    assert status == 1 and "Traceback" not in err
    assert "diverged" in err
    record = json.loads((tmp_path / "run" / "results" / "P1.json").read_text())
    assert record["status"] == "failed" and "diverged" in record["error"]["message"]


def test_a_batch_larger_than_the_data_is_refused():
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    trainer = Trainer(model, lambda y, p: tf.reduce_sum(tf.square(p - y), -1), tf.keras.optimizers.SGD(0.1),
                      TrainConfig(epochs=1, batch_size=99_999_999, verbose=False))
    with pytest.raises(ValueError, match="batch_size 99999999 is larger than the 8 training examples"):
        trainer.fit(ArrayData(np.zeros((8, 2), np.float32), np.zeros((8, 1), np.float32)))


# -- the filesystem ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["report", "--only", "P1", "--out", "{file}"], "--out {file} is a file"),
    (["train-softmax-regression", "--log-dir", "{file}", "--no-export"], "--log-dir {file} is a file"),
    (["train-softmax-regression", "--log-dir", "{tmp}/run", "--export-dir", "{file}"], "--export-dir {file} is a file"),
    (["train-softmax-regression", "--log-dir", "{tmp}/loop", "--no-export"], "{tmp}/loop is a link that loops"),
    (["train-softmax-regression", "--log-dir", "{tmp}/run", "--export-dir", "{tmp}/taken"],
     "{tmp}/taken/softmax_regression is a file, not the folder of softmax_regression's versions"),
    (["report", "--only", "P1", "--out", "{tmp}/run", "--export-dir", "{tmp}/taken"], "taken/softmax_regression is a"),
    (["serving-config", "--export-dir", "{tmp}/nowhere"], "no SavedModels under {tmp}/nowhere: no such folder"),
    (["export", "--check", "--export-dir", "{tmp}/nowhere"], "no SavedModels under {tmp}/nowhere"),
    (["export", "--check", "--export-dir", "{tmp}/empty"], "no SavedModels under {tmp}/empty: it is empty"),
    (["serving-config", "--export-dir", "{file}"], "no SavedModels under {file}: it is a file, not a folder"),
    (["serving-config", "--export-dir", "{tmp}/root/model"], "{tmp}/root/model is one model's folder"),
    (["export", "--check", "--export-dir", "{tmp}/root/model"], "give the folder that holds the models, {tmp}/root."),
])
def test_unusable_folders_are_named_before_any_training(argv, message, tmp_path, capsys):
    (tmp_path / "a_file").write_text("not a folder")
    (tmp_path / "empty").mkdir()
    (tmp_path / "root" / "model" / "1").mkdir(parents=True)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "softmax_regression").write_text("not a folder")
    fill = {"file": str(tmp_path / "a_file"), "tmp": str(tmp_path)}
    status, err = _cli([part.format(**fill) for part in argv], capsys)
    assert status == 1 and "Traceback" not in err
    assert message.format(**fill) in err
    assert not (tmp_path / "run" / "results").exists()          # refused before anything ran
    assert (tmp_path / "a_file").read_text() == "not a folder"


# -- runs record what they did ---------------------------------------------------------------------------------------

def test_a_rerun_with_other_settings_is_refused_and_the_results_survive(tmp_path, capsys):
    run = str(tmp_path / "run")
    assert _cli(["train-softmax-regression", "--log-dir", run, "--no-export", *SMALL_P1], capsys)[0] == 0
    results = tmp_path / "run" / "results" / "P1.json"
    before = results.read_text()
    status, err = _cli(["train-softmax-regression", "--log-dir", run, "--no-export",
                        *SMALL_P1[:-1], "0.05"], capsys)
    assert status == 1 and "learning_rate 0.1 -> 0.05" in err and "--restart" in err
    assert results.read_text() == before                                       # nothing replaced
    status, _ = _cli(["train-softmax-regression", "--log-dir", run, "--no-export", *SMALL_P1[:-1], "0.05",
                      "--restart"], capsys)
    assert status == 0 and json.loads(results.read_text())["config"]["learning_rate"] == [0.05]


def test_a_resumed_run_reports_its_whole_history(tmp_path):
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    data = ArrayData(x, x[:, :1])

    def trainer(epochs):
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        return Trainer(model, lambda y, p: tf.reduce_sum(tf.square(p - y), -1), tf.keras.optimizers.SGD(0.01),
                       TrainConfig(epochs=epochs, batch_size=16, verbose=False), workdir=tmp_path)

    assert [record["epoch"] for record in trainer(2).fit(data)] == [1, 2]
    resumed = trainer(4).fit(data)                              # a new process would do the same: resume at 2
    assert [record["epoch"] for record in resumed] == [1, 2, 3, 4]
    assert json.loads((tmp_path / HISTORY_FILE).read_text()) == resumed


def test_a_nan_stop_says_which_checkpoint_survives(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    trainer = Trainer(model, lambda y, p: tf.reduce_sum(tf.square(p - y), -1), tf.keras.optimizers.SGD(0.1),
                      TrainConfig(epochs=1, batch_size=2, verbose=False), workdir=tmp_path)
    with pytest.raises(NonFiniteLossError, match="No checkpoint had been written yet"):
        trainer.fit(ArrayData(np.array([[1.0], [np.nan]], np.float32), np.zeros((2, 1), np.float32)))


# -- SavedModel signatures --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def char_rnn(tmp_path_factory):
    model = RNNLanguageModel(5, 4, cell="gru")
    path = export_model(model, "char_rnn", {"serving_default": recurrent_language_model_signature(model)},
                        root=tmp_path_factory.mktemp("exports"))
    return tf.saved_model.load(str(path)).signatures["serving_default"]


@pytest.mark.parametrize("state, message", [
    (np.zeros((2, 4), np.float32), "state needs one row per row of tokens"),
    (np.full((1, 4), np.nan, np.float32), "state must be finite"),
])
def test_the_char_rnn_signature_refuses_a_mismatched_or_nan_state(char_rnn, state, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        char_rnn(tokens=tf.constant([[1, 2]]), state=tf.constant(state))
    ok = char_rnn(tokens=tf.constant([[1, 2]]), state=tf.zeros([1, 4]))
    np.testing.assert_allclose(ok["next_token_probabilities"].numpy().sum(), 1.0, atol=1e-5)


def test_an_interrupted_export_is_cleaned_up_by_the_next_and_no_version_is_lost(tmp_path, capfd):
    model = RNNLanguageModel(5, 4)
    first = export_model(model, "lm", {"serving_default": recurrent_language_model_signature(model)}, root=tmp_path)
    leftover = tmp_path / "lm" / ".tmp-2-deadbeef"
    leftover.mkdir()
    old = time.time() - STALE_SECONDS - 10
    os.utime(leftover, (old, old))
    second = export_model(model, "lm", {"serving_default": recurrent_language_model_signature(model)}, root=tmp_path)
    assert not leftover.exists() and first.is_dir() and second.name == "2"
    assert "left by an export that was interrupted" in capfd.readouterr().err


# -- the serving client -----------------------------------------------------------------------------------------------

class _FakeServer(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):                       # noqa: N802 - the http.server name
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("body, message", [(b"<html>not TF Serving</html>", "not JSON"),
                                           (json.dumps({"model_spec": {}}).encode(), "no readable signature_def")])
def test_the_rest_client_turns_a_wrong_server_into_a_serving_error(body, message):
    handler = type("Handler", (_FakeServer,), {"body": body})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = RestClient(f"http://127.0.0.1:{server.server_port}", retries=0, timeout=5)
        with pytest.raises(ServerError, match=message):
            client.signature("softmax_regression")
    finally:
        server.shutdown()


# -- the library's own APIs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: universal.approximate(np.sin, 0.01, b=10.0, lipschitz=0.01), ValueError, "lipschitz=0.01 is contradicted"),
    (lambda: universal.approximate(np.sin, 0.01, check_points=0), ValueError, r"check_points must be an int in \[1000"),
    (lambda: universal.approximate(np.sin, 0.01, check_points=10 ** 12), ValueError, "holds every point in memory"),
    (lambda: universal.approximate("sin", 0.01), TypeError, "f must be a function"),
    (lambda: universal.approximate(lambda x: x * (1 // 0), 0.01), ValueError, "f raised ZeroDivisionError"),
])
def test_approximate_refuses_what_would_make_its_certificate_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_approximate_takes_numpy_numbers_and_never_certifies_less_than_it_measured():
    net = universal.approximate(np.sin, np.float32(0.1), b=10.0, lipschitz=1.0)
    assert net.certificate.max_error <= net.certificate.bound < net.certificate.eps == float(np.float32(0.1))


@pytest.mark.parametrize("inputs, state, message", [
    (np.array([[1.5, 2.0]]), None, "inputs must be integer token ids"),
    (np.array([[1, 7]]), None, "inputs must be ids in 0..4"),
    (np.array([[1, 2]]), np.full((1, 3), np.nan), "initial_state must be finite"),
])
def test_rtrl_refuses_float_ids_unknown_ids_and_a_nan_state(inputs, state, message):
    model = RNNLanguageModel(5, 3)
    with pytest.raises(ValueError, match=message):
        rtrl.rtrl_gradients(model, inputs, np.array([[2, 3]]), state)


def test_a_command_prints_no_library_start_up_lines(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "tfsheet", "problem4", "--help"], capture_output=True,
                               text=True, timeout=120, env={k: v for k, v in os.environ.items()
                                                            if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert completed.returncode == 0 and "I0000" not in completed.stderr
    completed = subprocess.run([sys.executable, "-m", "tfsheet", "serving-config", "--export-dir",
                                str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120,
                               env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        f"tfsheet: error: no SavedModels under {tmp_path / 'nowhere'}: no such folder. Export models first "
        "(tfsheet export, or tfsheet report), or give --export-dir."]


def test_a_training_command_prints_only_its_own_lines(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run([sys.executable, "-m", "tfsheet", "train-softmax-regression", "--log-dir",
                                str(tmp_path / "run"), "--no-export", *SMALL_P1], capture_output=True, text=True,
                               timeout=300, env=environment)
    assert completed.returncode == 0, completed.stderr
    noise = [line for line in completed.stderr.splitlines()
             if line[:1] in "IWEF" and line[1:5].isdigit() or "absl::InitializeLog" in line or "WARNING:tensorflow" in line]
    assert noise == []
    assert "P1: done in" in completed.stderr


def test_verbose_brings_the_library_logs_back(tmp_path):
    from tfsheet import console

    assert console.ABSL_LINE.match(b"E0000 00:00:1795893015.5 18326 cuda_platform.cc:52] failed call to cuInit")
    assert not console.ABSL_LINE.match(b"epoch 1/3 loss 0.31")
    environment = {**{k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}, console.VERBOSE_ENV: "1"}
    code = "from tfsheet import console; console.quiet(); import os; os.write(2, b'I0000 00:00:1.0 1 x.cc:1] hello\\n')"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                               env=environment)
    assert "I0000 00:00:1.0 1 x.cc:1] hello" in completed.stderr
    quiet_env = {k: v for k, v in environment.items() if k != console.VERBOSE_ENV}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                               env=quiet_env)
    assert "hello" not in completed.stderr


def test_the_main_job_leaves_a_clone_clean(tmp_path):
    """`make run`'s own command, in a fresh clone: afterwards `git status` shows nothing new."""
    repository = pathlib.Path(__file__).resolve().parent.parent
    if not (repository / ".git").exists():
        pytest.fail("this test needs the git repository")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repository), str(clone)], check=True, timeout=120)
    outside_make = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    printed = subprocess.run(["make", "-n", "run", "SCALE=quick", "VENV=" + sys.prefix], cwd=clone, env=outside_make,
                             capture_output=True, text=True, check=True, timeout=60).stdout
    command = next(line for line in printed.splitlines() if "tfsheet report" in line)   # the job's own command
    assert "--export-dir report/" in command
    argv = command.split()[1:] + ["--only", "P1"]        # the report's own flags, one problem to stay quick
    completed = subprocess.run([sys.executable, "-m", "tfsheet", *argv], cwd=clone, capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr
    assert (clone / "report" / "saved_models" / "softmax_regression").is_dir()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True)
    assert status.stdout == ""


@pytest.mark.parametrize("call, error, message", [
    (lambda: universal.ramp("a", 1.0), ValueError, "ramp needs finite numbers c < d"),
    (lambda: universal.asymptote(None), TypeError, "asymptote reads a ReluNet"),
    (lambda: universal.is_prime(7.0), TypeError, "is_prime takes an int"),
    (lambda: universal.prime_counterexample("net"), TypeError, "asymptote reads a ReluNet"),
    (lambda: ReluNet.random_init(4, low=1.0, high=0.0), ValueError, "low < high"),
    (lambda: ReluNet.random_init(0), ValueError, "width must be an int >= 1"),
    (lambda: universal.ramp(1e8, 1e8 + 1), ValueError, "are one number in float32"),
    (lambda: universal.ramp(-1e308, 1e308), ValueError, "or d - c overflows"),
    (lambda: universal.ramp(0, 10, dtype="int32"), ValueError, "ramp's weights need a float dtype"),
    (lambda: universal.ramp(0, 1e-5, dtype="float16"), ValueError, "or 1/\\(d - c\\) does"),
    (lambda: universal.ramp(0.0, 1e-320, dtype="float64"), ValueError, "or 1/\\(d - c\\) does"),
    (lambda: universal.is_prime(10**30 + 57), ValueError, "trial division, which takes too long past 1e\\+14"),
    (lambda: universal.asymptote(_with_a_nan_weight(universal.ramp(0.0, 1.0))), ValueError, "hold NaN or an infinity"),
    (lambda: universal.prime_counterexample(_with_a_nan_weight(universal.sheet_example())), ValueError,
     "hold NaN or an infinity"),
])
def test_problem4s_functions_refuse_wrong_types_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _with_a_nan_weight(net):
    """`net` after a training that diverged: one input weight NaN."""
    net.hidden.kernel.assign(np.where(np.arange(net.width) == 0, np.nan, net.hidden.kernel.numpy()))
    return net


@pytest.mark.parametrize("field, value, message", [
    ("epochs", True, "epochs must be an int >= 1. Received: epochs=True"),
    ("seed", True, "seed must be an int >= 0"),
    ("seed", 2**40, "seed must be at most 2147483647"),
    ("batch_size", 10**12, "batch_size must be at most"),
    ("shuffle", "no", "shuffle must be True or False. Received: shuffle='no'"),
    ("drop_remainder", None, "drop_remainder must be True or False"),
    ("jit_compile", "yes", "jit_compile must be True or False"),
])
def test_a_training_config_refuses_what_it_would_misread(field, value, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{field: value})


def test_seeds_array_data_and_the_verbose_setting_refuse_what_no_run_could_use(monkeypatch):
    from tfsheet import console
    from tfsheet.errors import TfsheetError
    from tfsheet.training import seed_everything

    for seed in (2**70, -1, True, 1.0):
        with pytest.raises(ValueError, match=r"seed must be an int from 0 to 2147483647"):
            seed_everything(seed)
    with pytest.raises(TypeError, match="ArrayData's x must be an array whose first axis is the examples"):
        ArrayData(None, None)
    monkeypatch.setitem(console._state, "verbose", None)     # as in a fresh process: no command has decided yet
    monkeypatch.setenv(console.VERBOSE_ENV, "maybe")
    with pytest.raises(TfsheetError, match="TFSHEET_VERBOSE must be one of 1, true, yes, 0, false, no"):
        console.verbose()
    monkeypatch.setenv(console.VERBOSE_ENV, " No ")
    assert not console.verbose()


def test_array_data_refuses_ragged_rows_and_text():
    with pytest.raises(ValueError, match="ArrayData's x must be rectangular .* rows differ in length"):
        ArrayData([[1.0, 2.0], [3.0]], [0, 1])
    with pytest.raises(TypeError, match="ArrayData's y must hold numbers .* dtype <U3"):
        ArrayData(np.zeros((2, 3)), ["one", "two"])
    assert ArrayData([[1.0, 2.0]], [0]).x.shape == (1, 2)       # a rectangular list is taken as its array


def _per_example_cross_entropy(labels, outputs):
    from tfsheet.models.losses import cross_entropy_loss
    return cross_entropy_loss(labels, outputs)


def _mean_cross_entropy(labels, outputs):                       # a scalar: every sum would silently be a mean
    return tf.reduce_mean(_per_example_cross_entropy(labels, outputs))


def test_a_trainer_names_what_is_wrong_with_its_model_optimizer_loss_or_labels():
    import keras
    from tfsheet.models.softmax_regression import build_softmax_regression

    model, config = build_softmax_regression(), TrainConfig(epochs=1, batch_size=16, verbose=False)
    x, y = np.random.default_rng(0).random((32, 784), dtype=np.float32), np.arange(32) % 10
    with pytest.raises(TypeError, match="model must be a Keras model. Received: model=None"):
        Trainer(None, _per_example_cross_entropy, keras.optimizers.SGD(0.1), config)
    with pytest.raises(TypeError, match="optimizer must be a Keras optimizer object, e.g. keras.optimizers.SGD"):
        Trainer(model, _per_example_cross_entropy, "sgd", config)
    with pytest.raises(ValueError, match="has no trainable variables yet; build it first"):
        Trainer(keras.Sequential([keras.layers.Dense(3)]), _per_example_cross_entropy, keras.optimizers.SGD(0.1),
                config)
    with pytest.raises(ValueError, match=r"^The loss must return one value per example, shape \(N,\); it returned "
                                         r"shape \(\)"):
        Trainer(model, _mean_cross_entropy, keras.optimizers.SGD(0.1), config).fit(ArrayData(x, y))
    trainer = Trainer(model, _per_example_cross_entropy, keras.optimizers.SGD(0.1), config)
    before = [v.numpy().copy() for v in model.trainable_variables]
    with pytest.raises(ValueError, match=r"^The training step rejected the data: indices\[0\] = 1\d is not in "
                                         r"\[0, 10\)\. Check that the labels lie in the model's range"):
        trainer.fit(ArrayData(x, y + 10))
    with pytest.raises(ValueError, match="^The evaluation step rejected the data: indices"):
        trainer.evaluate(ArrayData(x, y + 10))
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, model.trainable_variables))   # nothing applied


def test_a_trainer_takes_only_array_data_and_after_epoch_records_that_are_dicts():
    import keras
    from tfsheet.models.softmax_regression import build_softmax_regression

    config = TrainConfig(epochs=np.int64(1), batch_size=16, verbose=False)
    assert type(config.epochs) is int                                   # numpy's ints are ints, kept as Python's
    trainer = Trainer(build_softmax_regression(), _per_example_cross_entropy, keras.optimizers.SGD(0.1), config)
    x, y = np.random.default_rng(0).random((32, 784), dtype=np.float32), np.arange(32) % 10
    for call, message in ((lambda: trainer.fit(ArrayData(x, y.astype(np.float32))), "DataType float32 not in list"),
                          (lambda: trainer.fit((x, y)), "train must be an ArrayData"),
                          (lambda: trainer.fit(ArrayData(x, y), validation=(x, y)), "validation must be an ArrayData"),
                          (lambda: trainer.evaluate(None), "data must be an ArrayData"),
                          (lambda: trainer.fit(ArrayData(x, y), after_epoch=lambda model: 5),
                           "after_epoch must return a dict of values to record")):
        with pytest.raises(TypeError, match=message):
            call()
    with pytest.raises(ValueError, match="epochs must be an int >= 1. Received: epochs=True"):
        trainer.fit(ArrayData(x, y), epochs=True)
    with pytest.raises(TypeError, match="must hold numbers .* dtype complex64"):
        ArrayData(x.astype(np.complex64), y)
    fresh = Trainer(build_softmax_regression(), _per_example_cross_entropy, keras.optimizers.SGD(0.1), config)
    assert len(fresh.fit(ArrayData(x, y), after_epoch=lambda model: None)) == 1      # nothing to add is fine


@pytest.mark.parametrize("variable", [settings.DATA_DIR_ENV, settings.CACHE_DIR_ENV, settings.SAVED_MODELS_ENV])
def test_a_folder_setting_under_an_unknown_users_home_is_named(monkeypatch, variable):
    from tfsheet.errors import TfsheetError

    monkeypatch.setenv(variable, "~no_such_user_here/folder")
    read = {settings.DATA_DIR_ENV: settings.data_dir, settings.CACHE_DIR_ENV: settings.cache_dir,
            settings.SAVED_MODELS_ENV: settings.saved_models_dir}[variable]
    with pytest.raises(TfsheetError, match=f"{variable}='~no_such_user_here/folder' starts with a ~"):
        read()


def test_a_data_folder_setting_that_is_a_file_is_named(monkeypatch, tmp_path):
    from tfsheet.errors import TfsheetError

    (tmp_path / "afile").write_text("")
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "afile"))
    with pytest.raises(TfsheetError, match=f"{settings.DATA_DIR_ENV}='{tmp_path / 'afile'}' is a file; point it at"):
        settings.data_dir()


def test_is_prime_still_takes_numpy_integers():
    assert universal.is_prime(np.int64(59)) and not universal.is_prime(np.int64(57))


def test_a_vocabulary_nested_too_deep_and_model_names_given_as_one_string_are_refused(tmp_path):
    from tfsheet.data.vocabulary import CharVocabulary
    from tfsheet.serving.load_check import check_saved_models

    with pytest.raises(ValueError, match="a vocabulary must be the JSON"):
        CharVocabulary.from_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(TypeError, match="names must be a list of model names"):
        check_saved_models(tmp_path, names="char_rnn")          # would check models 'c', 'h', 'a', ...
    for names in ([], ["../elsewhere/relu_ramp"], [".."]):
        with pytest.raises(ValueError, match="each a folder right under"):
            check_saved_models(tmp_path, names=names)
    with pytest.raises(ValueError, match="no SavedModel root at .*: no such folder"):
        check_saved_models(tmp_path / "nowhere")
