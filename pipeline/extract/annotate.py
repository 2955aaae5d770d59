"""``annotate``: a JSON-lines file of ``{"id", "text"}`` in, ``{"id", "fields", "evidence"}`` out.

Every bad line is named (file, line, document id where known) and skipped; the others
are written, in input order. What counts as a bad line:

* not UTF-8 (the file is read as bytes and decoded line by line, so one line of
  windows-1252 costs only itself); a UTF-16 file (with a byte-order mark, or the NUL
  bytes of one without) is decoded as UTF-16 as a whole; a UTF-8 byte-order mark is
  ignored;
* not a JSON object, no ``id`` (``0`` is an id, ``null`` and ``""`` are not) or no
  ``text`` string;
* a text holding a lone surrogate (``"\\ud800"``: not Unicode, it cannot be written out),
  or longer than ``max_input_chars`` (``configs/extraction_limits.yaml``; spaCy refuses
  texts over a million characters);
* a text the readers cannot read (JATS with ``&#xD800;``, an odd Europe PMC record...),
  whatever the exception;
* a document the extractor fails on or that runs past its time budget
  (:mod:`pipeline.extract.guard`).

The output is written to a temporary file renamed over ``OUTPUT`` at the end, so an
interrupted run leaves the previous output whole.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.errors import InputLineError, ReaderError
from pipeline.extract.api import Extractor
from pipeline.extract.guard import Skipped, guarded_pipe, load_limits
from pipeline.fsutil import atomic_write

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class AnnotateSummary:
    """What ``annotate_file`` did: lines read and written, and each bad line's error."""

    input_path: str
    output_path: str
    lines_read: int = 0
    written: int = 0
    errors: list[InputLineError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input_path, "output": self.output_path, "lines_read": self.lines_read,
                "written": self.written, "skipped": self.skipped,
                "errors": [{"line": e.line, "reason": e.reason} for e in self.errors]}


def _lines(path: Path) -> Iterator[tuple[int, bytes | str]]:
    """``(number, line)`` of ``path``: bytes for a UTF-8 file (decoded by the caller, line by
    line), text for a UTF-16 one (decoded whole)."""
    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) == 4 and (head[1::2] == b"\0\0" or head[0::2] == b"\0\0"))
        if utf16:
            data = fh.read()
            encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le" if head[1] == 0 else "utf-16-be")
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as e:
                raise InputLineError(str(path), 1, f"looks like UTF-16 but does not decode ({e.reason} at byte {e.start})"
                                     ) from None
            yield from enumerate(text.splitlines(), 1)
            return
        for number, raw in enumerate(fh, 1):
            yield number, raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw


def _document(path: Path, number: int, line: bytes | str, max_chars: int) -> Document | None:
    """The Document of one input line; None for a blank line; InputLineError naming what is wrong."""
    from pipeline.readers import read_text

    where = str(path)
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputLineError(where, number, f"not UTF-8 (byte 0x{line[e.start]:02x} at column {e.start + 1})"
                                 ) from None
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputLineError(where, number, f"expected a JSON object, found invalid JSON ({e.msg})") from None
    if not isinstance(record, dict):
        raise InputLineError(where, number, f"expected a JSON object, found {type(record).__name__}")
    missing = [k for k in ("id", "text") if record.get(k) is None or record.get(k) == ""]
    if missing:
        raise InputLineError(where, number, f"expected keys 'id' and 'text', missing {missing}")
    doc_id, text = record["id"], record["text"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        raise InputLineError(where, number, f"expected 'id' to be a string or a number, found {type(doc_id).__name__}")
    doc_id = str(doc_id)
    if not isinstance(text, str):
        raise InputLineError(where, number, f"document {doc_id}: expected 'text' to be a string, "
                                            f"found {type(text).__name__}")
    if m := _SURROGATE.search(text) or _SURROGATE.search(doc_id):
        raise InputLineError(where, number, f"document {doc_id!r}: holds a lone surrogate "
                                            f"(\\u{ord(m.group()):04x}), which is not Unicode")
    if len(text) > max_chars:
        raise InputLineError(where, number, f"document {doc_id}: text of {len(text)} characters is over "
                                            f"{max_chars} (extraction_limits.max_input_chars)")
    try:
        document = read_text(text, doc_id=doc_id)
    except ReaderError as e:
        raise InputLineError(where, number, f"document {doc_id}: {e.reason}") from None
    except Exception as e:  # a reader's bug on odd input costs this line only
        log.debug("reader failed on %s:%d", path, number, exc_info=True)
        raise InputLineError(where, number, f"document {doc_id}: unreadable text ({type(e).__name__}: {e})"
                             ) from None
    document.id = doc_id
    return document


def _read_documents(path: Path, summary: AnnotateSummary, numbers: list[int]) -> Iterator[Document]:
    """The good lines' Documents; each one's line number is appended to ``numbers``."""
    max_chars = load_limits().max_input_chars
    try:
        for number, line in _lines(path):
            if not line.strip():
                continue
            summary.lines_read += 1
            try:
                document = _document(path, number, line, max_chars)
            except InputLineError as e:
                log.warning("%s (line skipped)", e)
                summary.errors.append(e)
                continue
            if document is not None:
                numbers.append(number)
                yield document
    except InputLineError as e:  # the whole file (an undecodable UTF-16 file)
        log.warning("%s", e)
        summary.errors.append(e)


def annotate_file(input_path: str | Path, output_path: str | Path, *, batch_size: int = 256,
                  extractor: Extractor | None = None) -> AnnotateSummary:
    """Annotate a JSON-lines file of ``{"id", "text"}`` records.

    Writes one line ``{"id", "fields", "evidence"}`` per good input line, in input order;
    a bad line (see the module's docstring) is logged, recorded in the summary with its
    line number, and skipped. The output replaces ``output_path`` only once complete.
    ``batch_size`` is kept for callers; documents are extracted one at a time, each
    under its time budget.
    """
    src, dst = Path(input_path), Path(output_path)
    summary = AnnotateSummary(str(src), str(dst))
    extractor = extractor or Extractor()
    numbers: list[int] = []
    with atomic_write(dst) as out:
        for i, result in enumerate(guarded_pipe(extractor, _read_documents(src, summary, numbers))):
            if isinstance(result, Skipped):
                summary.errors.append(InputLineError(str(src), numbers[i], str(result)))
                continue
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            summary.written += 1
    summary.errors.sort(key=lambda e: e.line)
    return summary
