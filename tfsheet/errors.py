"""The exceptions tfsheet raises on purpose: each says what went wrong and how to fix it."""


class TfsheetError(Exception):
    """Base class of every error tfsheet raises deliberately."""


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
