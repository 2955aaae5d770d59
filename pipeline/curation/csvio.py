"""Reading review CSVs as spreadsheet programs save them.

Excel and LibreOffice write UTF-8 with or without a BOM, UTF-16 ("Unicode text",
tab-separated), or a legacy code page (cp1252); commas, or semicolons where the
decimal separator is a comma; CRLF line ends; cells with quoted newlines. The
delimiter is found from the header (the one that splits it into known column names),
with ``csv.Sniffer`` as the fallback. Every row keeps the number of the line it starts
on, so errors can name it.

Cells are neutralised against CSV (formula) injection when written
(:func:`neutralise`, the OWASP rule): a cell that a spreadsheet would run as a formula,
one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, gets a ``'``
in front. A cell that already starts with ``'`` before such a character gets one more,
so :func:`restore`, which the reader applies to every cell, takes exactly one off and
a round trip gives the original text back.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import CurationError
from pipeline.fsutil import atomic_target

DELIMITERS = (",", ";", "\t")


@dataclass
class SheetRows:
    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line the row starts on, cells by column)
    encoding: str
    delimiter: str


#: A cell a spreadsheet would take as a formula (after any apostrophes already there).
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def neutralise(cell: Any) -> Any:
    """``cell`` safe to open in a spreadsheet: ``'`` in front of a would-be formula (strings only)."""
    if isinstance(cell, str) and _FORMULA.match(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The text :func:`neutralise` was given (one ``'`` off a neutralised cell)."""
    if cell.startswith("'") and _FORMULA.match(cell):
        return cell[1:]
    return cell


def write_sheet(path: Path, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    """A review-style CSV: UTF-8 with BOM, comma, CRLF, cells neutralised; written atomically."""
    with atomic_target(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise(v) for k, v in row.items()})
    return path


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding) of a spreadsheet export."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise CurationError(f"{path}: starts with a UTF-8 BOM but is not UTF-8 at byte {e.start}") from e
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _header_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def sniff_delimiter(text: str, expected: tuple[str, ...], path: Path) -> str:
    """The delimiter that splits the header into the expected columns."""
    first = _header_line(text)
    best, found = None, 0
    for d in DELIMITERS:
        cells = {c.strip().casefold() for c in next(csv.reader([first], delimiter=d), [])}
        hits = sum(1 for e in expected if e in cells)
        if hits > found:
            best, found = d, hits
    if best is not None:
        return best
    try:
        return csv.Sniffer().sniff(first, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error as e:
        raise CurationError(
            f"{path}:1: expected a header with the columns {', '.join(expected)}, found {first[:120]!r}"
        ) from e


def read_sheet(path: Path | str, expected: tuple[str, ...]) -> SheetRows:
    """Rows of a CSV as dicts keyed by lower-cased header names; blank rows skipped."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CurationError(f"{path}: cannot read the review file: {e}") from e
    text, encoding = decode(raw, path)
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text, expected, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff").casefold() for h in next(reader)]
    except StopIteration:
        raise CurationError(f"{path}: expected a header line, found an empty file") from None
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                cells = [restore(c) for c in cells]
                padded = cells + [""] * (len(header) - len(cells))
                row = {h: padded[k] for k, h in enumerate(header) if h}
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                    row["\x00extra"] = delimiter.join(cells[len(header):])
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as e:
        raise CurationError(f"{path}:{reader.line_num}: malformed CSV ({e})") from e
    return SheetRows(path, header, rows, encoding, delimiter)
