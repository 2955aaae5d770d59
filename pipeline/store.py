"""Immutable, content-addressed store of raw captures, with an append-only fetch log.

Layout under the corpus folder::

    captures/ab/ab12...ef.gz   one gzip file per distinct body, named by its SHA-256
    captures.jsonl             the fetch log: one JSON line per capture event

A body is written to a temporary file and renamed into place, so a capture is never
half-written; an existing capture is never rewritten (same bytes, same name). The log
is appended line by line and flushed; a torn last line (a crash mid-append) is skipped
with a warning when read, so nothing before it is lost.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import CaptureError
from pipeline.fsutil import atomic_target
from pipeline.jsonl import read_jsonl

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CaptureRecord:
    """One line of the fetch log."""

    sha256: str
    url: str | None
    source: str
    media_type: str
    fetched_at: str
    doi: str | None = None
    status: int = 200
    charset: str | None = None
    size: int = 0
    etag: str | None = None
    last_modified: str | None = None
    #: how it arrived: ``fetch``, ``import:<path>``, ``api:<name>``
    via: str = "fetch"
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The document this capture is a version of (its DOI, else its URL, else its hash)."""
        return self.doi or self.url or f"sha256:{self.sha256}"


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class CaptureStore:
    """Raw captures under ``root`` (normally ``corpus/``)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.dir = self.root / "captures"
        self.log_path = self.root / "captures.jsonl"

    # -- writing -----------------------------------------------------------------
    def path_of(self, sha: str) -> Path:
        return self.dir / sha[:2] / f"{sha}.gz"

    def has(self, sha: str) -> bool:
        return self.path_of(sha).exists()

    def put(self, body: bytes, *, source: str, media_type: str, url: str | None = None,
            doi: str | None = None, status: int = 200, charset: str | None = None,
            etag: str | None = None, last_modified: str | None = None, via: str = "fetch",
            fetched_at: str | None = None, extra: dict | None = None) -> tuple[CaptureRecord, bool]:
        """Store ``body`` (if new) and log the event. Returns (record, body_was_new)."""
        sha = sha256_hex(body)
        path = self.path_of(sha)
        new = not path.exists()
        if new:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_target(path, mode=0o444) as tmp, open(tmp, "wb") as raw, \
                    gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
                gz.write(body)
        record = CaptureRecord(
            sha256=sha, url=url, source=source, media_type=media_type, doi=doi, status=status,
            charset=charset, size=len(body), etag=etag, last_modified=last_modified, via=via,
            fetched_at=fetched_at or now_iso(), extra=extra or {},
        )
        self.append_log(record)
        return record, new

    def append_log(self, record: CaptureRecord) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(record), ensure_ascii=False, sort_keys=True) + "\n"
        with open(self.log_path, "a+b") as fh:
            if fh.tell():
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = "\n" + line  # close a line torn by a crash, keep ours whole
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())

    # -- reading -----------------------------------------------------------------
    def get(self, sha: str) -> bytes:
        """The body of capture ``sha``; raises CaptureError if missing or corrupted."""
        path = self.path_of(sha)
        try:
            with gzip.open(path, "rb") as fh:
                body = fh.read()
        except FileNotFoundError:
            raise CaptureError(f"{path}: capture {sha[:12]} is in the log but its file is missing") from None
        except (OSError, EOFError) as e:
            raise CaptureError(f"{path}: capture {sha[:12]} cannot be read: {e}") from None
        if sha256_hex(body) != sha:
            raise CaptureError(f"{path}: capture {sha[:12]} is corrupted (its content no longer matches its hash)")
        return body

    def records(self) -> Iterator[CaptureRecord]:
        """Every logged capture event, oldest first (a torn line is skipped with a warning)."""
        if not self.log_path.exists():
            return
        for n, data in read_jsonl(self.log_path, skip_torn=True):
            try:
                yield CaptureRecord(**data)
            except TypeError as e:
                log.warning("%s:%d: skipped an unreadable log line (%s)", self.log_path, n, e)

    def latest(self) -> dict[str, CaptureRecord]:
        """The newest successful capture of each document, in first-seen order."""
        out: dict[str, CaptureRecord] = {}
        for rec in self.records():
            if rec.status == 200:  # a 304 (unchanged) leaves the earlier body current
                out[rec.key] = rec
        return out

    def last_capture_of(self, url: str) -> CaptureRecord | None:
        """The newest stored (status 200) capture fetched from ``url``, or None.

        Its ``etag`` and ``last_modified`` make the next request for ``url`` conditional.
        """
        found = None
        for rec in self.records():
            if rec.url == url and rec.status == 200:
                found = rec
        return found

    def log_unchanged(self, previous: CaptureRecord, *, fetched_at: str | None = None,
                      extra: dict | None = None) -> CaptureRecord:
        """Log a 304 (not modified) answer for ``previous``: no body is stored again."""
        record = CaptureRecord(
            sha256=previous.sha256, url=previous.url, source=previous.source,
            media_type=previous.media_type, doi=previous.doi, status=304, charset=previous.charset,
            size=previous.size, etag=previous.etag, last_modified=previous.last_modified,
            via=previous.via, fetched_at=fetched_at or now_iso(), extra=extra or {},
        )
        self.append_log(record)
        return record

    def fingerprint(self) -> str:
        """Changes whenever the log changes (cheap: size and mtime)."""
        try:
            st = self.log_path.stat()
        except FileNotFoundError:
            return "empty"
        return f"{st.st_size}:{st.st_mtime_ns}"
