"""TF Serving's model config file for every model under saved_models/: `tfsheet serving-config`.

    model_config_list {
      config { name: "softmax_regression"  base_path: "/models/softmax_regression"  model_platform: "tensorflow"
               model_version_policy { latest { num_versions: 1 } } }
      ...
    }

base_path is where the server sees the model: /models/<name> when saved_models/ is mounted at
/models in the official container (the README's command); pass another prefix for a local server.
"""

import os
import pathlib
import tempfile

from tfsheet import settings
from tfsheet.errors import TfsheetError
from tfsheet.serving.export import versions

CONFIG_FILE = "models.config"


def exported_models(root=None):
    """Names of the models under the SavedModel root that have at least one integer version."""
    root = pathlib.Path(root or settings.saved_models_dir())
    return sorted(p.name for p in root.iterdir() if p.is_dir() and versions(p)) if root.is_dir() else []


def serving_config_text(names, base_path="/models", keep_versions=1):
    """The text-format ModelServerConfig serving the newest `keep_versions` versions of each model.

    `names` is a list of model names (TF Serving picks the newest versions itself), or a dict of name ->
    the versions to serve (a `specific` policy: the versions that passed the check).
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    if keep_versions < 1:
        raise ValueError(f"keep_versions must be >= 1. Received: keep_versions={keep_versions!r}")
    config = model_server_config_pb2.ModelServerConfig()
    for name in names:
        entry = config.model_config_list.config.add()
        entry.name = name
        entry.base_path = f"{base_path.rstrip('/')}/{name}"
        entry.model_platform = "tensorflow"
        if isinstance(names, dict):
            entry.model_version_policy.specific.versions.extend(names[name])
        else:
            entry.model_version_policy.latest.num_versions = keep_versions
    return text_format.MessageToString(config)


def servable_versions(root, keep_versions=1):
    """({name: the newest `keep_versions` versions that pass the load check}, [(name, version, problem) skipped]).

    Versions are checked newest first, in fresh processes, until enough pass; a model none of whose
    versions passes is left out.
    """
    from tfsheet.serving.load_check import check_model_version

    root = pathlib.Path(root)
    chosen, skipped = {}, []
    for name in exported_models(root):
        passing = []
        for version in reversed(versions(root / name)):
            problem = check_model_version(root / name, version)
            if problem is None:
                passing.append(version)
                if len(passing) == keep_versions:
                    break
            else:
                skipped.append((name, version, problem))
        if passing:
            chosen[name] = sorted(passing)
    return chosen, skipped


def write_serving_config(root=None, base_path="/models", keep_versions=1):
    """Regenerate <root>/models.config for every exported model, serving only versions that pass the load
    check (see servable_versions); atomic, readable by all (a server often runs as another user).

    Returns (its path, the skipped versions as (name, version, problem)); raises TfsheetError, leaving the file as
    it was, when no version passes.
    """
    if keep_versions < 1:
        raise ValueError(f"keep_versions must be >= 1. Received: keep_versions={keep_versions!r}")
    root = pathlib.Path(root or settings.saved_models_dir())
    if (root / CONFIG_FILE).is_dir():
        raise TfsheetError(f"{root / CONFIG_FILE} is a folder; remove it, and the server's config file is written there.")
    chosen, skipped = servable_versions(root, keep_versions)
    if not chosen:                      # an empty config would make the server serve nothing, and say nothing
        problems = "; ".join(f"{name}/{version}: {problem}" for name, version, problem in skipped[:3])
        raise TfsheetError(f"no version under {root} passes the load check, so {root / CONFIG_FILE} was left as it "
                           f"was ({problems or 'no versions'}); export the models again (tfsheet export)")
    text = serving_config_text(chosen, base_path, keep_versions)
    with tempfile.NamedTemporaryFile("w", dir=root, suffix=".tmp", delete=False) as stream:
        stream.write(text)
    try:
        os.chmod(stream.name, 0o644)
        os.replace(stream.name, root / CONFIG_FILE)
    finally:
        pathlib.Path(stream.name).unlink(missing_ok=True)   # a failed replace leaves no temporary file behind
    return root / CONFIG_FILE, skipped


def read_model_names(config_path):
    """The model names a models.config file serves (for clear "no such model" errors)."""
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = text_format.Parse(pathlib.Path(config_path).read_text(), model_server_config_pb2.ModelServerConfig())
    return [entry.name for entry in config.model_config_list.config]
