"""What a command prints: its own progress and results, not the libraries' start-up chatter.

TensorFlow's C++ runtime writes absl log lines to the process's stderr (`I0000 00:00:... cpu_feature_guard.cc:...`,
`E0000 ... cuda_platform.cc ... failed call to cuInit`) from threads and at moments no Python setting
reaches; TF_CPP_MIN_LOG_LEVEL does not stop all of them. So, unless verbose, `quiet()` routes file
descriptor 2 through a pipe whose reader drops exactly the lines in absl's format and passes
everything else on, in order; Python's `tensorflow` and `absl` loggers are set to errors only, and
TFDS's progress bars are turned off where tfsheet calls TFDS. `--verbose` on the command line, or
TFSHEET_VERBOSE=1, leaves every library's output alone.
"""

import atexit
import logging
import os
import re
import sys
import threading

from tfsheet.errors import TfsheetError

VERBOSE_ENV = "TFSHEET_VERBOSE"
VERBOSE_VALUES = ("1", "true", "yes")
QUIET_VALUES = ("", "0", "false", "no")
# "I0000 00:00:1795893015.164088   18326 cudart_stub.cc:31] ..." and absl's notice before its logger starts
ABSL_LINE = re.compile(rb"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ [^ \]]+:\d+\] |"
                       rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)")

_state = {"interactive": None, "verbose": None, "stop": None, "real_stderr": 2}


def verbose():
    """Whether the libraries' own logs are wanted: --verbose, or TFSHEET_VERBOSE set to 1/true/yes."""
    if _state["verbose"] is not None:
        return _state["verbose"]
    text = os.environ.get(VERBOSE_ENV, "").strip().lower()
    if text not in VERBOSE_VALUES + QUIET_VALUES:
        raise TfsheetError(f"{VERBOSE_ENV} must be one of {', '.join(VERBOSE_VALUES + QUIET_VALUES[1:])} "
                           f"(or unset). Received: {text!r}")
    return text in VERBOSE_VALUES


def interactive():
    """Whether stderr is a terminal (checked before any redirection): progress may then redraw one line."""
    if _state["interactive"] is None:
        _state["interactive"] = os.isatty(2)
    return _state["interactive"]


def real_stderr():
    """The file descriptor of the terminal or log this process's stderr goes to, past the filter: for a helper
    process whose last words must arrive even if this process is then killed (the filter dies with it)."""
    return _state["real_stderr"]


def quiet(want_verbose=False):
    """Keep the libraries' logs out of this process's output (see the module), unless verbose. Idempotent."""
    _state["verbose"] = bool(want_verbose) or verbose()
    interactive()
    if _state["verbose"] or _state["stop"] is not None:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in ("tensorflow", "absl", "h5py", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    _state["stop"] = _filter_native_stderr()


ABSL_NOTICE = b"WARNING: All log messages before absl::InitializeLog()"


def _may_become_absl(text):
    """Whether an unfinished line could still turn out to be an absl line (so it must wait for its end)."""
    if re.match(rb"[IWEF](\d|$)", text):
        return True
    return ABSL_NOTICE.startswith(text[:len(ABSL_NOTICE)]) or text.startswith(ABSL_NOTICE)


def _filter_native_stderr():
    """fd 2 -> a pipe; a reader thread writes every segment that is not an absl line to the real stderr."""
    sys.stderr.flush()
    real = os.dup(2)
    _state["real_stderr"] = real
    reader, writer = os.pipe()
    os.dup2(writer, 2)
    os.close(writer)

    def pump():
        pending = b""
        while True:
            chunk = os.read(reader, 1 << 16)
            if not chunk:
                break
            pending += chunk
            pieces = re.split(rb"(?<=[\r\n])", pending)      # keep each line with its ending (\n, or \r of a redraw)
            pending = pieces.pop()
            for piece in pieces:
                if not ABSL_LINE.match(piece):
                    os.write(real, piece)
            if pending and not _may_become_absl(pending):   # a progress line being redrawn: show it now
                os.write(real, pending)
                pending = b""
        if pending and not ABSL_LINE.match(pending):
            os.write(real, pending)
        os.close(reader)

    thread = threading.Thread(target=pump, name="tfsheet-stderr-filter", daemon=True)
    thread.start()

    def stop():
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(real, 2)          # closes the pipe's last write end: the reader sees the end and drains
        thread.join(timeout=5)

    atexit.register(stop)
    return stop
