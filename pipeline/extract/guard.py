"""Bounds around the extraction pipeline: pathological text is tamed before spaCy sees it,
and every document gets a time budget after which it is skipped and named, never the run.

The pipeline's rules and scispaCy's tokenizer and abbreviation detector are fast on
prose but can be quadratic (or worse) on runs the prose never has: thousands of digits
(the duration rules backtrack over them), thousands of ``(`` (the tokenizer's and the
abbreviation detector's scans), tens of thousands of spaces, one letter repeated. This
module wraps the pipeline from outside, without touching its components:

* :func:`bound_text` caps every such run **in place**: the first ``max_*`` characters of
  the run are kept and the rest is overwritten by a neutral filler (short words of
  ``x``) of the same length, so every character offset still points at the same place
  of ``Document.text``; and the text handed to spaCy is cut at ``max_chars`` (zones
  clipped), far above any abstract. Lone surrogates (not Unicode; they cannot be written
  out as UTF-8) become U+FFFD, one character for one.
* :func:`guarded_pipe` extracts document after document, each under a deadline of
  ``seconds_per_document``; a document over it (or one the extractor fails on) comes
  out as a :class:`Skipped` naming it and why, and the next one goes on.

The deadline is a ``SIGALRM`` timer: it interrupts Python code, so it needs the main
thread of a process (``annotate``, the build, and each worker of the build's process
pool are); elsewhere documents run without a deadline (the text bounds still apply).
A single C-level regex call cannot be interrupted; bounding the runs is what keeps
those calls short.

The limits are data (``configs/extraction_limits.yaml``), see ``docs/extraction.md``.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.extract.api import Extractor
    from pipeline.extract.model import Extraction

log = logging.getLogger(__name__)

LIMITS_FILE = "extraction_limits.yaml"


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of :func:`bound_text` and :func:`guarded_pipe` (``configs/extraction_limits.yaml``)."""

    #: one character repeated: longer runs are cut to this many
    max_run: int = 32
    #: consecutive digits (of any value: "0123456789...")
    max_digit_run: int = 32
    #: consecutive brackets of any kind: ( ) [ ] { } < >
    max_bracket_run: int = 16
    #: consecutive whitespace characters
    max_whitespace_run: int = 32
    #: characters of clinical text handed to spaCy (an abstract is at most a few thousand)
    max_chars: int = 20_000
    #: a document's time budget in extraction, seconds (0: none)
    seconds_per_document: float = 5.0
    #: ``annotate``: an input text longer than this is skipped (spaCy's own limit)
    max_input_chars: int = 1_000_000


@lru_cache(maxsize=4)
def load_limits(configs: str | None = None) -> Limits:
    """The limits of ``configs/extraction_limits.yaml`` (defaults for what it leaves out)."""
    import yaml

    from pipeline.resources import config_dir

    path = config_dir(configs) / LIMITS_FILE
    if not path.exists():
        return Limits()
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    known = {f.name: f for f in fields(Limits)}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of limits, found {type(data).__name__}")
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown limit {key!r} (expected one of {', '.join(known)})")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{path}: {key!r} should be a number >= 0, found {value!r}")
        if key != "seconds_per_document" and (value < 1 or value != int(value)):
            raise ConfigError(f"{path}: {key!r} should be a whole number >= 1, found {value!r}")
    values: dict[str, Any] = {k: (float(v) if k == "seconds_per_document" else int(v)) for k, v in data.items()}
    return Limits(**values)


# -- text bounds -----------------------------------------------------------------------------
#: what overwrites the excess of a run: short words, no digit, bracket or long run of anything
_FILLER = "xxxxxxxxxxxxxxx "
_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=8)
def _run_patterns(limits: Limits) -> tuple[tuple[re.Pattern[str], int], ...]:
    return (
        (re.compile(rf"\d{{{limits.max_digit_run + 1},}}"), limits.max_digit_run),
        (re.compile(rf"[()\[\]{{}}<>]{{{limits.max_bracket_run + 1},}}"), limits.max_bracket_run),
        (re.compile(rf"\s{{{limits.max_whitespace_run + 1},}}"), limits.max_whitespace_run),
        (re.compile(rf"(.)\1{{{limits.max_run},}}", re.S), limits.max_run),
    )


def _filler(n: int) -> str:
    return (_FILLER * (n // len(_FILLER) + 1))[:n]


def bound_runs(text: str, limits: Limits | None = None) -> str:
    """``text`` with every over-long run cut in place (same length, same offsets)."""
    limits = limits or load_limits()
    for pattern, keep in _run_patterns(limits):
        def cut(m: re.Match[str], keep: int = keep) -> str:
            return m.group()[:keep] + _filler(len(m.group()) - keep)

        text = pattern.sub(cut, text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


Zones = list[tuple[int, int, str, "str | None"]]


def bound_text(text: str, zones: Zones, doc_id: str | None = None,
               limits: Limits | None = None) -> tuple[str, Zones]:
    """The text to hand to spaCy, and its zones: cut at ``max_chars``, runs bounded in place."""
    limits = limits or load_limits()
    if len(text) > limits.max_chars:
        log.warning("document %s: %d characters of clinical text, only the first %d are read "
                    "(extraction_limits.max_chars)", doc_id, len(text), limits.max_chars)
        text = text[: limits.max_chars]
        zones = [(s, min(e, limits.max_chars), name, heading) for s, e, name, heading in zones
                 if s < limits.max_chars]
    return bound_runs(text, limits), zones


# -- time budget -----------------------------------------------------------------------------
class DocumentTimeout(BaseException):
    """A document ran past its time budget (a BaseException, like KeyboardInterrupt, so that
    no ``except Exception`` inside the pipeline swallows it)."""


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` in the block once ``seconds`` have passed.

    A timer already running (pytest-timeout's, say) is put back afterwards, less the
    time spent here. Without a main thread or ``setitimer`` the block just runs.
    """
    if seconds <= 0 or not _can_alarm():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise DocumentTimeout(f"over {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


@dataclass(frozen=True, slots=True)
class Skipped:
    """A document the extraction gave up on: its id and why."""

    doc_id: str
    reason: str

    def __str__(self) -> str:
        return f"document {self.doc_id}: {self.reason}"


def _one(extractor: Extractor, document: Document, seconds: float) -> Extraction | Skipped:
    try:
        with deadline(seconds):
            return extractor.extract(document)
    except DocumentTimeout:
        reason = f"skipped: extraction took over {seconds:g} s (extraction_limits.seconds_per_document)"
    except Exception as e:
        reason = f"skipped: extraction failed: {type(e).__name__}: {e}"
    log.error("document %s: %s", document.id, reason)
    return Skipped(document.id, reason)


def guarded_pipe(extractor: Extractor, documents: Iterable[Document],
                 limits: Limits | None = None) -> Iterator[Extraction | Skipped]:
    """Extract ``documents`` lazily, each under its own time budget; one result per document, in order.

    A document that runs past ``seconds_per_document`` or makes the extractor raise
    comes out as a :class:`Skipped` (logged), and the next one goes on. Documents go
    through the pipeline one at a time, so that the budget is exactly per document (for
    rule components ``nlp.pipe`` batches gain nothing measurable).
    """
    limits = limits or load_limits()
    for document in documents:
        yield _one(extractor, document, limits.seconds_per_document)
