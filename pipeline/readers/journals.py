"""Frontiers journals (``configs/vocab/frontiers_journals.csv``) and metadata completion.

A Frontiers DOI names its journal and year: ``10.3389/fimmu.2024.1519055`` is
*Frontiers in Immunology*, 2024. :func:`complete_metadata` runs after every reader:

* it gives every document of a known journal one canonical name (the table's
  ``label``, "Frontiers in Oncology") and its abbreviation (``abbrev``, as Frontiers
  prints it: "Front. Oncol."), whatever spelling the capture used (the full name, the
  page's "Front. Oncol.", the NLM "Front Oncol", Europe PMC's lower-case title, an ISSN);
* when the capture names no journal or no year, it takes them from the DOI, and records
  ``journal=doi`` / ``year=doi`` in ``Document.metadata_from``. The DOI's year is the
  year the DOI was registered, which for a few articles is the year before the issue
  (``10.3389/fonc.2020.607362`` was published on 2 February 2021): it is used only
  when the capture gives neither a year nor a publication date;
* when the capture names no article type, a Frontiers title that opens with the
  type ("Case Report: ...", "Case report: ...") gives it (``article_type=title``).
  A fragment without a type label or such a title keeps ``article_type`` empty here; the
  documents stage may still fill it from the DOI's Europe PMC record, and last from the
  abstract's own headings and statements (:mod:`pipeline.readers.article_types`,
  ``article_type=text``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.document import Document
from pipeline.errors import ConfigError
from pipeline.resources import config_path

TABLE = "vocab/frontiers_journals.csv"
_FRONTIERS_DOI = re.compile(r"^10\.3389/([a-z]+)\.(\d{4})\.\d+$")
#: Title prefixes Frontiers gives articles of these types ("Case Report: ...").
_TITLE_TYPES = {"case report": "Case Report", "case reports": "Case Report", "case series": "Case Series"}
_TITLE_TYPE = re.compile(r"^(case reports?|case series)\s*:\s*\S", re.I)


@dataclass(frozen=True, slots=True)
class Journal:
    name: str
    code: str
    abbrev: str
    nlm: str
    issn: str


@dataclass(frozen=True, slots=True)
class Journals:
    by_code: dict[str, Journal]
    by_key: dict[str, Journal]

    def lookup(self, text: str | None) -> Journal | None:
        """The journal a name, abbreviation, ISSN or code names (case and dots ignored)."""
        return self.by_key.get(_key(text)) if text else None


def _key(text: str) -> str:
    return " ".join(text.replace(".", " ").replace(",", " ").split()).casefold()


@lru_cache(maxsize=1)
def load_journals() -> Journals:
    """The table, read once; ConfigError names the file and line of a bad row."""
    path = config_path(TABLE)
    by_code: dict[str, Journal] = {}
    by_key: dict[str, Journal] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                journal = Journal(row["label"].strip(), row["code"].strip(), row["abbrev"].strip(),
                                  row["nlm"].strip(), row["issn"].strip())
            except (KeyError, AttributeError):
                raise ConfigError(f"{path}:{line}: expected label, code, abbrev, nlm and issn, found {row}") from None
            if not (journal.name and journal.code and journal.abbrev):
                raise ConfigError(f"{path}:{line}: label, code and abbrev must not be empty")
            if journal.code in by_code:
                raise ConfigError(f"{path}:{line}: journal code {journal.code!r} is declared twice")
            by_code[journal.code] = journal
            synonyms = [s for s in (row.get("synonyms") or "").split("|") if s.strip()]
            for text in (journal.name, journal.code, journal.abbrev, journal.nlm, journal.issn, *synonyms):
                if text.strip():
                    by_key[_key(text)] = journal
    return Journals(by_code, by_key)


def journal_of_doi(doi: str | None) -> tuple[Journal | None, int | None]:
    """The journal and year a Frontiers DOI encodes (either may be None)."""
    m = _FRONTIERS_DOI.match((doi or "").strip().lower())
    if not m:
        return None, None
    return load_journals().by_code.get(m.group(1)), int(m.group(2))


def note_origin(doc: Document, field: str, origin: str) -> None:
    """Record in ``doc.metadata_from`` that ``field`` came from ``origin`` (replacing an earlier note)."""
    parts = [p for p in (doc.metadata_from or "").split("; ") if p and not p.startswith(f"{field}=")]
    if parts and "=" not in parts[0]:  # a reader that names one origin for all fields ("jats")
        parts = [f"all={parts[0]}", *parts[1:]]
    doc.metadata_from = "; ".join([*parts, f"{field}={origin}"])


def fill_missing(doc: Document, fields: dict[str, Any], origin: str) -> list[str]:
    """Fill what ``doc`` lacks from another record's ``fields``, noting ``<field>=<origin>``.

    A field the document has keeps its value, except one only derived from the DOI
    (``journal=doi``, ``year=doi``), which gives way to the record's. Returns the fields used.
    """
    derived = {k for k, _, v in (p.partition("=") for p in (doc.metadata_from or "").split("; ")) if v == "doi"}
    used = [name for name, value in fields.items() if value and (not getattr(doc, name) or name in derived)]
    for name in used:
        setattr(doc, name, fields[name])
        note_origin(doc, name, origin)
    return used


def complete_metadata(doc: Document) -> Document:
    """Canonical journal name and abbreviation; journal, year and type when the capture lacks them."""
    journals = load_journals()
    from_doi, doi_year = journal_of_doi(doc.id)
    journal = journals.lookup(doc.journal) or journals.lookup(doc.journal_abbrev)
    if journal is None and not doc.journal and from_doi is not None:
        journal = from_doi
        note_origin(doc, "journal", "doi")
    if journal is not None:
        doc.journal, doc.journal_abbrev = journal.name, journal.abbrev
    if doc.year is None:
        if doc.published and doc.published[:4].isdigit():
            doc.year = int(doc.published[:4])
            note_origin(doc, "year", "published")
        elif doi_year is not None:
            doc.year = doi_year
            note_origin(doc, "year", "doi")
    if not doc.article_type and doc.title and (m := _TITLE_TYPE.match(doc.title)):
        doc.article_type = _TITLE_TYPES[m.group(1).lower()]
        note_origin(doc, "article_type", "title")
    return doc
