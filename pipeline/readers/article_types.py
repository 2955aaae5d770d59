"""An article type read from the abstract, when nothing stated one (the last fallback).

The rules are data (``configs/article_types.yaml``): each names a type and one signal,
either section headings the abstract must have ("Case presentation"; "Methods" and
"Results") or statements it makes about itself ("we searched PubMed", "in this review",
"we report a case of"). They are tried in order; the first that matches gives the type,
and none matching leaves it empty. :func:`complete_type_from_text` runs in the documents
stage after every stated source (the capture, its Crossref and Europe PMC records) and
records ``article_type=text`` in ``Document.metadata_from``; a stated type is never
replaced. Its measured precision is in docs/scraper.md ("Metadata").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from pipeline.document import Document
from pipeline.errors import ConfigError
from pipeline.readers.common import ABSTRACT_HEADINGS
from pipeline.readers.journals import note_origin
from pipeline.resources import config_path

RULES = "article_types.yaml"
#: "Methods:" at the start of a line or right after a sentence ("...for RT.Methods: ..."),
#: or a heading alone on its line (citation exports)
_INLINE = re.compile(r"(?:^|(?<=[.!?]))[ \t]*([A-Z][A-Za-z]+(?:[ /-][A-Za-z]+){0,3})[ \t]*(?::|$)", re.M)
_METHODS = re.compile(r"(methods?|materials and methods|patients and methods|design|experimental design)")
_RESULTS = re.compile(r"(results?|findings)")


@dataclass(frozen=True, slots=True)
class TypeRule:
    type: str
    headings: tuple[re.Pattern[str], ...] = ()
    texts: tuple[re.Pattern[str], ...] = ()
    unstructured: bool = False

    def matches(self, headings: set[str], text: str) -> bool:
        if self.unstructured and is_structured(headings):
            return False
        if self.headings and not all(any(p.fullmatch(h) for h in headings) for p in self.headings):
            return False
        return not self.texts or any(p.search(text) for p in self.texts)


def _compile(patterns: object, where: str) -> tuple[re.Pattern[str], ...]:
    if patterns is None:
        return ()
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{where}: expected a list of regular expressions, found {patterns!r}")
    try:
        return tuple(re.compile(p, re.I) for p in patterns)
    except re.error as e:
        raise ConfigError(f"{where}: not a regular expression ({e})") from None


@lru_cache(maxsize=1)
def load_rules() -> tuple[TypeRule, ...]:
    """The rules, read once; ConfigError names the file and the rule that is wrong."""
    path = config_path(RULES)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"{path}: expected a non-empty list under 'rules', found {rows!r}")
    rules = []
    for n, row in enumerate(rows, start=1):
        where = f"{path}: rule {n}"
        if not isinstance(row, dict) or not isinstance(row.get("type"), str) or not row["type"].strip():
            raise ConfigError(f"{where}: expected a mapping with a 'type', found {row!r}")
        unknown = set(row) - {"type", "heading", "text", "unstructured"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)} (expected type, heading, text, unstructured)")
        rule = TypeRule(row["type"].strip(), _compile(row.get("heading"), f"{where} heading"),
                        _compile(row.get("text"), f"{where} text"), bool(row.get("unstructured", False)))
        if not (rule.headings or rule.texts):
            raise ConfigError(f"{where}: a rule needs a 'heading' or a 'text' signal")
        rules.append(rule)
    return tuple(rules)


def abstract_headings(doc: Document) -> set[str]:
    """The abstract's section headings (lower case): its zones' and those written inside its text."""
    found = {z.heading for z in doc.zones if z.name == "abstract" and z.heading}
    found.update(m.group(1) for m in _INLINE.finditer(doc.abstract))
    return {h for h in (" ".join(h.lower().rstrip(":").split()) for h in found) if h in ABSTRACT_HEADINGS}


def is_structured(headings: set[str]) -> bool:
    """Whether the headings include a methods and a results section."""
    return any(_METHODS.fullmatch(h) for h in headings) and any(_RESULTS.fullmatch(h) for h in headings)


def type_from_text(doc: Document) -> str | None:
    """The type the abstract's structure or statements give, or None (no clear signal)."""
    if not doc.abstract.strip():
        return None
    headings = abstract_headings(doc)
    text = " ".join(doc.abstract.split())
    return next((r.type for r in load_rules() if r.matches(headings, text)), None)


def complete_type_from_text(doc: Document) -> Document:
    """Set ``article_type`` from the abstract when nothing stated one (``article_type=text``)."""
    if not doc.article_type and (found := type_from_text(doc)):
        doc.article_type = found
        note_origin(doc, "article_type", "text")
    return doc
