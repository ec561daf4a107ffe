"""Serving: warm-up files, models.config, export --check, and the REST and gRPC client against
loopback servers speaking TF Serving's documented formats (and a real TF Serving when reachable)."""

import os
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPOSITORY
from tests.serving.doubles import ModelStore, start_grpc, start_rest
from tfsheet.serving.export import WARMUP_FILE, saved_input_signatures, versions
from tfsheet.serving.load_check import check_saved_models
from tfsheet.serving.client import (GrpcClient, RestClient, ServerError, ServingConnectionError, ServingRequestError,
                             parse_rest_response, rest_request)
from tfsheet.serving.models_config import exported_models, read_model_names, serving_config_text

ROOT = REPOSITORY / "saved_models"
MODELS = exported_models(ROOT)


def latest(name):
    return ROOT / name / str(versions(ROOT / name)[-1])


def local_outputs(name, inputs):
    signature = tf.saved_model.load(str(latest(name))).signatures["serving_default"]
    return {key: value.numpy() for key, value in signature(**{k: tf.constant(v) for k, v in inputs.items()}).items()}


@pytest.fixture(scope="module")
def store():
    return ModelStore(ROOT)


@pytest.fixture(scope="module")
def rest(store):
    server, url = start_rest(store)
    yield RestClient(url, models_config=ROOT / "models.config", retries=0)
    server.shutdown()


@pytest.fixture(scope="module")
def grpc_client(store):
    server, target = start_grpc(store)
    yield GrpcClient(target, models_config=ROOT / "models.config", retries=0)
    server.stop(None)


# -- what the exports carry -----------------------------------------------------------------------------------------

def test_every_committed_model_has_a_parsable_warmup_file_that_runs():
    from tensorflow_serving.apis import prediction_log_pb2

    assert len(MODELS) >= 10
    for name in MODELS:
        records = list(tf.data.TFRecordDataset(str(latest(name) / WARMUP_FILE)).as_numpy_iterator())
        assert records, name
        for record in records:
            request = prediction_log_pb2.PredictionLog.FromString(record).predict_log.request
            assert request.model_spec.name == name and request.model_spec.signature_name == "serving_default"
            local_outputs(name, {key: tf.make_ndarray(value) for key, value in request.inputs.items()})


def test_models_config_serves_every_exported_model():
    assert read_model_names(ROOT / "models.config") == MODELS
    text = serving_config_text(["a"], base_path="/srv/models", keep_versions=2)
    assert 'base_path: "/srv/models/a"' in text and "num_versions: 2" in text and 'model_platform: "tensorflow"' in text


def test_export_check_passes_for_committed_models_and_reports_a_damaged_copy(tmp_path):
    from tfsheet.serving.load_check import check_model_version

    for name in ("softmax_regression", "relu_ramp"):                     # the newest, which models.config serves
        assert check_model_version(ROOT / name, versions(ROOT / name)[-1]) is None
    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "1")
    damaged = tmp_path / "relu_ramp" / "1" / "variables" / "variables.data-00000-of-00001"
    damaged.write_bytes(damaged.read_bytes()[:10])
    before = damaged.read_bytes()
    report = check_saved_models(tmp_path)
    assert not report[0]["ok"] and report[0]["problem"].startswith(f"{tmp_path / 'relu_ramp' / '1'} does not load")
    assert "damaged or truncated, export the model again or remove the folder" in report[0]["problem"]
    assert damaged.read_bytes() == before  # reported, never replaced


@pytest.mark.parametrize("damage, problem", [
    (lambda version: shutil.rmtree(version / "variables"), "no variables/variables.index (the weights) in"),
    (lambda version: (version / "saved_model.pb").write_bytes(b""), "an empty saved_model.pb (the graph) in"),
    (lambda version: (version / "fingerprint.pb").write_bytes(b"\x0a\xff\xff"), "a damaged fingerprint.pb"),
    (lambda version: (version / WARMUP_FILE).write_bytes(b"garbage that is long enough to look like a record header"),
     "is damaged, not TFRecords of PredictionLogs"),
])
def test_export_check_names_the_damaged_part_of_a_version(tmp_path, damage, problem):
    version = tmp_path / "relu_ramp" / "1"
    shutil.copytree(ROOT / "relu_ramp" / "1", version)
    damage(version)
    (row,) = check_saved_models(tmp_path)
    assert not row["ok"] and problem in row["problem"], row


def test_export_check_names_a_version_without_its_graph_and_a_model_without_versions(tmp_path, capsys):
    from tfsheet.cli import main

    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "1")
    (tmp_path / "relu_ramp" / "1" / "saved_model.pb").unlink()
    (tmp_path / "empty_model").mkdir()
    assert main(["export", "--check", "--export-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL relu_ramp/1: no saved_model.pb in {tmp_path / 'relu_ramp' / '1'}: not a whole SavedModel" in out
    assert "FAIL empty_model: no versions in" in out and "None" not in out


def test_export_check_command_line():
    completed = subprocess.run([sys.executable, "-m", "tfsheet.cli", "export", "--check", "relu_sheet_example",
                                "--export-dir", str(ROOT)], capture_output=True, text=True, timeout=300,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("ok   relu_sheet_example/")


# -- request and response formats (TF Serving's REST documentation) -------------------------------------------------

def test_rest_request_bodies_field_by_field():
    pixels = np.zeros((2, 3), np.float32)
    assert rest_request({"pixels": pixels}, "serving_default", "columnar") == {
        "signature_name": "serving_default", "inputs": {"pixels": [[0.0] * 3, [0.0] * 3]}}
    assert rest_request({"pixels": pixels}, "serving_default", "row") == {
        "signature_name": "serving_default", "instances": [[0.0] * 3, [0.0] * 3]}
    both = rest_request({"tokens": np.array([[1], [2]]), "state": np.zeros((2, 1))}, "serving_default", "row")
    assert both["instances"] == [{"tokens": [1], "state": [0.0]}, {"tokens": [2], "state": [0.0]}]


def test_rest_responses_in_both_documented_shapes():
    outputs = {"digit": (np.int64, [-1]), "probabilities": (np.float32, [-1, 2])}
    row = parse_rest_response({"predictions": [{"digit": 1, "probabilities": [0.1, 0.9]},
                                               {"digit": 0, "probabilities": [0.8, 0.2]}]}, outputs)
    columnar = parse_rest_response({"outputs": {"digit": [1, 0], "probabilities": [[0.1, 0.9], [0.8, 0.2]]}}, outputs)
    for parsed in (row, columnar):
        np.testing.assert_array_equal(parsed["digit"], [1, 0])
        assert parsed["digit"].dtype == np.int64 and parsed["probabilities"].dtype == np.float32
    single = parse_rest_response({"predictions": [[0.5], [1.0]]}, {"y": (np.float32, [-1, 1])})
    np.testing.assert_array_equal(single["y"], [[0.5], [1.0]])


@pytest.mark.parametrize("response, message", [({"outputs": None}, "neither in the row nor in the columnar format"),
                                               ({"outputs": {"zzz": [1, 2]}}, r"outputs \['zzz'\] it does not have"),
                                               ({"predictions": []}, r"without one row for each of the 2 examples"),
                                               ({"outputs": "nan"}, r"without one row for each of the 2 examples")])
def test_a_predict_response_that_is_not_the_signatures_is_a_server_error(response, message):
    with pytest.raises(ServerError, match=message):
        parse_rest_response(response, {"y": (np.float32, [-1, 1])}, rows=2)


# -- the clients against the loopback servers -----------------------------------------------------------------------

@pytest.mark.parametrize("request_format", ["columnar", "row"])
def test_rest_predict_matches_the_saved_model(rest, mnist_test, request_format):
    pixels = mnist_test.images[:16]
    served = rest.predict("softmax_regression", {"pixels": pixels}, request_format=request_format)
    expected = local_outputs("softmax_regression", {"pixels": pixels})
    np.testing.assert_allclose(served["probabilities"], expected["probabilities"], atol=1e-6)
    np.testing.assert_array_equal(served["digit"], expected["digit"])


def test_rest_two_input_model_and_status_and_metadata(rest):
    inputs, _ = rest.signature("char_rnn")
    width = inputs["state"][1][1]                                # the committed char_rnn's own state width
    tokens, state = np.array([[5, 6, 7]], np.int32), np.zeros((1, width), np.float32)
    served = rest.predict("char_rnn", {"tokens": tokens, "state": state}, request_format="row")
    np.testing.assert_allclose(served["state"], local_outputs("char_rnn", {"tokens": tokens, "state": state})["state"],
                               atol=1e-5)
    assert rest.status("relu_ramp")["model_version_status"][0]["state"] == "AVAILABLE"
    inputs, outputs = rest.signature("relu_ramp")
    assert inputs == {"x": (np.float32, [-1, 1])} and outputs == {"y": (np.float32, [-1, 1])}


def test_grpc_predict_and_metadata_match_the_saved_model(grpc_client, mnist_test):
    pixels = mnist_test.images[:16]
    served = grpc_client.predict("mlp_onehot", {"pixels": pixels})
    expected = local_outputs("mlp_onehot", {"pixels": pixels})
    np.testing.assert_allclose(served["scores"], expected["scores"], atol=1e-6)
    np.testing.assert_array_equal(served["digit"], expected["digit"])
    assert grpc_client.signature("mlp_onehot")[0] == {"pixels": (np.float32, [-1, 784])}


@pytest.mark.parametrize("inputs, message", [
    ({"pixels": np.zeros((2, 28, 28), np.float32)}, r"must have shape \(-1, 784\)"),
    ({"pixels": np.zeros((0, 784), np.float32)}, r"holds no examples \(shape \(0, 784\)\); send at least one"),
    ({"pixels": np.zeros((2, 784), np.uint8)}, "must be float32: pass a numpy array of that dtype; received uint8"),
    ({"pixels": [[0.5] * 784]}, r"received float64 \(numpy's type for the Python list given\)"),
    ({"pixels": [[0.5] * 784, [0.5]]}, "must be a rectangular array"),
    ({"image": np.zeros((2, 784), np.float32)}, r"takes inputs \['pixels'\]"),
])
def test_bad_requests_are_refused_before_sending(rest, grpc_client, store, inputs, message):
    for client in (rest, grpc_client):
        sent = store.predictions
        with pytest.raises(ServingRequestError, match=message):
            client.predict("softmax_regression", inputs)
        assert store.predictions == sent


def test_unknown_signature_and_model(rest, grpc_client):
    with pytest.raises(ServingRequestError, match="has no signature 'scores'; it has serving_default"):
        rest.predict("softmax_regression", {"pixels": np.zeros((1, 784), np.float32)}, signature_name="scores")
    for client in (rest, grpc_client):
        with pytest.raises(ServerError, match="'no_such_model' is not served.*Models in .*softmax_regression"):
            client.predict("no_such_model", {"pixels": np.zeros((1, 784), np.float32)})


@pytest.mark.parametrize("inputs, outputs, missing", [({"x": (np.float32, [-1, 1])}, {}, "no outputs"),
                                                      ({}, {"y": (np.float32, [-1, 1])}, "no inputs")])
def test_a_signature_without_inputs_or_outputs_is_named_before_sending(rest, store, monkeypatch, inputs, outputs,
                                                                        missing):
    monkeypatch.setattr(rest, "_signatures", {})
    monkeypatch.setattr(rest, "_signature_defs", lambda model, version: {"serving_default": (inputs, outputs)})
    sent = store.predictions
    with pytest.raises(ServingRequestError, match=f"signature 'serving_default' of 'relu_ramp' has {missing}, so no "
                                                  "request can run it"):
        rest.predict("relu_ramp", {"x": np.zeros((1, 1), np.float32)})
    assert store.predictions == sent


def test_server_side_errors_carry_tf_servings_message(rest):
    with pytest.raises(ServerError, match=r"(?s)HTTP 400 .*pixels must be float32 values in \[0, 1\]"):
        rest.predict("softmax_regression", {"pixels": np.full((1, 784), 255.0, np.float32)})


def test_connection_errors_after_retries():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the socket closes
    started = time.perf_counter()
    with pytest.raises(ServingConnectionError, match="cannot reach TF Serving"):
        RestClient(f"http://127.0.0.1:{port}", retries=2, backoff=0.05, timeout=2).status("softmax_regression")
    with pytest.raises(ServingConnectionError, match="cannot reach TF Serving"):
        GrpcClient(f"127.0.0.1:{port}", retries=1, backoff=0.05, timeout=2).metadata("softmax_regression")
    assert time.perf_counter() - started < 30


def test_client_script_prints_accuracy(rest):
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "serving_client.py"), "--model",
                                "softmax_regression", "--rest", rest.base_url, "--count", "500"],
                               capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 0, completed.stderr
    accuracy = float(completed.stdout.split("accuracy ")[1].split()[0])
    assert accuracy > 0.9


# -- a real TF Serving, when one is reachable --------------------------------------------------------------------------

def test_live_tf_serving_serves_every_model(mnist_test):
    url = os.environ.get("TFSHEET_SERVING_URL")
    binary = shutil.which("tensorflow_model_server")
    if not url and not binary:
        pytest.skip("NOT RUN: no TF Serving reachable (set TFSHEET_SERVING_URL=http://host:8501 or put "
                    "tensorflow_model_server on PATH); the loopback doubles above stood in for it")
    process = None
    if not url:
        config = serving_config_text(MODELS, base_path=str(ROOT))
        (ROOT.parent / ".cache").mkdir(exist_ok=True)
        config_path = ROOT.parent / ".cache" / "live_models.config"
        config_path.write_text(config)
        process = subprocess.Popen([binary, "--port=8500", "--rest_api_port=8501", "--rest_api_timeout_in_ms=30000",
                                    f"--model_config_file={config_path}"])
        url = "http://127.0.0.1:8501"
    try:
        client = RestClient(url, retries=20, backoff=0.5)
        for name in MODELS:
            specs = saved_input_signatures(latest(name))["serving_default"]
            inputs = {spec.name: np.zeros([1 if d is None else d for d in spec.shape], spec.dtype.as_numpy_dtype)
                      for spec in specs}
            served = client.predict(name, inputs)
            for key, value in local_outputs(name, inputs).items():
                np.testing.assert_allclose(served[key], value, atol=1e-5)
    finally:
        if process:
            process.terminate()


@pytest.mark.parametrize("name", MODELS)
def test_saved_model_cli_lists_each_models_signature(name):
    shown = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir",
                            str(latest(name)), "--all"], capture_output=True, text=True, check=True, timeout=300,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout
    assert "signature_def['serving_default']" in shown and "tensorflow/serving/predict" in shown
    for spec in saved_input_signatures(latest(name))["serving_default"]:
        assert f"inputs['{spec.name}']" in shown
    for output in local_outputs(name, {spec.name: np.zeros([1 if d is None else d for d in spec.shape],
                                                           spec.dtype.as_numpy_dtype)
                                       for spec in saved_input_signatures(latest(name))["serving_default"]}):
        assert f"outputs['{output}']" in shown


def test_the_clients_import_as_the_readme_shows_without_tensorflow():
    code = ("import sys; from tfsheet.serving import GrpcClient, RestClient, ServingError; "
            "print(RestClient.__name__, GrpcClient.__name__, 'tensorflow' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.stdout.split() == ["RestClient", "GrpcClient", "False"], completed.stderr


@pytest.mark.parametrize("flags, message", [(["--rest", "notaurl"], "base_url must be an http(s) URL"),
                                            (["--rest", ""], "base_url must be an http(s) URL"),
                                            (["--rest", "http://[::1"], "base_url must be an http(s) URL"),
                                            (["--rest", "http://localhost:abc"], "Port could not be cast"),
                                            (["--rest", "http://local host:8501"], "no query, fragment, spaces"),
                                            (["--timeout", "-1"], "timeout must be a number of seconds > 0"),
                                            (["--timeout", "1e12"], "at most 86,400 (a day)"),
                                            (["--timeout", "0"], "Received: timeout=0.0")])
def test_client_script_refuses_a_bad_url_or_timeout_in_one_line(flags, message):
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "serving_client.py"), *flags],
                               capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 2 and message in completed.stderr and "Traceback" not in completed.stderr
    assert "retries" not in completed.stderr or "--timeout" not in flags       # only what was wrong is named


def test_a_version_folder_with_leading_zeros_is_checked_where_it_is(tmp_path):
    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "007")     # TF Serving reads it as version 7
    (row,) = check_saved_models(tmp_path, ["relu_ramp"])
    assert row == {"model": "relu_ramp", "version": 7, "ok": True, "problem": None}


def test_only_names_tf_serving_reads_as_an_int64_are_versions(tmp_path):
    from tfsheet.serving.export import version_number, versions

    assert [version_number(name) for name in ("7", "007", str(2**63 - 1))] == [7, 7, 2**63 - 1]
    assert [version_number(name) for name in ("\u0663", "\u00b2", str(2**63), "-1", "1.0", ".tmp-1", None, 5)] == [None] * 8
    for name in ("2", "\u0663", "\u00b2", str(2**63)):
        (tmp_path / "model" / name).mkdir(parents=True)
    assert versions(tmp_path / "model") == [2]


def test_models_config_that_is_a_folder_is_named_and_leaves_no_temporary_file(tmp_path):
    from tfsheet.errors import TfsheetError
    from tfsheet.serving.models_config import write_serving_config

    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "1")
    (tmp_path / "models.config").mkdir()
    with pytest.raises(TfsheetError, match="models.config is a folder; remove it"):
        write_serving_config(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["models.config", "relu_ramp"]


def test_two_folders_of_one_version_number_fail_the_check_once_naming_both(tmp_path):
    for name in ("3", "03"):
        shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / name)
    (row,) = check_saved_models(tmp_path, ["relu_ramp"])
    assert row["version"] == 3 and not row["ok"] and "folders 03 and 3 are both version 3" in row["problem"]


def test_add_missing_warmup_adds_to_the_models_named_and_says_what_it_added_before_a_broken_one(tmp_path, capsys):
    from tfsheet.cli import main
    from tfsheet.serving.export import WARMUP_FILE

    for name in ("relu_ramp", "relu_sheet_example"):
        shutil.copytree(ROOT / name / "1", tmp_path / name / "1")
        (tmp_path / name / "1" / WARMUP_FILE).unlink()
    assert main(["export", "--add-missing-warmup", "relu_ramp", "--export-dir", str(tmp_path)]) == 0
    assert f"added a warm-up file to {tmp_path / 'relu_ramp' / '1'}" in capsys.readouterr().out
    assert not (tmp_path / "relu_sheet_example" / "1" / WARMUP_FILE).exists()       # not named: untouched
    (tmp_path / "abroken" / "1").mkdir(parents=True)                        # read first, alphabetically
    (tmp_path / "abroken" / "1" / "saved_model.pb").write_bytes(b"not a SavedModel")
    assert main(["export", "--add-missing-warmup", "--export-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"added a warm-up file to {tmp_path / 'relu_sheet_example' / '1'}" in captured.out   # not stopped by it
    assert f"skipped {tmp_path / 'abroken' / '1'}" in captured.err and "Traceback" not in captured.err


def test_add_missing_warmup_says_a_damaged_warmup_file_is_damaged_instead_of_calling_it_present(tmp_path, capsys):
    from tfsheet.cli import main
    from tfsheet.serving.export import WARMUP_FILE

    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "1")
    (tmp_path / "relu_ramp" / "1" / WARMUP_FILE).write_bytes(b"garbage")
    assert main(["export", "--add-missing-warmup", "--export-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "its warm-up file is unreadable" in err and "Traceback" not in err
    assert (tmp_path / "relu_ramp" / "1" / WARMUP_FILE).read_bytes() == b"garbage"        # said, not replaced
    assert main(["export", "--check", "--export-dir", str(tmp_path)]) == 1
    assert "holds no whole TFRecord (damaged or not a warm-up file)" in capsys.readouterr().out


def test_add_missing_warmup_names_an_extra_files_entry_that_is_a_file_and_leaves_it(tmp_path, capsys):
    from tfsheet.cli import main
    from tfsheet.serving.export import WARMUP_FILE

    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "1")
    shutil.rmtree(tmp_path / "relu_ramp" / "1" / WARMUP_FILE.parent)
    (tmp_path / "relu_ramp" / "1" / WARMUP_FILE.parent).write_text("someone's notes")
    assert main(["export", "--add-missing-warmup", "--export-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'relu_ramp' / '1' / 'assets.extra'} is a file, where TF Serving looks for a folder" in err
    assert "FileExistsError" not in err
    assert (tmp_path / "relu_ramp" / "1" / WARMUP_FILE.parent).read_text() == "someone's notes"


def test_the_check_names_an_entry_named_as_a_version_that_is_no_folder(tmp_path):
    from tfsheet.serving.export import unusable_versions

    model = tmp_path / "relu_ramp"
    shutil.copytree(ROOT / "relu_ramp" / "1", model / "1")
    (model / "2").symlink_to(model / "2")
    (model / "3").symlink_to(tmp_path / "nowhere")
    (model / "4").write_text("")
    assert unusable_versions(model) == {"2": "a link that loops", "3": f"a link to {tmp_path / 'nowhere'}, which does "
                                        "not exist", "4": "a file, not a folder"}
    rows = check_saved_models(tmp_path, ["relu_ramp"])
    assert [(row["version"], row["ok"]) for row in rows] == [(1, True), ("2", False), ("3", False), ("4", False)]
    assert f"{model / '2'} is named as a version but is a link that loops" in rows[1]["problem"]


@pytest.mark.parametrize("flags, named", [(["--scale", "full"], "--scale"), (["--workdir", "elsewhere"], "--workdir"),
                                          (["--set", "epochs=2", "--scale", "quick"], "--scale, --set"),
                                          (["--scale", "default"], "--scale"),          # given, though the default
                                          (["--workdir", "runs/export"], "--workdir")])
def test_check_refuses_training_flags_it_would_ignore(flags, named, capsys):
    from tfsheet.cli import main

    assert main(["export", "--check", *flags]) == 2                             # a usage error, as argparse's
    assert f"trains nothing, so {named} would have no effect" in capsys.readouterr().err


def test_check_and_add_missing_warmup_are_one_chore_at_a_time(capsys):
    from tfsheet.cli import main

    with pytest.raises(SystemExit):
        main(["export", "--check", "--add-missing-warmup"])
    assert "not allowed with" in capsys.readouterr().err


@pytest.mark.parametrize("make", [lambda: RestClient("http://127.0.0.1:1", timeout=float("inf")),
                                  lambda: RestClient("http://127.0.0.1:1", retries=1.5),
                                  lambda: RestClient("http://127.0.0.1:1", timeout=1e12),
                                  lambda: RestClient("http://127.0.0.1:1").status("m", version=2**70),
                                  lambda: GrpcClient(""),
                                  lambda: GrpcClient("localhost"),
                                  lambda: GrpcClient("localhost:0"),
                                  lambda: GrpcClient("localhost:\u00b2"),
                                  lambda: GrpcClient("http://localhost:8500"),
                                  lambda: RestClient("http://localhost:abc"),
                                  lambda: RestClient("http://local host:8501"),
                                  lambda: RestClient("http://localhost:8501?a=1"),
                                  lambda: RestClient("http://localhost:8501/v1/models"),
                                  lambda: RestClient("http://localhost:99999"),
                                  lambda: RestClient("http://127.0.0.1:1", retries=40),
                                  lambda: RestClient("http://127.0.0.1:1", models_config=123),
                                  lambda: RestClient("http://127.0.0.1:1").status("m", version=-3),
                                  lambda: RestClient("http://127.0.0.1:1").status("../x"),
                                  lambda: RestClient("http://127.0.0.1:1").metadata(None),
                                  lambda: RestClient("http://127.0.0.1:1", models_config="no/such/models.config"),
                                  lambda: RestClient("http://127.0.0.1:1").signature("m", version=0),
                                  lambda: RestClient("http://127.0.0.1:1").signature("m", version=True),
                                  lambda: RestClient("http://127.0.0.1:1").signature("m", version=1.9)])
def test_client_settings_that_would_be_quietly_wrong_are_refused_before_any_request(make):
    with pytest.raises(ValueError):
        make()


def test_a_damaged_models_config_does_not_hide_the_servers_message(tmp_path):
    (tmp_path / "models.config").write_text("model_config_list { garbage")
    error = RestClient("http://127.0.0.1:1", models_config=tmp_path / "models.config")._not_found("m", "Servable not found")
    assert isinstance(error, ServerError) and "Servable not found" in str(error)
    assert "is not a readable models.config: ParseError" in str(error)


def test_a_rest_client_pointed_at_a_port_that_does_not_speak_http_says_so():
    """A gRPC port answers REST's request with HTTP/2 frames, which http.client cannot read as a status line."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def answer_in_bytes():
        connection, _ = listener.accept()
        connection.recv(4096)
        connection.sendall(b"\x00\x00\x12\x04\x00\x00\x00\x00\x00 not HTTP/1.1\r\n\r\n")
        connection.close()

    import threading

    threading.Thread(target=answer_in_bytes, daemon=True).start()
    with pytest.raises(ServingConnectionError, match=r"does not answer in HTTP .*not its gRPC port \(8500\)"):
        RestClient(f"http://127.0.0.1:{port}", retries=0).status("relu_ramp")
    listener.close()


def test_the_check_fails_a_version_carrying_another_models_warmup_file(tmp_path):
    from tfsheet.serving.export import WARMUP_FILE

    shutil.copytree(ROOT / "softmax_regression" / "1", tmp_path / "softmax_regression" / "1")
    shutil.copyfile(ROOT / "relu_ramp" / "1" / WARMUP_FILE, tmp_path / "softmax_regression" / "1" / WARMUP_FILE)
    (row,) = check_saved_models(tmp_path, ["softmax_regression"])
    assert not row["ok"] and "asks for signature 'serving_default' with inputs ['x']" in row["problem"]
    assert "another model's file?" in row["problem"]


def test_serving_config_keeps_the_old_file_when_no_version_passes(tmp_path):
    from tfsheet.errors import TfsheetError
    from tfsheet.serving.models_config import write_serving_config

    shutil.copytree(ROOT / "relu_ramp" / "1", tmp_path / "relu_ramp" / "1")
    (tmp_path / "relu_ramp" / "1" / "saved_model.pb").write_bytes(b"not a SavedModel")
    (tmp_path / "models.config").write_text("the previous config\n")
    with pytest.raises(TfsheetError, match=r"no version under .* passes the load check, so .*models.config was left"):
        write_serving_config(tmp_path)
    assert (tmp_path / "models.config").read_text() == "the previous config\n"
    assert not list(tmp_path.glob("*.tmp"))
