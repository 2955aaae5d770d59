"""The project's exception types, in one place.

Every message says what was expected, what was found, and where (file, line,
document id), so that a curator or an operator can act on it without a debugger.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""


class CaptureError(PipelineError):
    """A raw capture could not be stored or read back."""


class ReaderError(PipelineError):
    """A capture could not be parsed into a document.

    ``where`` names the capture (file or sha256) and, where known, the line.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.reason = message


class InputLineError(PipelineError):
    """One line of a JSON-lines input is unusable (its number is in the message)."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.reason = message


class ConfigError(PipelineError):
    """A file under configs/ is missing a key or holds a value of the wrong kind."""


class SchemaError(PipelineError):
    """A table violates its declared schema (row and column are in the message)."""


class CurationError(PipelineError):
    """A curator's review file holds a row that cannot be applied."""


class FetchError(PipelineError):
    """A fetch failed for good (after its retries); the reason is in the message."""


class CorpusBusyError(PipelineError):
    """Another carmine command holds the corpus lock (see :mod:`pipeline.lock`)."""
