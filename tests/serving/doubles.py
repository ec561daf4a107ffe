"""Stand-ins for TF Serving on 127.0.0.1, answering in its documented REST and gRPC formats.

They serve the real SavedModels under a root (computing with tf.saved_model.load), so a client test
against them checks the request and response formats and the exports together. They are not TF
Serving: the live test in test_serving.py runs against the real server when one is reachable.
"""

import json
import pathlib
import re
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import numpy as np
import tensorflow as tf
from google.protobuf import json_format
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import get_model_metadata_pb2, predict_pb2, prediction_service_pb2_grpc

from tfsheet.serving.export import versions


class ModelStore:
    """Loads saved_models/<name>/<version> on demand; counts the predict requests it answers."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.loaded = {}
        self.predictions = 0

    def path(self, name, version=None):
        model_dir = self.root / name
        available = versions(model_dir)
        if not available or (version and int(version) not in available):
            raise KeyError(f"Servable not found for request: {'Specific' if version else 'Latest'}({name}"
                           f"{', ' + str(version) if version else ''})")
        return model_dir / str(int(version) if version else available[-1])

    def signature_defs(self, name, version=None):
        saved_model = saved_model_pb2.SavedModel()
        saved_model.ParseFromString((self.path(name, version) / "saved_model.pb").read_bytes())
        return {key: value for key, value in saved_model.meta_graphs[0].signature_def.items()
                if not key.startswith("__")}

    def predict(self, name, version, signature_name, inputs):
        path = self.path(name, version)
        if path not in self.loaded:
            self.loaded[path] = tf.saved_model.load(str(path))
        signatures = self.loaded[path].signatures
        if signature_name not in signatures:
            raise ValueError(f"Serving signature name: \"{signature_name}\" not found in signature def")
        specs = signatures[signature_name].structured_input_signature[1]
        self.predictions += 1
        outputs = signatures[signature_name](**{k: tf.constant(np.asarray(v), specs[k].dtype) for k, v in inputs.items()})
        return {key: value.numpy() for key, value in outputs.items()}


def start_rest(store):
    """A ThreadingHTTPServer on a free loopback port; returns (server, base_url)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self):
            match = re.fullmatch(r"/v1/models/([^/:]+)(?:/versions/(\d+))?(/metadata|:predict)?", self.path)
            if not match:
                raise LookupError(f"Malformed request: {self.command} {self.path}")
            return match.groups()

        def do_GET(self):
            try:
                name, version, suffix = self._route()
                if suffix == "/metadata":
                    definitions = {key: json_format.MessageToDict(value, preserving_proto_field_name=True)
                                   for key, value in store.signature_defs(name, version).items()}
                    self._reply(200, {"model_spec": {"name": name, "signature_name": "", "version": str(
                        store.path(name, version).name)}, "metadata": {"signature_def": {
                            "signature_def": definitions,
                            "@type": "type.googleapis.com/tensorflow.serving.SignatureDefMap"}}})
                else:
                    self._reply(200, {"model_version_status": [{"version": store.path(name, version).name,
                                                                "state": "AVAILABLE",
                                                                "status": {"error_code": "OK", "error_message": ""}}]})
            except KeyError as error:
                self._reply(404, {"error": error.args[0]})

        def do_POST(self):
            try:
                name, version, suffix = self._route()
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                signature_name = body.get("signature_name", "serving_default")
                if "inputs" in body:
                    inputs = body["inputs"] if isinstance(body["inputs"], dict) else {
                        next(iter(store.signature_defs(name, version)[signature_name].inputs)): body["inputs"]}
                    outputs = store.predict(name, version, signature_name, inputs)
                    self._reply(200, {"outputs": {k: v.tolist() for k, v in outputs.items()}})
                else:
                    instances = body["instances"]
                    if instances and isinstance(instances[0], dict):
                        inputs = {k: [row[k] for row in instances] for k in instances[0]}
                    else:
                        inputs = {next(iter(store.signature_defs(name, version)[signature_name].inputs)): instances}
                    outputs = store.predict(name, version, signature_name, inputs)
                    self._reply(200, {"predictions": [{k: v[i].tolist() for k, v in outputs.items()}
                                                      for i in range(len(next(iter(outputs.values()))))]})
            except KeyError as error:
                self._reply(404, {"error": error.args[0]})
            except (ValueError, LookupError, tf.errors.InvalidArgumentError) as error:
                self._reply(400, {"error": getattr(error, "message", str(error))})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class _Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, store):
        self.store = store

    def Predict(self, request, context):
        version = request.model_spec.version.value or None
        try:
            inputs = {key: tf.make_ndarray(value) for key, value in request.inputs.items()}
            outputs = self.store.predict(request.model_spec.name, version,
                                         request.model_spec.signature_name or "serving_default", inputs)
        except KeyError as error:
            context.abort(grpc.StatusCode.NOT_FOUND, error.args[0])
        except (ValueError, tf.errors.InvalidArgumentError) as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, getattr(error, "message", str(error)))
        response = predict_pb2.PredictResponse()
        response.model_spec.name = request.model_spec.name
        for key, value in outputs.items():
            response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
        return response

    def GetModelMetadata(self, request, context):
        try:
            definitions = self.store.signature_defs(request.model_spec.name, request.model_spec.version.value or None)
        except KeyError as error:
            context.abort(grpc.StatusCode.NOT_FOUND, error.args[0])
        signature_map = get_model_metadata_pb2.SignatureDefMap()
        for key, value in definitions.items():
            signature_map.signature_def[key].CopyFrom(value)
        response = get_model_metadata_pb2.GetModelMetadataResponse()
        response.model_spec.name = request.model_spec.name
        response.metadata["signature_def"].Pack(signature_map)
        return response


def start_grpc(store):
    """A gRPC server on a free loopback port; returns (server, target)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(_Servicer(store), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"
