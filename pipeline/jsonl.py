"""Reading JSON-lines files whose lines must each be a JSON object."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from pipeline.errors import InputLineError


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line; a bad line raises
    :class:`InputLineError` naming the file and line."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputLineError(str(path), number, f"expected a JSON object, found invalid JSON ({e.msg})") from None
            if not isinstance(data, dict):
                raise InputLineError(str(path), number, f"expected a JSON object, found {type(data).__name__}")
            yield number, data
