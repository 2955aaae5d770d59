"""The fetch run: plan targets, fetch them politely, store every answer as a raw capture.

Resuming. Every page target is written to the fetch plan (``corpus/fetch-queue.jsonl``,
append-only) before any request, and a target counts as done once the capture log
holds it. A run that is interrupted (Ctrl-C, a crash, a lost connection) therefore
leaves complete captures and a plan; the next run, with or without arguments, fetches
what the plan holds and the log lacks, and nothing else. Failed targets stay in the
plan and are tried again next time.

What counts as captured already (skipped unless ``refresh``): a DOI or URL with any
capture in the log; with ``html=True``, one whose page was fetched (``via="fetch"``).
With ``refresh``, a page is requested again with ``If-None-Match`` /
``If-Modified-Since`` from its last capture, so an unchanged page costs a 304, which is
logged (status 304) without storing its body again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from pipeline.errors import FetchError, ReaderError
from pipeline.scrape.client import Blocked, Fetched, Offline, PoliteClient, parse_retry_after
from pipeline.scrape.config import ScrapeConfig, load_config
from pipeline.scrape.sources import DISCOVERY_SOURCES, Target, normalize_doi
from pipeline.scrape.sources.europepmc import EuropePMCSource
from pipeline.scrape.sources.frontiers import FrontiersSource
from pipeline.store import CaptureRecord, CaptureStore, now_iso

log = logging.getLogger(__name__)

#: Outcome kinds, in the order the summary lists them.
KINDS = ("new", "unchanged", "skipped", "failed")


@dataclass(slots=True)
class Outcome:
    """What happened to one target (or to one discovery source)."""

    key: str
    kind: str  # one of KINDS
    url: str | None = None
    reason: str = ""
    sha256: str | None = None
    attempts: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FetchSummary:
    """The result of :func:`pipeline.scrape.fetch`: one outcome per target, and the run's state."""

    corpus_dir: str
    outcomes: list[Outcome] = field(default_factory=list)
    offline: bool = False
    message: str = ""
    #: documents with a capture before the run began
    existing: int = 0
    requests: int = 0

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def new(self) -> list[Outcome]:
        return self.of("new")

    @property
    def unchanged(self) -> list[Outcome]:
        return self.of("unchanged")

    @property
    def skipped(self) -> list[Outcome]:
        return self.of("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self.of("failed")

    @property
    def ok(self) -> bool:
        """True when nothing failed (an offline run is ok: it changes nothing)."""
        return not self.failed

    def render(self) -> str:
        """The summary an operator reads at the end of a run."""
        if self.message and not self.outcomes:
            return self.message
        counts = ", ".join(f"{len(self.of(k))} {k}" for k in KINDS)
        lines = [f"fetch: {counts} ({self.requests} requests)"]
        if self.message:
            lines.append(self.message)
        for o in self.outcomes:
            if o.kind == "new" and o.notes:
                lines.append(f"  new {o.key}: {'; '.join(o.notes)}")
        lines += [f"  failed {o.key}: {o.reason}" for o in self.failed]
        return "\n".join(lines)


# -- the plan an interrupted run resumes from ---------------------------------------------
class FetchQueue:
    """Append-only JSON lines of page targets; done ones are recognised from the capture log."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def targets(self) -> list[Target]:
        if not self.path.exists():
            return []
        out: dict[str, Target] = {}
        with open(self.path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    row = json.loads(line)
                    target = Target(source=row["source"], doi=row.get("doi"), url=row.get("url"), kind="page")
                except (json.JSONDecodeError, KeyError, TypeError) as e:
                    log.warning("%s:%d: skipped an unreadable plan line (%s)", self.path, n, e)
                    continue
                out.setdefault(target.key, target)
        return list(out.values())

    def add(self, targets: Iterable[Target]) -> None:
        known = {t.key for t in self.targets()}
        rows = [
            json.dumps({"key": t.key, "doi": t.doi, "url": t.url, "source": t.source, "queued_at": now_iso()},
                       ensure_ascii=False, sort_keys=True) + "\n"
            for t in targets if t.key not in known
        ]
        if not rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as fh:
            if fh.tell():
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    rows[0] = "\n" + rows[0]  # close a line torn by a crash
            fh.write("".join(rows).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())


# -- charsets --------------------------------------------------------------------------------
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
#: Labels browsers read as windows-1252 (WHATWG Encoding): so do we.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"}


def _decodes(body: bytes, charset: str) -> bool:
    # UnicodeError, not only UnicodeDecodeError: Python's "undefined" codec raises it for any
    # input, and servers do send `charset=undefined` (header or meta); LookupError: no such codec
    try:
        body.decode(charset)
    except (UnicodeError, LookupError):
        return False
    return True


def choose_charset(body: bytes, declared: str | None, media_type: str) -> tuple[str | None, dict[str, str]]:
    """The charset that decodes ``body``, and notes on how it was chosen.

    The header's charset when it decodes the body, else the page's ``<meta charset>``,
    else UTF-8, else a detected one. A declared charset that does not fit is kept in
    the notes (``declared_charset``), so the capture says what the server claimed.
    """
    notes: dict[str, str] = {}
    candidates: list[tuple[str, str]] = []
    if declared:
        candidates.append((declared.lower(), "header"))
    if "html" in media_type and (m := _META_CHARSET.search(body[:4096])):
        candidates.append((m.group(1).decode("ascii").lower(), "meta"))
    candidates.append(("utf-8", "default"))
    for charset, origin in candidates:
        charset = "cp1252" if charset in _AS_CP1252 else charset
        if _decodes(body, charset):
            if declared and origin != "header":
                notes["declared_charset"] = declared
            if origin != "header":
                notes["charset_from"] = origin
            return charset, notes
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if declared:
        notes["declared_charset"] = declared
    notes["charset_from"] = "detected"
    return (best.encoding if best else None), notes


# -- the run ----------------------------------------------------------------------------------
class _Run:
    def __init__(self, store: CaptureStore, cfg: ScrapeConfig, client: PoliteClient, summary: FetchSummary,
                 *, html: bool, refresh: bool) -> None:
        self.store, self.cfg, self.client, self.summary = store, cfg, client, summary
        self.html, self.refresh = html, refresh
        self.frontiers = FrontiersSource(cfg)
        self.any_capture: set[str] = set()
        self.page_capture: set[str] = set()
        self.by_url: dict[str, CaptureRecord] = {}
        for rec in store.records():
            if rec.status not in (200, 304):
                continue
            self.any_capture.add(rec.key)
            if rec.via == "fetch":
                self.page_capture.add(rec.key)
            for url in filter(None, [rec.url, rec.extra.get("requested_url")]):
                if rec.status == 200:
                    self.by_url[url] = rec
        self.seen: set[tuple[str, str]] = set()
        #: DOIs of pages fetched in this run whose reading found no article type (or could not read one)
        self.untyped: set[str] = set()
        self.europepmc = EuropePMCSource(cfg)

    def captured(self, target: Target) -> bool:
        if target.kind == "page" and self.html:
            return target.key in self.page_capture
        return target.key in self.any_capture

    def wanted(self, target: Target) -> bool:
        """Plan ``target`` once per run; a captured one is skipped (and said so) unless refreshing."""
        mark = (target.key, target.kind)
        if mark in self.seen:
            return False
        self.seen.add(mark)
        if self.captured(target) and not self.refresh:
            self.summary.outcomes.append(Outcome(target.key, "skipped", target.url, "captured already"))
            return False
        return True

    # -- records an index handed over ----------------------------------------------------
    def store_record(self, target: Target) -> None:
        seen_before = target.key in self.any_capture
        rec, new = self.store.put(target.record or b"", source=target.source, media_type=target.media_type or "application/json",
                                  url=target.url, doi=target.doi, via=target.via, charset="utf-8",
                                  extra=dict(target.extra) or None)
        self.any_capture.add(target.key)
        kind = "unchanged" if seen_before and not new else "new"
        self.summary.outcomes.append(Outcome(target.key, kind, target.url, sha256=rec.sha256, notes=[target.via]))

    # -- Crossref work records ---------------------------------------------------------------
    def work_url(self, doi: str) -> str:
        return f"{self.cfg.base('crossref')}/works/{doi}"

    async def fetch_work(self, outcome: Outcome) -> None:
        """Store the Crossref work record of a newly captured DOI as its own capture.

        Its key is its URL (never the DOI: it must not replace the page); ``extra.work_for``
        names the DOI whose document it completes. A failure is a note on the page's
        outcome, not a failed article.
        """
        doi = outcome.key
        url = self.work_url(doi)
        if url in self.any_capture:
            return
        fetched = await self._get_json_record(url, "Crossref work record", outcome, {"mailto": self.cfg.contact})
        if fetched is None:
            return
        resp = fetched.response
        self.store.put(resp.content, source="crossref", media_type="application/json", url=url, doi=None,
                       via="api:crossref", charset="utf-8", extra={"work_for": doi, "attempts": fetched.attempts})
        self.any_capture.add(url)
        outcome.notes.append("crossref work record")

    async def _get_json_record(self, url: str, what: str, outcome: Outcome,
                               params: dict[str, str] | None = None) -> Fetched | None:
        """GET a JSON record that completes a page; a failure or a non-JSON answer is a note on the page's
        outcome ("no Crossref work record: HTTP 404") and gives None."""
        try:
            fetched = await self.client.get(url, params=params)
        except (Blocked, FetchError) as e:
            outcome.notes.append(f"no {what}: {e}")
            return None
        resp = fetched.response
        if resp.status_code != 200 or "json" not in resp.headers.get("content-type", ""):
            outcome.notes.append(f"no {what}: HTTP {resp.status_code}")
            return None
        return fetched

    # -- Europe PMC records of pages without an article type ----------------------------------
    async def fetch_europepmc_record(self, outcome: Outcome) -> None:
        """Store the Europe PMC ``core`` record of a newly captured DOI as its own capture.

        ``GET {bases.europepmc}/search?query=DOI:"<doi>"&resultType=core&format=json``; the
        answer is stored as it came (a search answer with one result) when it holds a
        result for the DOI. Like a Crossref work record, its key is its URL and
        ``extra.record_for`` names the DOI; an empty answer or a failure is a note on the
        page's outcome, never a failed article.
        """
        from pipeline.readers.europepmc import find_result

        doi = outcome.key
        url = self.europepmc.record_url(doi)
        if url in self.any_capture:
            return
        fetched = await self._get_json_record(url, "Europe PMC record", outcome)
        if fetched is None:
            return
        resp = fetched.response
        try:
            found = find_result(resp.text, doi, url) is not None
        except ReaderError as e:
            outcome.notes.append(f"no Europe PMC record: {e.reason}")
            return
        if not found:
            outcome.notes.append("no Europe PMC record: no result for the DOI")
            return
        self.store.put(resp.content, source="europepmc", media_type="application/json", url=url, doi=None,
                       via="api:europepmc-record", charset="utf-8",
                       extra={"record_for": doi, "attempts": fetched.attempts})
        self.any_capture.add(url)
        outcome.notes.append("europepmc record")

    # -- pages -------------------------------------------------------------------------------
    async def fetch_page(self, target: Target) -> Outcome:
        url = target.url or self.frontiers.url_for(target.doi or "")
        headers: dict[str, str] = {}
        previous = self.by_url.get(url) if self.refresh else None
        if previous is not None:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        try:
            fetched = await self.client.get(url, headers=headers or None)
        except Blocked as e:
            return Outcome(target.key, "failed", url, f"blocked: {e}")
        except FetchError as e:
            return Outcome(target.key, "failed", url, str(e))
        resp = fetched.response
        extra: dict[str, Any] = {"attempts": fetched.attempts, "http_version": resp.http_version}
        if fetched.url != url:
            extra["requested_url"] = url
            extra["redirects"] = len(fetched.hops) - 1
        if resp.status_code == 304 and previous is not None:
            self.store.log_unchanged(previous, extra=extra)
            return Outcome(target.key, "unchanged", url, "HTTP 304", previous.sha256, fetched.attempts)
        if resp.status_code != 200:
            return Outcome(target.key, "failed", url, _http_reason(resp, fetched.attempts), attempts=fetched.attempts)
        return await self._store_page(target, fetched.url, resp, extra, fetched.attempts)

    async def _store_page(self, target: Target, final_url: str, resp: httpx.Response, extra: dict,
                          attempts: int) -> Outcome:
        body = resp.content
        media_type, _, params = resp.headers.get("content-type", "application/octet-stream").partition(";")
        media_type = media_type.strip().lower()
        declared = _param(params, "charset")
        charset, charset_notes = choose_charset(body, declared, media_type)
        extra.update(charset_notes)
        # parsing a page is CPU work: off the event loop, so one large page stalls no other request
        notes, doi, typed = await asyncio.to_thread(self._check_page, body, charset, media_type, target)
        seen_before = target.key in self.page_capture
        rec, new = self.store.put(
            body, source=target.source, media_type=media_type, url=final_url, doi=doi, status=200,
            charset=charset, etag=resp.headers.get("etag"), last_modified=resp.headers.get("last-modified"),
            via="fetch", extra=extra,
        )
        for key in filter(None, [target.key, rec.key]):
            self.any_capture.add(key)
            self.page_capture.add(key)
            if not typed:
                self.untyped.add(key)
        if "declared_charset" in charset_notes:
            notes.append(f"declared charset {charset_notes['declared_charset']} does not fit; stored as {charset}")
        if not new and seen_before:  # the same bytes again (a server ignoring our validators)
            return Outcome(target.key, "unchanged", final_url, "same content", rec.sha256, attempts, notes)
        return Outcome(target.key, "new", final_url, "", rec.sha256, attempts, notes)

    def _check_page(self, body: bytes, charset: str | None, media_type: str,
                    target: Target) -> tuple[list[str], str | None, bool]:
        """Notes on a page that was fetched but may be unusable (no abstract, cut off), its DOI,
        and whether it states an article type (a page that is not read counts as stating none)."""
        if "html" not in media_type:
            return [], target.doi, False
        from pipeline.readers.dispatch import decode
        from pipeline.readers.html import read_html

        try:
            doc = read_html(decode(body, charset=charset), doc_id=target.doi, source=target.source)
        except (ReaderError, ValueError) as e:
            return [f"unreadable page: {e}"], target.doi, False
        except Exception as e:  # a reader bug: the page is still stored (raw captures are raw)
            log.exception("reading the page of %s failed", target.key)
            return [f"unreadable page: {type(e).__name__}: {e}"], target.doi, False
        notes = []
        if not doc.abstract:
            notes.append("no abstract on the page")
        if doc.truncated:
            notes.append("page is cut off (truncated)")
        doi = target.doi or (normalize_doi(doc.id) if doc.id.startswith("10.") else None)
        return notes, doi, bool(doc.article_type)


def _param(params: str, name: str) -> str | None:
    for part in params.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"') or None
    return None


def _http_reason(resp: httpx.Response, attempts: int) -> str:
    reason = f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
    wait = parse_retry_after(resp.headers.get("retry-after"))
    if wait is not None and resp.status_code in (429, 503):
        reason += f" (Retry-After {wait:.0f} s)"
    return f"{reason} after {attempts} attempt{'s' * (attempts > 1)}"


async def afetch(corpus_dir: str | os.PathLike[str], *, dois: Iterable[str] = (), urls: Iterable[str] = (),
                 discover: bool = False, html: bool = False, refresh: bool = False,
                 config: ScrapeConfig | dict | None = None, limit: int | None = None, progress: bool = True,
                 transport: httpx.AsyncBaseTransport | None = None) -> FetchSummary:
    """The coroutine behind :func:`pipeline.scrape.fetch` (same arguments, plus ``transport`` for tests)."""
    cfg = load_config(config)
    store = CaptureStore(corpus_dir)
    summary = FetchSummary(corpus_dir=str(corpus_dir), existing=len(store.latest()))
    queue = FetchQueue(store.root / cfg.queue_file)
    frontiers = FrontiersSource(cfg)
    explicit = [frontiers.page(doi=d) for d in dois] + [frontiers.page(url=u) for u in urls]
    resumed = queue.targets()
    discovery = [cls(cfg) for name, cls in DISCOVERY_SOURCES.items()
                 if discover and cfg.discovery.get(name, {}).get("enabled", True)]
    first = [s.base for s in discovery] + [t.url or frontiers.url_for(t.doi or "") for t in explicit + resumed]
    if not first:
        summary.message = "fetch: nothing to fetch (give DOIs or URLs, or ask for discovery)"
        return summary

    async with PoliteClient(cfg, transport=transport) as client:
        run = _Run(store, cfg, client, summary, html=html, refresh=refresh)
        try:
            await client.probe(first[0])
        except Offline as e:
            summary.offline = True
            summary.message = (f"offline: {e}; proceeding with the {summary.existing} captures "
                               f"already in {corpus_dir}/")
            log.warning("%s", summary.message)
            return summary

        pages = [t for t in explicit + [t for t in resumed if not run.captured(t)] if run.wanted(t)]
        for source in discovery:
            try:
                async for target in source.discover(client, limit if limit is not None else cfg.discovery.get("max_results")):
                    if target.kind == "record":
                        if run.wanted(target):
                            run.store_record(target)
                        if not html or not target.doi:  # no page to ask for without a DOI
                            continue
                        target = frontiers.page(doi=target.doi)
                    elif target.source != frontiers.name or not target.url:
                        target = frontiers.page(doi=target.doi)
                    if run.wanted(target):
                        pages.append(target)
            except FetchError as e:
                summary.outcomes.append(Outcome(f"discover:{source.name}", "failed", source.base, str(e)))
        queue.add(pages)

        bar = tqdm(total=len(pages), desc="fetch", unit="page", disable=not progress, leave=False)

        async def one(target: Target) -> None:
            try:
                outcome = await run.fetch_page(target)
            except Exception as e:  # a bug or an input nobody foresaw costs its page, not the run
                # (the page stays in the plan: a crash here would crash every later run as well)
                log.exception("fetch of %s failed unexpectedly", target.key)
                outcome = Outcome(target.key, "failed", target.url, f"unexpected error: {type(e).__name__}: {e}")
            summary.outcomes.append(outcome)
            bar.update(1)
            bar.set_postfix_str(f"{len(summary.new)} new, {len(summary.failed)} failed", refresh=False)

        try:
            await asyncio.gather(*(one(t) for t in pages))
            fresh = [o for o in summary.new if o.key.startswith("10.") and "api:europepmc" not in o.notes]
            followups = []
            if cfg.discovery.get("crossref", {}).get("work_records", True):
                followups += [run.fetch_work(o) for o in fresh]
            if cfg.discovery.get("europepmc", {}).get("doi_records", True):
                followups += [run.fetch_europepmc_record(o) for o in fresh if o.key in run.untyped]
            await asyncio.gather(*followups)
        finally:
            bar.close()
            summary.requests = client.requests
    for o in summary.failed:
        log.warning("fetch failed: %s: %s", o.key, o.reason)
    return summary
