"""The curators' decision log: ``corpus/curation/decisions.jsonl``, append-only.

One JSON line per decision::

    {"evidence_id", "decision": accept|reject|correct|add, "corrected_value", "note",
     "curator", "at" (UTC ISO time), "fingerprint", "judged": {doc_id, subject, field,
     value, sentence, char_start, char_end}, "source": "review-...csv:12"}

``judged`` is the evidence as the curator saw it (for a correction, ``judged.value`` is
the machine's value); ``fingerprint`` hashes its value, sentence and span, so a
re-extraction that changes the evidence is noticed. An ``add`` line has a curator id
(``cur-...``) and ``judged`` holds the added row. Later lines for the same evidence id
supersede earlier ones; no line is ever rewritten or removed. A torn last line (a crash
mid-append) is skipped with a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.curation.values import missing
from pipeline.errors import CurationError
from pipeline.jsonl import read_jsonl

log = logging.getLogger(__name__)

JUDGED_KEYS = ("doc_id", "subject", "field", "value", "sentence", "char_start", "char_end")


def _text(x: Any) -> str:
    if missing(x):
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x).strip()


def fingerprint(value: Any, sentence: Any, char_start: Any, char_end: Any) -> str:
    """A short hash of the evidence a decision judged: value, sentence and span."""
    sentence_text = " ".join(_text(sentence).split())
    key = "\x1f".join((_text(value), sentence_text, _text(char_start), _text(char_end)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def judged_from(row: Any) -> dict[str, Any]:
    """The judged evidence of a table row (Series or dict), JSON-ready."""
    out: dict[str, Any] = {}
    for k in JUDGED_KEYS:
        try:
            v = row[k]
        except (KeyError, IndexError):
            v = None
        if missing(v):
            out[k] = None
        elif k in ("char_start", "char_end"):
            out[k] = int(v)
        else:
            out[k] = str(v)
    return out


def curator_id(doc_id: str, subject: str, field_name: str, value: str) -> str:
    """The stable id of a curator-added value (the same value added twice is one row)."""
    key = "\x1f".join((doc_id.strip(), subject.strip(), field_name.strip(), value.strip()))
    return "cur-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class Decision:
    evidence_id: str
    decision: str
    curator: str
    at: str
    fingerprint: str
    judged: dict[str, Any]
    corrected_value: str | None = None
    note: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def same_judgement(self, other: Decision) -> bool:
        """True when ``other`` says the same thing (re-importing a file adds nothing)."""
        return (self.decision, self.corrected_value or None, self.fingerprint, self.note or None) == (
            other.decision, other.corrected_value or None, other.fingerprint, other.note or None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def log_path(corpus_dir: Path, decisions_log: str) -> Path:
    return Path(corpus_dir) / decisions_log


def read_log(path: Path) -> list[Decision]:
    """Every decision in log order; a torn (unparsable) line is skipped with a warning."""
    if not path.exists():
        return []
    out: list[Decision] = []
    for n, data in read_jsonl(path, skip_torn=True):
        try:
            out.append(Decision(**data))
        except TypeError as e:
            raise CurationError(f"{path}:{n}: expected a decision object ({e}), found {str(data)[:80]!r}") from e
    return out


def latest(decisions: list[Decision]) -> dict[str, Decision]:
    """The decision in force per evidence id: the last one in the log."""
    out: dict[str, Decision] = {}
    for d in decisions:
        out[d.evidence_id] = d
    return out


def append(path: Path, decisions: list[Decision]) -> None:
    """Append decisions, one flushed line each (the log is never rewritten)."""
    if not decisions:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    torn = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
    with path.open("a", encoding="utf-8") as fh:
        if torn:
            fh.write("\n")
        for d in decisions:
            fh.write(json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
