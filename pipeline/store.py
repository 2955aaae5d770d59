"""Immutable, content-addressed store of raw captures, with an append-only fetch log.

Layout under the corpus folder::

    captures/ab/ab12...ef.gz   one gzip file per distinct body, named by its SHA-256
    captures.jsonl             the fetch log: one JSON line per capture event
    retired.jsonl              captures taken out of the build (``carmine retire``), append-only

A body is written to a temporary file and renamed into place, so a capture is never
half-written; an existing capture is never rewritten (same bytes, same name). The log
is appended line by line and flushed; a torn last line (a crash mid-append) is skipped
with a warning when read, so nothing before it is lost.

A log line with a key this version does not know (written by a newer carmine, or by
hand) is kept: the unknown keys are moved into the record's ``extra`` and the capture
stays in the build. A line that lacks a required key (``sha256``, ``source``...) cannot
be a capture and raises :class:`~pipeline.errors.CaptureError` naming the file and line.

A capture is never deleted or edited; to take one out of the build (a duplicate copy of
a page, a wrong file) it is *retired*: a line in ``retired.jsonl`` names its hash and
the reason, and :meth:`CaptureStore.latest` then ignores it (the document's earlier
capture, if any, becomes current again).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
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


_RECORD_KEYS = frozenset(f.name for f in fields(CaptureRecord))
_REQUIRED_KEYS = ("sha256", "url", "source", "media_type", "fetched_at")


def record_from_line(data: dict, where: str) -> CaptureRecord:
    """A log line as a CaptureRecord: unknown keys are kept under ``extra``; a missing key is an error."""
    absent = [k for k in _REQUIRED_KEYS if k not in data]
    if absent:
        raise CaptureError(f"{where}: expected a capture record with {', '.join(absent)}, "
                           f"found only the keys {sorted(data)}")
    unknown = {k: v for k, v in data.items() if k not in _RECORD_KEYS}
    known = {k: v for k, v in data.items() if k in _RECORD_KEYS}
    if unknown:
        log.info("%s: keys %s are not known to this version; kept under 'extra'", where, sorted(unknown))
        extra = known.get("extra")
        known["extra"] = {**(extra if isinstance(extra, dict) else {}), **unknown}
    if not isinstance(known["sha256"], str) or len(known["sha256"]) != 64:
        raise CaptureError(f"{where}: expected a 64-hex-digit sha256, found {known['sha256']!r}")
    return CaptureRecord(**known)


@dataclass(frozen=True, slots=True)
class Retirement:
    """One line of ``retired.jsonl``: a capture taken out of the build, and why."""

    sha256: str
    reason: str
    at: str
    by: str | None = None


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
        self.retired_path = self.root / "retired.jsonl"

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
        self._append(self.log_path, asdict(record))

    def _append(self, path: Path, data: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"
        with open(path, "a+b") as fh:
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
                yield record_from_line(data, f"{self.log_path}:{n}")
            except TypeError as e:  # a value of the wrong kind
                raise CaptureError(f"{self.log_path}:{n}: expected a capture record, found {e}") from None

    def latest(self) -> dict[str, CaptureRecord]:
        """The newest successful, not retired capture of each document, in first-seen order."""
        retired = self.retired()
        out: dict[str, CaptureRecord] = {}
        for rec in self.records():
            if rec.status == 200 and rec.sha256 not in retired:  # a 304 leaves the earlier body current
                out[rec.key] = rec
        return out

    # -- retiring ----------------------------------------------------------------
    def retired(self) -> dict[str, Retirement]:
        """Retired captures by hash (``retired.jsonl``; a torn line is skipped with a warning)."""
        if not self.retired_path.exists():
            return {}
        out: dict[str, Retirement] = {}
        for n, data in read_jsonl(self.retired_path, skip_torn=True):
            try:
                r = Retirement(**data)
            except TypeError as e:
                raise CaptureError(f"{self.retired_path}:{n}: expected a retirement record ({e}), "
                                   f"found {str(data)[:120]!r}") from None
            out[r.sha256] = r
        return out

    def resolve(self, hash_or_prefix: str) -> CaptureRecord:
        """The logged capture whose hash is (or starts with, >= 8 hex digits) ``hash_or_prefix``."""
        want = hash_or_prefix.strip().lower()
        if len(want) < 8 or any(c not in "0123456789abcdef" for c in want):
            raise CaptureError(f"{hash_or_prefix!r}: expected a capture's sha256 (or at least its first 8 hex digits)")
        found: dict[str, CaptureRecord] = {}
        for rec in self.records():
            if rec.sha256.startswith(want):
                found.setdefault(rec.sha256, rec)
        if not found:
            raise CaptureError(f"{self.log_path}: no capture's hash starts with {want}")
        if len(found) > 1:
            raise CaptureError(f"{self.log_path}: {want} is the start of {len(found)} captures' hashes "
                               f"({', '.join(sorted(h[:16] for h in found))}): give more digits")
        return next(iter(found.values()))

    def retire(self, hash_or_prefix: str, reason: str, by: str | None = None) -> tuple[Retirement, bool]:
        """Take a capture out of the build (appended to ``retired.jsonl``; the log is not touched).

        Returns (retirement, newly_retired); retiring twice records nothing new.
        """
        if not reason.strip():
            raise CaptureError("retire: expected a reason (--reason), found nothing")
        rec = self.resolve(hash_or_prefix)
        earlier = self.retired().get(rec.sha256)
        if earlier is not None:
            return earlier, False
        r = Retirement(rec.sha256, reason.strip(), now_iso(), by)
        self._append(self.retired_path, asdict(r))
        return r, True

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
