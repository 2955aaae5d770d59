"""Reading JSON-lines files whose lines must each be a JSON object."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from typing import Any

from pipeline.errors import InputLineError

log = logging.getLogger(__name__)


def read_jsonl(path: str | os.PathLike[str], *, skip_torn: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line of ``path``.

    A line that is not a JSON object raises :class:`InputLineError` naming the file and
    line; with ``skip_torn`` (append-only logs, whose last line a crash may have cut) a
    line that is not JSON at all is skipped with a warning instead.
    """
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                if skip_torn:
                    log.warning("%s:%d: skipped an unreadable log line (a crash mid-append?): %s", path, number, e)
                    continue
                raise InputLineError(str(path), number, f"expected a JSON object, found invalid JSON ({e.msg})") from None
            if not isinstance(data, dict):
                raise InputLineError(str(path), number, f"expected a JSON object, found {type(data).__name__}")
            yield number, data
