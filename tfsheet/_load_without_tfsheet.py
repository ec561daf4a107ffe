"""Loads a SavedModel the two ways a server can, in a process that must not import tfsheet.

Run as a script:  python _load_without_tfsheet.py SAVED_MODEL SIGNATURE INPUTS.npz OUTPUTS.npz
It feeds the arrays of INPUTS.npz to SIGNATURE by input name, (1) through tf.saved_model.load and
(2) through the TF1 session loader with tag "serve" (what TF Serving's C++ loader does), feeding and
fetching by the tensor names of the SignatureDef only, and saves both results to OUTPUTS.npz as
"tf2/<output>" and "session/<output>". It uses nothing but TensorFlow and NumPy.
"""

import json
import sys

import numpy as np
import tensorflow as tf


def main(saved_model, signature, inputs_path, outputs_path):
    inputs = dict(np.load(inputs_path))
    results = {}

    loaded = tf.saved_model.load(saved_model)
    for name, value in loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()}).items():
        results[f"tf2/{name}"] = value.numpy()

    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], saved_model)
        signature_def = meta_graph.signature_def[signature]
        feed = {signature_def.inputs[name].name: value for name, value in inputs.items()}
        names = sorted(signature_def.outputs)
        fetched = session.run([signature_def.outputs[name].name for name in names], feed_dict=feed)
        results.update({f"session/{name}": value for name, value in zip(names, fetched)})
        description = {
            "inputs": {k: [v.dtype, [d.size for d in v.tensor_shape.dim]] for k, v in signature_def.inputs.items()},
            "outputs": {k: [v.dtype, [d.size for d in v.tensor_shape.dim]] for k, v in signature_def.outputs.items()},
            "method_name": signature_def.method_name,
        }

    np.savez(outputs_path, **results)
    print(json.dumps({"tfsheet_imported": "tfsheet" in sys.modules, "signature_def": description}))


if __name__ == "__main__":
    main(*sys.argv[1:])
