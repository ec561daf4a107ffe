"""Proof that a SavedModel serves: load it in a fresh process without tfsheet, both ways TF can.

TF Serving loads SavedModels with the TF1 session loader, which fails on some exports that
tf.saved_model.load accepts, so both are checked and both must reproduce the expected outputs.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

from tfsheet.errors import ExportError

_SCRIPT = pathlib.Path(__file__).with_name("_load_without_tfsheet.py")


def load_in_fresh_process(saved_model, inputs, signature="serving_default", timeout=300):
    """Run `signature` of `saved_model` on `inputs` (dict of arrays) in a process without tfsheet.

    Returns:
        (tf2_outputs, session_outputs, signature_def): two dicts of numpy arrays and a description
        of the SignatureDef (input and output dtypes and shapes).
    """
    with tempfile.TemporaryDirectory() as scratch:
        inputs_path = os.path.join(scratch, "inputs.npz")
        outputs_path = os.path.join(scratch, "outputs.npz")
        np.savez(inputs_path, **inputs)
        environment = {**os.environ, "PYTHONPATH": "", "TF_CPP_MIN_LOG_LEVEL": "3"}
        completed = subprocess.run(
            [sys.executable, "-I", str(_SCRIPT), str(pathlib.Path(saved_model).resolve()), signature,
             inputs_path, outputs_path],
            cwd=scratch, env=environment, capture_output=True, text=True, timeout=timeout)
        if completed.returncode != 0:
            raise ExportError(f"{saved_model} failed to load or run in a fresh process:\n{completed.stderr[-3000:]}")
        report = json.loads(completed.stdout.strip().splitlines()[-1])
        if report["tfsheet_imported"]:
            raise ExportError("the fresh process imported tfsheet; the check proves nothing")
        if report["errors"]:
            raise ExportError(f"{saved_model} failed in a fresh process:\n" + "\n".join(
                f"  {loader} loader: {message}" for loader, message in report["errors"].items()))
        with np.load(outputs_path) as arrays:
            tf2 = {k[len("tf2/"):]: arrays[k] for k in arrays.files if k.startswith("tf2/")}
            session = {k[len("session/"):]: arrays[k] for k in arrays.files if k.startswith("session/")}
    return tf2, session, report["signature_def"]


def assert_servable(saved_model, inputs, expected, signature="serving_default", atol=1e-6):
    """Raise ExportError unless both loaders reproduce `expected` (dict of arrays) within `atol`."""
    tf2, session, signature_def = load_in_fresh_process(saved_model, inputs, signature)
    for loader, outputs in (("tf.saved_model.load", tf2), ("TF1 session loader", session)):
        if set(outputs) != set(expected):
            raise ExportError(f"{loader}: outputs {sorted(outputs)} differ from expected {sorted(expected)}")
        for name, value in expected.items():
            got = outputs[name]
            if got.shape != np.shape(value) or not np.allclose(got, value, rtol=0, atol=atol):
                difference = np.max(np.abs(got.astype(np.float64) - value)) if got.shape == np.shape(value) else "shape"
                raise ExportError(f"{loader}: output {name!r} differs from the Keras model (max abs diff {difference})")
    return signature_def


def check_saved_models(root, names=None):
    """Check every version of every model under `root` (or of `names`); never modifies anything.

    A version passes when its signatures load, the fresh-process TF2 and TF1-session loaders give the
    same outputs on each signature's warm-up inputs, and its warm-up file parses as PredictionLogs.
    An entry named as a version that is no readable folder (a file, a looping or broken link) fails, its
    "version" the entry's name. Returns a list of {"model", "version", "ok", "problem"}.
    """
    from tfsheet.serving.export import unusable_versions, versions

    root = pathlib.Path(root)
    if not root.is_dir():
        raise ValueError(f"no SavedModel root at {root}: {'it is a file' if root.exists() else 'no such folder'}")
    if isinstance(names, str) or (names is not None and not all(isinstance(name, str) for name in names)):
        raise TypeError(f"names must be a list of model names (say ['char_rnn']). Received: {names!r}")
    if names is not None and (not names or not all(
            name and "/" not in name and "\\" not in name and not name.startswith(".") for name in names)):
        raise ValueError(f"names must be None (every model) or model names, each a folder right under {root}. "
                         f"Received: {names!r}")
    names = names or sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    report = []
    for name in names:
        found, unusable = versions(root / name), unusable_versions(root / name)
        if not found and not unusable:
            report.append({"model": name, "version": None, "ok": False, "problem": f"no versions in {root / name}"})
        for version in found:
            problem = check_model_version(root / name, version)
            report.append({"model": name, "version": version, "ok": problem is None, "problem": problem})
        for folder, why in unusable.items():
            report.append({"model": name, "version": folder, "ok": False,
                           "problem": f"{root / name / folder} is named as a version but is {why}; TF Serving "
                                      "passes over it: remove it, or make it the version's folder"})
    return report


def check_model_version(model_dir, version):
    """check_version of integer `version` of `model_dir`, which fails when two folders are that version ("3", "03")."""
    from tfsheet.serving.export import version_clashes, version_dir

    clashing = version_clashes(model_dir).get(version)
    if clashing:
        return (f"folders {' and '.join(clashing)} are both version {version}, and TF Serving would serve either "
                f"one: rename or remove all but one")
    return check_version(version_dir(model_dir, version))


def check_version(path):
    """None when the SavedModel version at `path` passes (see check_saved_models), else what is wrong with it."""
    from tfsheet.serving.export import WARMUP_FILE, saved_input_signatures, warmup_inputs

    path = pathlib.Path(path)
    missing = _missing_part(path)
    if missing:
        return f"{missing} in {path}: not a whole SavedModel (export the model again, or remove the folder)"
    try:
        signatures = saved_input_signatures(path)
        for signature, specs in signatures.items():
            tf2, session, _ = load_in_fresh_process(path, warmup_inputs(specs), signature)
            for key in tf2:
                if not np.allclose(tf2[key], session[key], atol=1e-6):
                    raise ExportError(f"signature {signature!r}: the two loaders disagree on {key!r}")
    except Exception as error:  # a damaged SavedModel fails in many ways; report, never repair
        reason = f"{type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"
        return (f"{path} does not load or run ({reason.strip()}); if a file in it is damaged or truncated, export the "
                f"model again or remove the folder")
    return _check_warmup(path / WARMUP_FILE, {name: {spec.name for spec in specs} for name, specs in signatures.items()})


def _missing_part(path):
    """What a SavedModel folder lacks or holds damaged before anything loads it (the graph, the weights, a readable
    fingerprint), or None."""
    import tensorflow as tf

    if not (path / "saved_model.pb").is_file():
        return "no saved_model.pb"
    if not (path / "saved_model.pb").stat().st_size:
        return "an empty saved_model.pb (the graph)"
    if not (path / "variables" / "variables.index").is_file():
        return "no variables/variables.index (the weights)"
    if (path / "fingerprint.pb").exists():
        try:
            tf.saved_model.experimental.read_fingerprint(str(path))
        except (RuntimeError, ValueError, OSError) as error:
            return f"a damaged fingerprint.pb ({(str(error).strip().splitlines() or [''])[-1]})"
    return None


def _check_warmup(path, signatures=None):
    """None when `path` holds TF Serving's warm-up PredictionLogs, each a predict request that the version's
    `signatures` ({name: input names}, when given) can run; else what is wrong."""
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_log_pb2

    if not path.is_file():
        return f"no warm-up file {path}"
    try:
        records = list(tf.data.TFRecordDataset(str(path)).as_numpy_iterator())
        logs = [prediction_log_pb2.PredictionLog.FromString(record) for record in records]
    except (tf.errors.OpError, ValueError) as error:     # DataLossError: not TFRecords; DecodeError: not logs
        return (f"warm-up file {path} is damaged, not TFRecords of PredictionLogs ({type(error).__name__}); remove it "
                "and run `tfsheet export --add-missing-warmup`")
    for log in logs if signatures is not None else ():
        request = log.predict_log.request
        name = request.model_spec.signature_name or "serving_default"
        if name not in signatures or set(request.inputs) != signatures[name]:
            return (f"warm-up file {path} asks for signature {name!r} with inputs {sorted(request.inputs)}, which this "
                    "version does not have (another model's file?); remove it and run "
                    "`tfsheet export --add-missing-warmup`")
    if records:
        return None
    if path.stat().st_size:              # bytes, but not one whole record: TFRecordDataset reads it as an early end
        return f"warm-up file {path} holds no whole TFRecord (damaged or not a warm-up file)"
    return f"empty warm-up file {path}"
