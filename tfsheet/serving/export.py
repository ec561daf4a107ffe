"""SavedModel export, the only code that knows signatures: <root>/<name>/<version>/ as TF Serving watches it.

Every model is written with Keras's own route (keras.export.ExportArchive), which produces a
SavedModel that TF Serving's TF1-style session loader accepts; a plain tf.saved_model.save of a
Keras 3 model does not. A version is written under a hidden temporary name beside its final
place and then renamed, so a watcher never sees half a model, and an existing version is never
overwritten (the rename fails instead).
"""

import os
import pathlib
import shutil
import sys
import time
import uuid

import keras
import numpy as np
import tensorflow as tf

from tfsheet import settings
from tfsheet.data.mnist import NUM_CLASSES, NUM_PIXELS
from tfsheet.errors import ExportError
from tfsheet.serving.names import MAX_VERSION, MODEL_NAME

PIXELS_SPEC = tf.TensorSpec([None, NUM_PIXELS], tf.float32, name="pixels")
X_SPEC = tf.TensorSpec([None, 1], tf.float32, name="x")
SERVING_DEFAULT = "serving_default"


def version_number(name):
    """The version a folder called `name` is to TF Serving: its name read as an int64 of ASCII digits ("007" is 7),
    or None for any other name ("٣", "²", a number past 2**63 - 1, a temporary folder)."""
    if isinstance(name, str) and name.isascii() and name.isdigit() and int(name) <= MAX_VERSION:
        return int(name)
    return None


def versions(model_dir):
    """The integer versions present in `model_dir`, ascending (temporary folders are ignored)."""
    model_dir = _as_path(model_dir, "model_dir")
    if not model_dir.is_dir():
        return []
    return sorted({version_number(p.name) for p in model_dir.iterdir() if p.is_dir()} - {None})


def unusable_versions(model_dir):
    """{folder name: why} for each entry of `model_dir` named as a version that is not a folder one can read (a
    file, a broken link, a link that loops): `versions` passes over them, as TF Serving does, so they are said here."""
    model_dir = pathlib.Path(model_dir)
    unusable = {}
    for path in sorted(model_dir.iterdir()) if model_dir.is_dir() else ():
        if version_number(path.name) is None or path.is_dir():
            continue
        if path.is_symlink():
            try:
                path.resolve(strict=True)
                unusable[path.name] = "a link to something that is not a folder"
            except RuntimeError:
                unusable[path.name] = "a link that loops"
            except OSError:
                unusable[path.name] = f"a link to {os.readlink(path)}, which does not exist"
        else:
            unusable[path.name] = "a file, not a folder"
    return unusable


def version_clashes(model_dir):
    """{version: [folder names]} for each integer version named by more than one folder ("3" and "03"): TF Serving
    reads both as the same version, so which one it serves is not defined."""
    model_dir = pathlib.Path(model_dir)
    named = {}
    for path in sorted(model_dir.iterdir()) if model_dir.is_dir() else ():
        if path.is_dir() and version_number(path.name) is not None:
            named.setdefault(version_number(path.name), []).append(path.name)
    return {version: names for version, names in named.items() if len(names) > 1}


def _as_path(value, name):
    """`value` as a pathlib.Path, or a TypeError naming the argument (None or a number is no folder)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path). Received: {name}={value!r}")
    return pathlib.Path(value)


def _check_plain_name(name, what):
    """A model or file name is one plain path component: no separator, no '..', not empty, not hidden."""
    if (not isinstance(name, str) or not name or name in (".", "..") or name.startswith(".")
            or "/" in name or "\\" in name or "\0" in name):
        raise ValueError(f"{what} must be one plain file name (no '/', not empty, not starting with '.'). "
                         f"Received: {name!r}")


def version_dir(model_dir, version):
    """The folder of integer `version` in `model_dir` as it is named there ("007" for 7, as TF Serving reads it), or
    the canonical name str(version) when there is none."""
    model_dir = _as_path(model_dir, "model_dir")
    if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or not 1 <= version <= MAX_VERSION:
        raise ValueError(f"version must be an int from 1 to 2**63 - 1. Received: version={version!r}")
    if model_dir.is_dir():
        for path in model_dir.iterdir():
            if path.is_dir() and version_number(path.name) == int(version):
                return path
    return model_dir / str(int(version))


def export_model(model, name, signatures, root=None, version=None, extra_files=None):
    """Write `model` with its `signatures` as the next version of saved_models/<name>/.

    Args:
        model: the Keras model whose variables the signatures use.
        name: the model's name under the root (TF Serving's model name).
        signatures: `{signature_name: tf.function with an input_signature}`; must include
            "serving_default". Each returns a dict of named output tensors.
        root: the SavedModel root; settings.saved_models_dir() by default.
        version: an explicit integer version; by default one more than the newest.
        extra_files: `{file name: text}` written to the version's `assets.extra/` (outside the graph,
            read by clients directly, e.g. a vocabulary), published with the model.

    Returns:
        The pathlib.Path of the published version folder.

    Raises:
        ExportError: if the version exists already (never overwritten) or writing fails.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model. Received: model={model!r:.80}")
    if not isinstance(signatures, dict) or SERVING_DEFAULT not in signatures:
        raise ValueError(f"signatures must be a dict that includes {SERVING_DEFAULT!r}. Received: {signatures!r:.120}")
    untyped = [key for key, function in signatures.items() if getattr(function, "input_signature", None) is None]
    if untyped:
        raise ValueError(f"every signature must be a tf.function with an input_signature (the request's names, "
                         f"dtypes and shapes); these are not: {untyped}")
    _check_plain_name(name, "name")
    if not MODEL_NAME.fullmatch(name):
        raise ValueError(f"name must be a model name a client can request: letters, digits, '_', '.' and '-', "
                         f"starting with a letter or digit. Received: {name!r}")
    for file_name, text in (extra_files or {}).items():
        _check_plain_name(file_name, "each extra file's name")
        if not isinstance(text, str):
            raise TypeError(f"extra file {file_name!r} must be text (a str). Received: {type(text).__name__}")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                or not 1 <= version <= MAX_VERSION):
        raise ValueError(f"version must be an int from 1 to 2**63 - 1 (TF Serving's int64). Received: "
                         f"version={version!r}")
    model_dir = pathlib.Path(root or settings.saved_models_dir()) / name
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"Could not make {model_dir}: {error.strerror or error}. Nothing was written.") from None
    clear_interrupted_exports(model_dir)
    if version is None:
        version = (versions(model_dir) or [0])[-1] + 1
        if version > MAX_VERSION:
            raise ExportError(f"{model_dir} already holds version 2**63 - 1, the last one TF Serving can read; "
                              "export under another name")
    final = model_dir / str(version)
    if version_dir(model_dir, version).exists():
        raise ExportError(f"{final} exists already; SavedModel versions are never overwritten. "
                          "Export without an explicit version to write the next one.")
    temporary = model_dir / f".tmp-{version}-{uuid.uuid4().hex[:8]}"
    try:
        archive = keras.export.ExportArchive()
        archive.track(model)
        for signature_name, function in signatures.items():
            archive.add_endpoint(signature_name, function)
        archive.write_out(str(temporary), verbose=False)
        for file_name, text in (extra_files or {}).items():
            (temporary / "assets.extra").mkdir(exist_ok=True)
            (temporary / "assets.extra" / file_name).write_text(text, encoding="utf-8")
        write_warmup_requests(temporary, name, {key: fn.input_signature for key, fn in signatures.items()})
        os.rename(temporary, final)  # atomic on one filesystem; fails if `final` appeared meanwhile
    except OSError as error:
        raise ExportError(f"Could not publish {final}: {error}. Nothing was overwritten.") from error
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return final


def publish_staged(staging, root, models=None):
    """Move every version exported under `staging` (a folder on `root`'s filesystem, laid out as a SavedModel root)
    to the next free version of the same model under `root`, each move one rename; {model: published path}. With
    `models`, only those are published (an experiment may export more than was asked for).

    `tfsheet export` exports into a staging folder and publishes only when every experiment succeeded, so an
    export that fails half-way leaves the published models and models.config as they were.
    """
    staging, root = pathlib.Path(staging), pathlib.Path(root)
    published = {}
    for model_dir in sorted(path for path in staging.iterdir() if path.is_dir() and (not models or path.name in models)):
        target_dir = root / model_dir.name
        target_dir.mkdir(parents=True, exist_ok=True)
        for version in versions(model_dir):
            final = target_dir / str((versions(target_dir) or [0])[-1] + 1)
            try:
                os.rename(version_dir(model_dir, version), final)
            except OSError as error:
                raise ExportError(f"Could not publish {final}: {error}. Nothing was overwritten.") from error
            published[model_dir.name] = final
    return published


STALE_SECONDS = 3600   # a temporary export folder this old belongs to an export that was killed


def clear_interrupted_exports(model_dir, stream=None):
    """Remove the temporary folders that exports killed mid-write left in `model_dir` (older than an hour, so
    that a concurrent export's folder is never touched), saying so on `stream` (stderr); report younger ones.
    Returns the paths removed."""
    stream = stream or sys.stderr
    removed = []
    for leftover in sorted(pathlib.Path(model_dir).glob(".tmp-*")):
        age = time.time() - leftover.stat().st_mtime
        if age >= STALE_SECONDS:
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
            print(f"tfsheet: removed {leftover}, left by an export that was interrupted", file=stream)
        else:
            print(f"tfsheet: note: {leftover} is being written by another export, or one interrupted less than an "
                  "hour ago (TF Serving ignores it)", file=stream)
    return removed


def checked_pixels(pixels):
    """`pixels` after refusing a shape other than (N, 784) and values outside [0, 1] (NaN included).

    A loaded signature does not enforce its declared shape by itself, and raw 0-255 images would
    otherwise be answered wrongly rather than refused.
    """
    pixels = tf.ensure_shape(pixels, [None, NUM_PIXELS], name="pixels_must_be_N_by_784")
    message = "pixels must be float32 values in [0, 1] (divide 0-255 images by 255)"
    checks = [tf.debugging.assert_greater_equal(pixels, 0.0, message=message),
              tf.debugging.assert_less_equal(pixels, 1.0, message=message)]
    with tf.control_dependencies(checks):
        return tf.identity(pixels)


def digit_classifier_signature(model, outputs_from):
    """serving_default for an MNIST classifier: `pixels` float32 (None, 784) -> named outputs.

    Args:
        outputs_from: maps the model's outputs to the signature's dict of named tensors.
    """

    @tf.function(input_signature=[PIXELS_SPEC])
    def serve(pixels):
        return outputs_from(model(checked_pixels(pixels), training=False))

    return serve


def probabilities_and_digit(outputs):
    """The outputs of a softmax classifier over the labels 0..9: `probabilities` and `digit` (int64)."""
    probabilities = tf.ensure_shape(outputs["probabilities"], [None, NUM_CLASSES])
    return {"probabilities": probabilities, "digit": tf.argmax(outputs["logits"], axis=-1)}


MAX_ABS_X = 1e15   # |x| up to which float64 keeps w x + b exact enough for a net with kinks near [0, 1]


def _relu_net_in_float64(model, x):
    """h(x) = sum_j v_j ReLU(w_j x + b_j) + c in float64: in float32, w x + b cancels for large x (1e8 - 1 == 1e8),
    so a net that is 1 for every x >= 1 would give 0 there."""
    def weight(variable):
        return tf.cast(variable, tf.float64)

    hidden = tf.nn.relu(tf.cast(x, tf.float64) @ weight(model.hidden.kernel) + weight(model.hidden.bias))
    return hidden @ weight(model.output_unit.kernel) + weight(model.output_unit.bias)


def scalar_function_signature(model):
    """serving_default for a function R -> R (Problem 4's ReLU nets): `x` float32 (None, 1) -> `y` (None, 1)."""

    @tf.function(input_signature=[X_SPEC])
    def serve(x):
        x = tf.ensure_shape(x, [None, 1], name="x_must_be_N_by_1")
        checks = [tf.debugging.assert_all_finite(x, "x must be finite"),
                  tf.debugging.assert_less_equal(tf.abs(x), tf.constant(MAX_ABS_X, tf.float32), message=(
                      f"x must lie within +-{MAX_ABS_X:g}: beyond it float64 no longer resolves the net's kinks"))]
        with tf.control_dependencies(checks):
            return {"y": tf.cast(_relu_net_in_float64(model, tf.identity(x)), tf.float32)}

    return serve


def _checked_tokens(tokens, vocab_size):
    message = f"tokens must be ids in 0..{vocab_size - 1}"
    checks = [tf.debugging.assert_non_negative(tokens, message=message),
              tf.debugging.assert_less(tokens, tf.constant(vocab_size, tf.int32), message=message),
              tf.debugging.assert_positive(tf.shape(tokens)[1], message="tokens need at least one time step")]
    with tf.control_dependencies(checks):
        return tf.identity(tokens)


def recurrent_language_model_signature(model):
    """serving_default for an RNN LM: `tokens` int32 (B, T) and `state` float32 (B, H) ->
    `next_token_probabilities` (B, V) after the last token and the new `state` (B, H).

    The state goes in and out explicitly, so a server can generate step by step; start from zeros.
    """

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32, name="tokens"),
                                  tf.TensorSpec([None, model.hidden_size], tf.float32, name="state")])
    def serve(tokens, state):
        tokens = tf.ensure_shape(tokens, [None, None], name="tokens_must_be_B_by_T")   # loaded, it checks no rank
        state = tf.ensure_shape(state, [None, model.hidden_size], name="state_must_be_B_by_H")
        same_batch = tf.debugging.assert_equal(tf.shape(state)[0], tf.shape(tokens)[0],
                                               message="state needs one row per row of tokens (B, H)")
        with tf.control_dependencies([same_batch]):
            state = tf.debugging.check_numerics(state, "state must be finite (start from zeros)")
        logits, final = model(_checked_tokens(tokens, model.vocab_size), state)
        return {"next_token_probabilities": tf.nn.softmax(logits[:, -1]), "state": final}

    return serve


def ngram_language_model_signature(model, context, vocab_size):
    """serving_default for a neural n-gram: `tokens` int32 (B, n - 1) -> `next_token_probabilities` (B, V)."""

    @tf.function(input_signature=[tf.TensorSpec([None, context], tf.int32, name="tokens")])
    def serve(tokens):
        tokens = tf.ensure_shape(tokens, [None, context], name="tokens_must_be_B_by_context")
        return {"next_token_probabilities": tf.nn.softmax(model(_checked_tokens(tokens, vocab_size)))}

    return serve


WARMUP_FILE = pathlib.Path("assets.extra") / "tf_serving_warmup_requests"


def warmup_inputs(input_signature):
    """A valid request for a signature: zeros of each input's dtype, with every unknown dimension 1."""
    return {spec.name: np.zeros([1 if d is None else d for d in spec.shape], spec.dtype.as_numpy_dtype)
            for spec in input_signature}


def write_warmup_requests(saved_model_dir, model_name, input_signatures):
    """TF Serving's warm-up file: one PredictionLog per signature, so the first real request is fast.

    Args:
        input_signatures: `{signature_name: [tf.TensorSpec with a name, ...]}`.
    """
    from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2

    path = pathlib.Path(saved_model_dir) / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for signature_name, specs in input_signatures.items():
            request = predict_pb2.PredictRequest(
                model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature_name))
            for input_name, value in warmup_inputs(specs).items():
                request.inputs[input_name].CopyFrom(tf.make_tensor_proto(value))
            log = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())
    return path


def saved_input_signatures(saved_model_dir):
    """`{signature_name: [TensorSpec, ...]}` read back from a SavedModel (for exports made earlier)."""
    if not (_as_path(saved_model_dir, "saved_model_dir") / "saved_model.pb").is_file():
        raise ValueError(f"no SavedModel at {saved_model_dir}: it holds no saved_model.pb")
    loaded = tf.saved_model.load(str(saved_model_dir))
    return {name: [spec for spec in function.structured_input_signature[1].values()]
            for name, function in loaded.signatures.items()}


def _unreadable_warmup(path):
    """Why the warm-up file at `path` cannot be read as TF Serving's PredictionLogs, or None when it can."""
    from tfsheet.serving.load_check import _check_warmup

    try:
        return _check_warmup(path)
    except Exception as error:  # noqa: BLE001 - a damaged record fails in the reader or the parser
        return f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"


def add_missing_warmup(root, models=None, report=None):
    """Write warm-up files into versions exported without one (adds a file; the model is untouched): every model
    under `root`, or only `models`. Each path is passed to `report` as soon as its file is written; a version that
    cannot be read is skipped, not the end of the work. Returns (the paths written, [(path, why) skipped])."""
    root = _as_path(root, "root")
    if not root.is_dir():
        raise ValueError(f"no SavedModel root at {root}: {'it is a file' if root.exists() else 'no such folder'}")
    added, skipped = [], []
    for model_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                            and (not models or p.name in models)):
        for version in versions(model_dir):
            path = version_dir(model_dir, version)
            if (path / WARMUP_FILE.parent).exists() and not (path / WARMUP_FILE.parent).is_dir():
                skipped.append((path, f"{path / WARMUP_FILE.parent} is a file, where TF Serving looks for a folder of "
                                      "extra files; move it away and run --add-missing-warmup again"))
                continue
            if (path / WARMUP_FILE).exists():
                problem = _unreadable_warmup(path / WARMUP_FILE)
                if problem:                     # present but damaged: said, not replaced (it may be someone's)
                    skipped.append((path, f"its warm-up file is unreadable ({problem}); delete {path / WARMUP_FILE} "
                                          "and run --add-missing-warmup again to write a new one"))
                continue
            try:
                write_warmup_requests(path, model_dir.name, saved_input_signatures(path))
            except Exception as error:  # noqa: BLE001 - a damaged version must not stop the others
                reason = " ".join(str(error).split())[:200]
                skipped.append((path, f"it cannot be read ({type(error).__name__}: {reason})"))
                continue
            added.append(path)
            if report is not None:
                report(path)
    return added, skipped
