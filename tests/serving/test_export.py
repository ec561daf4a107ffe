"""Exports: integer versions published atomically, servable where tfsheet does not exist, strict inputs."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfsheet.errors import ExportError
from tfsheet.experiments import problem1
from tfsheet.experiments.configs import Problem1Config
from tfsheet.serving.export import export_model, versions
from tfsheet.models.softmax_regression import build_softmax_regression
from tfsheet.serving.load_check import assert_servable, load_in_fresh_process
from tfsheet.training import Runtime


@pytest.fixture(scope="module")
def trained_model():
    model, _, _ = problem1.train(Problem1Config(epochs=1, train_examples=6000), Runtime(), learning_rate=0.1)
    return model


@pytest.fixture(scope="module")
def exported(trained_model, tmp_path_factory):
    return problem1.export(trained_model, root=tmp_path_factory.mktemp("saved_models"))


def keras_outputs(model, pixels):
    outputs = model(pixels)
    return {"probabilities": outputs["probabilities"].numpy(),
            "digit": np.argmax(outputs["logits"].numpy(), axis=-1)}


def test_layout_is_what_tf_serving_watches(exported):
    assert exported.name == "1" and exported.parent.name == "softmax_regression"
    assert (exported / "saved_model.pb").is_file() and (exported / "variables").is_dir()
    assert [p.name for p in exported.parent.iterdir()] == ["1"]  # no temporary folder left behind


@pytest.mark.parametrize("batch", [1, 257])
def test_fresh_process_without_tfsheet_reproduces_keras_outputs(trained_model, exported, mnist_test, batch):
    pixels = mnist_test.images[:batch]
    signature = assert_servable(exported, {"pixels": pixels}, keras_outputs(trained_model, pixels), atol=1e-6)
    assert signature["inputs"] == {"pixels": [tf.float32.as_datatype_enum, [-1, 784]]}
    assert signature["outputs"] == {"probabilities": [tf.float32.as_datatype_enum, [-1, 10]],
                                    "digit": [tf.int64.as_datatype_enum, [-1]]}
    assert signature["method_name"] == "tensorflow/serving/predict"


def test_saved_model_cli_lists_the_documented_signature(exported):
    shown = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show",
                            "--dir", str(exported), "--all"], capture_output=True, text=True, check=True).stdout
    for text in ("signature_def['serving_default']", "inputs['pixels']", "outputs['probabilities']",
                 "outputs['digit']", "DT_INT64"):
        assert text in shown


def test_re_export_makes_the_next_version_and_never_overwrites(trained_model, tmp_path):
    first = problem1.export(trained_model, root=tmp_path)
    stamp = (first / "saved_model.pb").stat().st_mtime_ns
    second = problem1.export(trained_model, root=tmp_path)
    assert (first.name, second.name) == ("1", "2") and versions(first.parent) == [1, 2]
    with pytest.raises(ExportError, match="never overwritten"):
        export_model(trained_model, "softmax_regression", {"serving_default": _signature(trained_model)},
                     root=tmp_path, version=1)
    assert (first / "saved_model.pb").stat().st_mtime_ns == stamp


def test_failed_export_leaves_nothing_half_written(trained_model, tmp_path, monkeypatch):
    import keras

    def disk_full(self, path, **kwargs):
        (tmp_path / "softmax_regression" / pathlib.Path(path).name / "variables").mkdir(parents=True)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(keras.export.ExportArchive()), "write_out", disk_full)  # the backend class
    with pytest.raises(ExportError, match="No space left on device"):
        problem1.export(trained_model, root=tmp_path)
    assert list((tmp_path / "softmax_regression").iterdir()) == []


def test_wrong_inputs_are_refused_not_answered(exported):
    serve = tf.saved_model.load(str(exported)).signatures["serving_default"]
    refusals = [(tf.zeros([2, 28, 28]), r"pixels \[2,28,28\] is not compatible with expected shape \[\?,784\]"),
                (tf.zeros([2, 785]), r"pixels \[2,785\] is not compatible"),
                (tf.zeros([2, 784], tf.uint8), "expected to be a float tensor but is a uint8 tensor"),
                (tf.constant([["a"] * 784]), "expected to be a float tensor but is a string tensor"),
                (tf.fill([2, 784], 255.0), r"pixels must be float32 values in \[0, 1\]"),
                (tf.fill([1, 784], float("nan")), r"pixels must be float32 values in \[0, 1\]")]
    for bad, message in refusals:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            serve(pixels=bad)


def test_both_loaders_refuse_a_wrong_shape(exported):
    with pytest.raises(ExportError) as error:
        load_in_fresh_process(exported, {"pixels": np.zeros((2, 28, 28), np.float32)})
    assert "tf2 loader: ValueError: input 'pixels' of signature 'serving_default' must have shape (None, 784)" \
        in str(error.value)
    assert "session loader" in str(error.value) and "Cannot feed value of shape" in str(error.value)


def test_the_fresh_process_check_names_the_input_of_a_wrong_dtype_or_name(exported):
    """TensorFlow's own error names only the position of an input of the wrong dtype ("input #0")."""
    with pytest.raises(ExportError, match="input 'pixels' of signature 'serving_default' must be float32; "
                                          "received uint8"):
        load_in_fresh_process(exported, {"pixels": np.zeros((2, 784), np.uint8)})
    with pytest.raises(ExportError, match=r"takes inputs \['pixels'\]; received \['images'\]"):
        load_in_fresh_process(exported, {"images": np.zeros((2, 784), np.float32)})


def test_signatures_must_include_serving_default(trained_model, tmp_path):
    with pytest.raises(ValueError, match="serving_default"):
        export_model(trained_model, "m", {"scores": _signature(trained_model)}, root=tmp_path)


def _signature(model):
    from tfsheet.serving.export import digit_classifier_signature, probabilities_and_digit
    return digit_classifier_signature(model, probabilities_and_digit)


def test_untrained_model_exports_too(tmp_path):
    model = build_softmax_regression()
    assert export_model(model, "fresh", {"serving_default": _signature(model)}, root=tmp_path).name == "1"


@pytest.mark.parametrize("options", [dict(name="../escape"), dict(name=""), dict(name="/abs"),
                                     dict(version=True), dict(version="2"),
                                     dict(extra_files={"../../evil.txt": "x"})])
def test_an_export_never_writes_outside_its_model_folder(trained_model, tmp_path, options):
    arguments = {"name": "softmax_regression", **options}
    with pytest.raises(ValueError):
        export_model(trained_model, arguments.pop("name"), {"serving_default": _signature(trained_model)},
                     root=tmp_path / "root", **arguments)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "escape").exists()
    assert not list(tmp_path.rglob("saved_model.pb"))


@pytest.mark.parametrize("change, error, message", [
    (dict(version=0), ValueError, "version must be an int from 1 to 2\\*\\*63 - 1"),
    (dict(version=-3), ValueError, "version must be an int from 1"),
    (dict(version=2**63), ValueError, "version must be an int from 1"),
    (dict(name="a b"), ValueError, "name must be a model name a client can request"),
    (dict(model=None), TypeError, "model must be a Keras model"),
    (dict(signatures=None), ValueError, "signatures must be a dict that includes 'serving_default'"),
    (dict(signatures={"serving_default": lambda x: x}), ValueError, "with an input_signature .* \\['serving_default'\\]"),
    (dict(extra_files={"v.json": 5}), TypeError, "extra file 'v.json' must be text"),
])
def test_a_refused_export_leaves_no_folder_behind(trained_model, tmp_path, change, error, message):
    arguments = {"model": trained_model, "name": "m", "signatures": {"serving_default": _signature(trained_model)},
                 **change}
    with pytest.raises(error, match=message):
        export_model(arguments.pop("model"), arguments.pop("name"), arguments.pop("signatures"),
                     root=tmp_path / "root", **arguments)
    assert not (tmp_path / "root").exists()


def test_an_export_into_a_root_that_is_a_file_is_an_export_error(trained_model, tmp_path):
    (tmp_path / "afile").write_text("")
    with pytest.raises(ExportError, match="Could not make .*afile/m: Not a directory. Nothing was written"):
        export_model(trained_model, "m", {"serving_default": _signature(trained_model)}, root=tmp_path / "afile")


def test_past_the_last_int64_version_there_is_no_next_one(trained_model, tmp_path):
    (tmp_path / "m" / str(2**63 - 1)).mkdir(parents=True)
    with pytest.raises(ExportError, match="already holds version 2\\*\\*63 - 1"):
        export_model(trained_model, "m", {"serving_default": _signature(trained_model)}, root=tmp_path)


def test_the_version_helpers_name_a_bad_argument(tmp_path):
    from tfsheet.serving.export import add_missing_warmup, saved_input_signatures, version_dir, versions

    for call, error, message in ((lambda: versions(None), TypeError, "model_dir must be a path"),
                                 (lambda: version_dir(tmp_path, "x"), ValueError, "version must be an int from 1"),
                                 (lambda: version_dir(tmp_path, 0), ValueError, "version must be an int from 1"),
                                 (lambda: saved_input_signatures(tmp_path / "nowhere"), ValueError,
                                  "no SavedModel at .*nowhere: it holds no saved_model.pb"),
                                 (lambda: add_missing_warmup(tmp_path / "nowhere"), ValueError,
                                  "no SavedModel root at .*nowhere: no such folder")):
        with pytest.raises(error, match=message):
            call()
