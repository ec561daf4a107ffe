"""A client for TF Serving, the only code that sends to a server: REST and gRPC, numpy in and out.

    client = RestClient("http://localhost:8501")          # or GrpcClient("localhost:8500")
    outputs = client.predict("softmax_regression", {"pixels": images})   # {"probabilities": ..., "digit": ...}
    client.status("softmax_regression"); client.metadata("softmax_regression")

Before sending, a request is checked against the signature the server reports (its metadata, fetched
once per model and version): unknown signature or input names, missing inputs, wrong dtypes and
wrong shapes are refused with ServingRequestError and nothing is sent. Connection failures raise
ServingConnectionError after the configured retries; errors the server returns raise ServerError
with TF Serving's own message. An unknown model name lists the models of `models_config`.
"""

import http.client
import json
import math
import pathlib
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from tfsheet.addresses import is_host_port
from tfsheet.errors import TfsheetError
from tfsheet.serving.names import MAX_VERSION, MODEL_NAME

DTYPES = {"DT_FLOAT": np.float32, "DT_DOUBLE": np.float64, "DT_INT32": np.int32, "DT_INT64": np.int64,
          "DT_STRING": np.object_, "DT_BOOL": np.bool_, "DT_UINT8": np.uint8}
MAX_RETRIES = 10       # with backoff doubling per attempt, more would wait for days
MAX_TIMEOUT = 86_400   # seconds: a day; the socket layer overflows far past it, and no request should wait longer
DTYPE_ENUMS = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 9: "DT_INT64", 7: "DT_STRING", 10: "DT_BOOL", 4: "DT_UINT8"}


class ServingError(TfsheetError):
    """Base class of the client's errors."""


class ServingRequestError(ServingError):
    """The request does not fit the model's signature; it was not sent."""


class ServingConnectionError(ServingError):
    """The server could not be reached (after retries)."""


class ServerError(ServingError):
    """The server answered with an error; the message is TF Serving's."""


class _Client:
    def __init__(self, timeout=10.0, retries=2, backoff=0.5, models_config=None):
        def number(value):
            return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

        if not (number(timeout) and 0 < timeout <= MAX_TIMEOUT):
            raise ValueError(f"timeout must be a number of seconds > 0 and at most {MAX_TIMEOUT:,} (a day). Received: "
                             f"timeout={timeout!r}")
        if not (isinstance(retries, int) and not isinstance(retries, bool) and 0 <= retries <= MAX_RETRIES):
            raise ValueError(f"retries must be an int from 0 to {MAX_RETRIES}. Received: retries={retries!r}")
        if not (number(backoff) and 0 <= backoff <= 60):
            raise ValueError(f"backoff must be from 0 to 60 (seconds before the first retry, doubling per retry). "
                             f"Received: backoff={backoff!r}")
        if models_config is not None and (not isinstance(models_config, (str, pathlib.PurePath))
                                          or not pathlib.Path(models_config).is_file()):
            raise ValueError(f"models_config must be None or the server's models.config file (its model names then "
                             f"complete a 'not served' error). No such file: {models_config!r}")
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.models_config = models_config
        self._signatures = {}

    def _with_retries(self, call, what):
        for attempt in range(self.retries + 1):
            try:
                return call()
            except ServingConnectionError:
                if attempt == self.retries:
                    raise
                time.sleep(self.backoff * 2 ** attempt)
        raise AssertionError(what)  # unreachable

    def _not_found(self, model, message):
        known = ""
        if self.models_config and pathlib.Path(self.models_config).is_file():
            from tfsheet.serving.models_config import read_model_names

            try:
                known = f" Models in {self.models_config}: {', '.join(read_model_names(self.models_config))}."
            except Exception as error:  # noqa: BLE001 - a damaged models.config must not hide the server's message
                known = f" ({self.models_config} is not a readable models.config: {type(error).__name__}.)"
        return ServerError(f"model {model!r} is not served: {message}.{known}")

    @staticmethod
    def _check_model(model, version):
        """Refuse a model name or version no request should carry (they go into a URL or a model_spec as they are)."""
        if not isinstance(model, str) or not MODEL_NAME.fullmatch(model):
            raise ValueError(f"model must be a model's name: letters, digits, '_', '.' and '-'. Received: "
                             f"model={model!r}")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                    or not 1 <= version <= MAX_VERSION):
            raise ValueError(f"version must be None (the newest) or an int from 1 to 2**63 - 1. Received: "
                             f"version={version!r}")

    def signature(self, model, signature_name="serving_default", version=None):
        """(inputs, outputs): {name: (numpy dtype, shape with -1 for any)} of a served signature."""
        self._check_model(model, version)
        key = (model, version)
        if key not in self._signatures:
            self._signatures[key] = self._signature_defs(model, version)
        signatures = self._signatures[key]
        if signature_name not in signatures:
            raise ServingRequestError(f"model {model!r} has no signature {signature_name!r}; it has "
                                      f"{', '.join(sorted(signatures))}")
        empty = [part for part, named in zip(("inputs", "outputs"), signatures[signature_name]) if not named]
        if empty:
            raise ServingRequestError(f"signature {signature_name!r} of {model!r} has no {' and no '.join(empty)}, so "
                                      "no request can run it; export the model with named inputs and outputs")
        return signatures[signature_name]

    def _checked_inputs(self, model, inputs, signature_name, version):
        expected, _ = self.signature(model, signature_name, version)
        if not isinstance(inputs, dict):
            if len(expected) != 1:
                raise ServingRequestError(f"signature {signature_name!r} takes {sorted(expected)}; pass a dict")
            inputs = {next(iter(expected)): inputs}
        unknown, missing = set(inputs) - set(expected), set(expected) - set(inputs)
        if unknown or missing:
            raise ServingRequestError(f"signature {signature_name!r} of {model!r} takes inputs {sorted(expected)}; "
                                      f"received {sorted(inputs)}")
        checked = {}
        for name, value in inputs.items():
            dtype, shape = expected[name]
            try:
                array = np.asarray(value)
            except ValueError as error:          # a ragged nested list
                raise ServingRequestError(f"input {name!r} must be a rectangular array ({error})") from None
            if array.dtype != dtype and not (np.issubdtype(array.dtype, np.integer) and np.issubdtype(dtype, np.integer)
                                             and np.can_cast(array.dtype, dtype)):
                given = f"{array.dtype}" + (" (numpy's type for the Python list given)" if isinstance(value, list) else "")
                raise ServingRequestError(f"input {name!r} must be {np.dtype(dtype).name}: pass a numpy array of that "
                                          f"dtype; received {given}")
            if len(shape) != array.ndim or any(want not in (-1, got) for want, got in zip(shape, array.shape)):
                raise ServingRequestError(f"input {name!r} must have shape {tuple(shape)} (-1: any); "
                                          f"received {array.shape}")
            if array.ndim and not len(array):
                raise ServingRequestError(f"input {name!r} holds no examples (shape {array.shape}); send at least one")
            checked[name] = array.astype(dtype)
        return checked


def _url_problem(parts):
    """What makes the split URL `parts` unusable as a REST base URL, or "" when nothing does."""
    try:
        parts.port                          # a port that is not a number in 0..65535 raises
    except ValueError as error:
        return str(error)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "a scheme http or https and a host are needed"
    if parts.query or parts.fragment or any(c.isspace() or ord(c) < 32 for c in parts.netloc + parts.path):
        return "no query, fragment, spaces or control characters: the client adds /v1/models/..."
    if "/v1/" in parts.path + "/":
        return "the server's root only: the client adds /v1/models/..."
    return ""


class RestClient(_Client):
    """TF Serving's REST API (port 8501): /v1/models/<name>[/versions/<v>][:predict | /metadata]."""

    def __init__(self, base_url="http://localhost:8501", **options):
        super().__init__(**options)
        try:
            parts = urllib.parse.urlsplit(str(base_url))
        except ValueError as error:         # "http://[::1"
            parts, problem = None, str(error)
        if parts is not None:
            problem = _url_problem(parts)
        if problem:
            raise ValueError(f"base_url must be an http(s) URL of the server's REST port, such as http://localhost:8501 "
                             f"({problem}). Received: base_url={base_url!r}")
        self.base_url = str(base_url).rstrip("/")

    def _url(self, model, version, suffix=""):
        self._check_model(model, version)
        return f"{self.base_url}/v1/models/{model}" + (f"/versions/{int(version)}" if version else "") + suffix

    def _request(self, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})

        def send():
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                try:
                    return json.loads(body)
                except ValueError:
                    raise ServerError(f"{url} answered HTTP 200 with a body that is not JSON ({body[:80]!r}); is "
                                      f"{self.base_url} TF Serving's REST port?") from None
            except urllib.error.HTTPError as error:
                try:
                    message = json.loads(error.read()).get("error", str(error))
                except ValueError:
                    message = str(error)
                if error.code == 404:
                    raise self._not_found(url.split("/v1/models/")[1].split("/")[0].split(":")[0], message) from None
                raise ServerError(f"HTTP {error.code} from {url}: {message}") from None
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                raise ServingConnectionError(f"cannot reach TF Serving at {self.base_url}: {error}") from None
            except http.client.HTTPException as error:     # something answered, but not in HTTP/1.x
                raise ServingConnectionError(f"{self.base_url} does not answer in HTTP ({type(error).__name__}); is it "
                                             "TF Serving's REST port (8501), not its gRPC port (8500)?") from None

        return self._with_retries(send, url)

    def status(self, model, version=None):
        return self._request(self._url(model, version))

    def metadata(self, model, version=None):
        return self._request(self._url(model, version, "/metadata"))

    def _signature_defs(self, model, version):
        metadata = self.metadata(model, version)
        try:
            definitions = metadata["metadata"]["signature_def"]["signature_def"]
            return {name: tuple({key: (DTYPES[spec["dtype"]], [int(d["size"]) for d in spec["tensor_shape"].get("dim", [])])
                                 for key, spec in definition[part].items()} for part in ("inputs", "outputs"))
                    for name, definition in definitions.items()}
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ServerError(f"the metadata of {model!r} has no readable signature_def (missing or malformed "
                              f"{error}); is the server TF Serving, and the model a SavedModel?") from None

    def predict(self, model, inputs, signature_name="serving_default", version=None, request_format="columnar"):
        """Outputs of `signature_name` as {name: numpy array}; `request_format` is "columnar" or "row"."""
        if request_format not in ("columnar", "row"):
            raise ValueError(f"request_format must be 'columnar' or 'row'. Received: {request_format!r}")
        inputs = self._checked_inputs(model, inputs, signature_name, version)
        _, outputs = self.signature(model, signature_name, version)
        body = rest_request(inputs, signature_name, request_format)
        rows = len(next(iter(inputs.values())))
        return parse_rest_response(self._request(self._url(model, version, ":predict"), body), outputs, rows)


def rest_request(inputs, signature_name, request_format):
    """The JSON body TF Serving's REST predict API documents, for the row or columnar format."""
    if request_format == "columnar":
        return {"signature_name": signature_name, "inputs": {name: value.tolist() for name, value in inputs.items()}}
    names = list(inputs)
    count = len(inputs[names[0]])
    if len(names) == 1:
        return {"signature_name": signature_name, "instances": inputs[names[0]].tolist()}
    return {"signature_name": signature_name,
            "instances": [{name: inputs[name][i].tolist() for name in names} for i in range(count)]}


def parse_rest_response(response, outputs, rows=None):
    """{output name: numpy array} from a predict response in either format: every name one of the signature's
    `outputs`, every array with `rows` rows when given (one per example sent); ServerError for anything else."""
    arrays = _rest_outputs(response, outputs)
    unknown = sorted(set(arrays) - set(outputs))
    short = sorted(name for name, array in arrays.items() if rows is not None and (array.ndim == 0 or len(array) != rows))
    if unknown or short:
        raise ServerError("a predict response that is not the signature's: "
                          + (f"outputs {unknown} it does not have " if unknown else "")
                          + (f"outputs {short} without one row for each of the {rows} examples sent" if short else "")
                          + f": {str(response)[:120]}")
    return arrays


def _rest_outputs(response, outputs):
    try:
        if "outputs" in response:
            values = response["outputs"]
            values = values if isinstance(values, dict) else {next(iter(outputs)): values}
        else:
            predictions = response["predictions"]
            if predictions and isinstance(predictions[0], dict):
                values = {name: [row[name] for row in predictions] for name in predictions[0]}
            else:
                values = {next(iter(outputs)): predictions}
        if any(value is None for value in values.values()):
            raise ValueError("an output is null")
        return {name: np.asarray(value, dtype=outputs[name][0] if name in outputs else None)
                for name, value in values.items()}
    except (KeyError, TypeError, ValueError, StopIteration) as error:
        raise ServerError(f"a predict response neither in the row nor in the columnar format ({type(error).__name__}: "
                          f"{error}): {str(response)[:120]}") from None


def _is_grpc_target(target):
    """Whether `target` names a gRPC server: host:port (port 1..65535), or a unix: socket path."""
    if not isinstance(target, str):
        return False
    if target.startswith("unix:"):
        return len(target) > len("unix:")
    return is_host_port(target)


class GrpcClient(_Client):
    """TF Serving's gRPC API (port 8500): PredictionService.Predict and GetModelMetadata."""

    def __init__(self, target="localhost:8500", **options):
        super().__init__(**options)
        if not _is_grpc_target(target):
            raise ValueError(f"target must be host:port with a port in 1..65535, such as localhost:8500 (or a "
                             f"unix: socket). Received: target={target!r}")
        import grpc
        from tensorflow_serving.apis import prediction_service_pb2_grpc

        self.target = target
        self._grpc = grpc
        self._stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(target))

    def _call(self, method, request, model):
        grpc = self._grpc

        def send():
            try:
                return method(request, timeout=self.timeout)
            except grpc.RpcError as error:
                code = error.code()
                if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise ServingConnectionError(f"cannot reach TF Serving at {self.target}: {error.details()}") from None
                if code == grpc.StatusCode.NOT_FOUND:
                    raise self._not_found(model, error.details()) from None
                raise ServerError(f"{code.name} from {self.target}: {error.details()}") from None

        return self._with_retries(send, model)

    def _model_spec(self, request, model, version, signature_name=None):
        self._check_model(model, version)
        request.model_spec.name = model
        if version:
            request.model_spec.version.value = int(version)
        if signature_name:
            request.model_spec.signature_name = signature_name

    def metadata(self, model, version=None):
        from tensorflow_serving.apis import get_model_metadata_pb2

        request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
        self._model_spec(request, model, version)
        response = self._call(self._stub.GetModelMetadata, request, model)
        signature_map = get_model_metadata_pb2.SignatureDefMap()
        response.metadata["signature_def"].Unpack(signature_map)
        return signature_map

    def _signature_defs(self, model, version):
        return {name: tuple({key: (DTYPES[DTYPE_ENUMS[spec.dtype]], [d.size for d in spec.tensor_shape.dim])
                             for key, spec in getattr(definition, part).items()} for part in ("inputs", "outputs"))
                for name, definition in self.metadata(model, version).signature_def.items()}

    def predict(self, model, inputs, signature_name="serving_default", version=None):
        import tensorflow as tf
        from tensorflow_serving.apis import predict_pb2

        inputs = self._checked_inputs(model, inputs, signature_name, version)
        request = predict_pb2.PredictRequest()
        self._model_spec(request, model, version, signature_name)
        for name, value in inputs.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
        response = self._call(self._stub.Predict, request, model)
        return {name: tf.make_ndarray(tensor) for name, tensor in response.outputs.items()}
