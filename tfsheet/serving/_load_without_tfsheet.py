"""Loads a SavedModel the two ways a server can, in a process that must not import tfsheet.

Run as a script:  python _load_without_tfsheet.py SAVED_MODEL SIGNATURE INPUTS.npz OUTPUTS.npz
It feeds the arrays of INPUTS.npz to SIGNATURE by input name, (1) through tf.saved_model.load and
(2) through the TF1 session loader with tag "serve" (what TF Serving's C++ loader does), feeding and
fetching by the tensor names of the SignatureDef only, and saves both results to OUTPUTS.npz as
"tf2/<output>" and "session/<output>". It prints a JSON report with the SignatureDef and the error
of each loader that failed. It uses nothing but TensorFlow and NumPy.
"""

import json
import sys

import numpy as np
import tensorflow as tf


def run_tf2(saved_model, signature, inputs):
    loaded = tf.saved_model.load(saved_model)
    if signature not in loaded.signatures:
        raise KeyError(f"no signature {signature!r}; the model has {sorted(loaded.signatures)}")
    function = loaded.signatures[signature]
    check_inputs(signature, function.structured_input_signature[1], inputs)
    outputs = function(**{name: tf.constant(value) for name, value in inputs.items()})
    return {name: value.numpy() for name, value in outputs.items()}


def check_inputs(signature, specs, inputs):
    """Raise ValueError naming the input whose name, dtype or shape `signature`'s TensorSpecs refuse
    (TensorFlow's own error names only an input's position)."""
    if set(inputs) != set(specs):
        raise ValueError(f"signature {signature!r} takes inputs {sorted(specs)}; received {sorted(inputs)}")
    for name, spec in specs.items():
        value = inputs[name]
        if value.dtype != spec.dtype.as_numpy_dtype:
            raise ValueError(f"input {name!r} of signature {signature!r} must be {spec.dtype.name}; "
                             f"received {value.dtype}")
        if not spec.shape.is_compatible_with(value.shape):
            raise ValueError(f"input {name!r} of signature {signature!r} must have shape {spec.shape} "
                             f"(None: any); received {value.shape}")


def run_session(saved_model, signature, inputs, report):
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], saved_model)
        signature_def = meta_graph.signature_def[signature]
        report["signature_def"] = {
            "inputs": {k: [v.dtype, [d.size for d in v.tensor_shape.dim]] for k, v in signature_def.inputs.items()},
            "outputs": {k: [v.dtype, [d.size for d in v.tensor_shape.dim]] for k, v in signature_def.outputs.items()},
            "method_name": signature_def.method_name,
        }
        feed = {signature_def.inputs[name].name: value for name, value in inputs.items()}
        names = sorted(signature_def.outputs)
        fetched = session.run([signature_def.outputs[name].name for name in names], feed_dict=feed)
    return dict(zip(names, fetched))


def main(saved_model, signature, inputs_path, outputs_path):
    inputs = dict(np.load(inputs_path))
    report = {"errors": {}}
    results = {}
    for loader, run in (("tf2", lambda: run_tf2(saved_model, signature, inputs)),
                        ("session", lambda: run_session(saved_model, signature, inputs, report))):
        try:
            results.update({f"{loader}/{name}": value for name, value in run().items()})
        except Exception as error:  # reported to the caller, who decides what is acceptable
            report["errors"][loader] = f"{type(error).__name__}: {error}"
    np.savez(outputs_path, **results)
    report["tfsheet_imported"] = "tfsheet" in sys.modules
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:])
