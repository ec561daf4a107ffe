"""TFDS, the way tfsheet calls it: quiet unless verbose, and failing in seconds when it would have to
download with no network (TFDS itself retries for minutes before it gives up).
"""

import contextlib
import io
import logging
import socket

from tfsheet import console, settings
from tfsheet.errors import DataError

CONNECT_SECONDS = 3.0


def tfds_module():
    """tensorflow_datasets, its progress bars off unless verbose."""
    import tensorflow_datasets as tfds

    if not console.verbose():
        tfds.disable_progress_bar()
    return tfds


@contextlib.contextmanager
def quietly():
    """TFDS's own prints ("Downloading and preparing dataset ...", "Dataset ... prepared") and its absl warnings
    kept out of the command's output, unless verbose; errors still raise."""
    if console.verbose():
        yield
        return
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        absl.setLevel(level)


def require_prepared_or_reachable(name, host):
    """Return at once if TFDS has `name` prepared in its data folder; otherwise check that `host` (where TFDS
    downloads it from) answers within CONNECT_SECONDS, and raise DataError naming the offline fix if not."""
    with quietly():
        builder = tfds_module().builder(name, data_dir=settings.tfds_data_dir())
        prepared = builder.is_prepared()
    if prepared:
        return
    try:
        socket.create_connection((host, 443), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        raise DataError(f"TFDS must download {name} from {host}, which did not answer ({error}). Without internet, "
                        f"set {settings.DATA_DIR_ENV} to the offline data folder (it holds mnist/ and "
                        "tiny_shakespeare/; see the README's Data section).") from error


def writable_tfds_dir():
    """TFDS's data_dir for an offline build (settings.tfds_data_dir), made if missing; a DataError that names
    TFSHEET_CACHE_DIR when it cannot be a writable folder (None: TFDS's own default)."""
    folder = settings.tfds_data_dir()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".tfsheet-write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise DataError(f"The TFDS cache {folder} is not a writable folder ({error.strerror or error}); set "
                        f"{settings.CACHE_DIR_ENV} to a folder you can write (now {settings.cache_dir()}).") from None
    return folder
