"""The exceptions tfsheet raises on purpose: each says what went wrong and how to fix it."""

import errno


class TfsheetError(Exception):
    """Base class of every error tfsheet raises deliberately."""


class UsageError(TfsheetError):
    """The command line (with its settings) asks for something contradictory; exit status 2, as argparse's own."""

    exit_code = 2


class DataError(TfsheetError):
    """A data file is missing, truncated or corrupt, or a data source cannot be reached."""


class NonFiniteLossError(TfsheetError):
    """Training produced a NaN or infinite loss; the last good checkpoint was kept."""


class CheckpointError(TfsheetError):
    """A checkpoint cannot be restored into the current run."""


class ExportError(TfsheetError):
    """A SavedModel could not be written or does not serve what it should."""


class Preempted(TfsheetError):
    """Training was asked to stop (SIGTERM); a checkpoint was written first, so a restart resumes."""

    exit_code = 143  # 128 + SIGTERM, what a process killed by SIGTERM reports


_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_FULL_WORDS = ("No space left on device", "File too large", "Disk quota exceeded")


def disk_full_hint(error):
    """What to do when `error` is a full disk, a file-size limit (ulimit -f) or a quota (by errno, or TensorFlow's
    words for it): a sentence to append to its one-line message; "" for any other error."""
    if getattr(error, "errno", None) in _FULL or any(words in str(error) for words in _FULL_WORDS):
        return (". The disk is full (or a file-size limit or quota was reached): free some space, or point --out / "
                "TFSHEET_CACHE_DIR elsewhere, and run the same command again; what was written before is whole and "
                "is kept.")
    return ""
