"""What TF Serving accepts as a model's name and version, written once for the exports and the clients (this module
imports nothing heavy, so the clients stay free of TensorFlow)."""

import re

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")   # goes into a URL path and a model_spec as it is
MAX_VERSION = 2**63 - 1                                   # a version folder's name is read as an int64
