"""Reader for Europe PMC ``core`` search results stored as JSON captures.

The record's shape is validated once, on entry (:class:`EuropePMCRecord`, pydantic):
a field of an unexpected type raises :class:`~pipeline.errors.ReaderError` naming the
field (``authorList.author.2.fullName: Input should be a valid string``), instead of a
``TypeError`` somewhere in the reader. Unknown fields are allowed and ignored.

What is taken from where:

* authors: ``firstName lastName`` of each ``authorList`` entry (full names), else its
  ``fullName`` ("Huang Y"), else the ``authorString``;
* article type: the first publication type that is a label ("Review", "Case Reports"
  -> "Case Report"), not a JATS code ("research-article", "review-article") nor the
  generic "Journal Article", which is the fall-back;
* journal: the record's ``title`` (NLM's sentence case, "Frontiers in veterinary
  science"); :func:`pipeline.readers.journals.complete_metadata` turns a known journal
  into its canonical name (matched by the title or the NLM abbreviation); other titles
  get title case;
* id: the DOI; a record without one (a new Frontiers article indexed only from PMC) is
  read under ``pmcid:PMC…`` or ``pmid:…`` until a later capture gives its DOI.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.document import Document
from pipeline.errors import ReaderError
from pipeline.readers.common import (
    ABSTRACT_HEADINGS,
    ZonedText,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
)
from pipeline.readers.journals import complete_metadata, fill_missing

_TAG = re.compile(r"<[^>]+>")
_POWER = re.compile(r"(\d)\s*<sup>\s*([^<]+?)\s*</sup>", re.I)
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I | re.S)
#: JATS ``article-type`` codes that Europe PMC lists among the publication types
_JATS_CODE = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
#: Europe PMC's sources of records (``source``): MEDLINE, PubMed Central, preprints, Agricola...
_SOURCES = frozenset({"MED", "PMC", "PPR", "AGR", "CBA", "CTX", "ETH", "HIR", "NBK", "PAT"})
_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"})


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


class _Affiliation(_Open):
    affiliation: str | None = None


class _Affiliations(_Open):
    authorAffiliation: list[_Affiliation] = []


class _Author(_Open):
    fullName: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    collectiveName: str | None = None
    authorAffiliationDetailsList: _Affiliations | None = None


class _Authors(_Open):
    author: list[_Author] = []


class _Journal(_Open):
    title: str | None = None
    issn: str | None = None
    essn: str | None = None
    medlineAbbreviation: str | None = None
    isoabbreviation: str | None = None


class _JournalInfo(_Open):
    volume: str | None = None
    journal: _Journal | None = None


class _Keywords(_Open):
    keyword: list[str] = []


class _PubTypes(_Open):
    pubType: list[str] = []


class EuropePMCRecord(_Open):
    """The fields of a Europe PMC ``core`` result the reader uses, with their types."""

    id: str | None = None
    source: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    abstractText: str | None = None
    authorString: str | None = None
    authorList: _Authors | None = None
    journalInfo: _JournalInfo | None = None
    keywordList: _Keywords | None = None
    pubTypeList: _PubTypes | None = None
    license: str | None = None
    pubYear: str | None = None
    firstPublicationDate: str | None = None
    electronicPublicationDate: str | None = None


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def looks_like_record(data: Any) -> bool:
    """Whether parsed JSON is one Europe PMC result (not a search page, not another API's object)."""
    return (isinstance(data, dict) and data.get("source") in _SOURCES and "id" in data
            and any(k in data for k in ("doi", "pmid", "pmcid", "abstractText", "authorString", "title")))


def is_europepmc_record(text: str) -> bool:
    """Sniffed from the parsed object, wherever its ``doi`` falls (a record with many authors
    puts it far down) and whether it has one at all."""
    head = text.lstrip()
    return head.startswith("{") and '"source"' in head and looks_like_record(_loads(head))


def validate_record(data: Any, where: str = "<europepmc record>") -> EuropePMCRecord:
    """The record, checked once; ReaderError names the first field of the wrong type."""
    if not isinstance(data, dict):
        raise ReaderError(where, f"expected a Europe PMC record (a JSON object), found {type(data).__name__}")
    try:
        return EuropePMCRecord.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        found = type(err.get("input")).__name__
        raise ReaderError(where, f"Europe PMC record field {field}: {err['msg']} (found {found}); "
                                 f"{e.error_count()} field(s) of unexpected type") from None


def _plain(fragment: str) -> str:
    fragment = _POWER.sub(r"\1^\2", fragment)  # 10<sup>6</sup> -> 10^6, as the HTML reader writes it
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", fragment))).strip()


def _title_case(title: str) -> str:
    """NLM's sentence case to title case: "Frontiers in veterinary science" -> "Frontiers in Veterinary Science"."""
    words = title.split(" ")
    return " ".join(w if (i and w.lower() in _SMALL_WORDS) or not w[:1].islower() else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def _article_type(pub_types: list[str]) -> str | None:
    labels = [t.strip() for t in pub_types if t.strip() and not _JATS_CODE.match(t.strip())]
    chosen = next((t for t in labels if t.lower() != "journal article"), labels[0] if labels else None)
    if chosen is None:
        return None
    if chosen.endswith(" Reports"):  # MeSH publication types are plural: "Case Reports"
        chosen = chosen[:-1]
    return " ".join(w if w.isupper() else w.capitalize() if i == 0 or w.lower() not in _SMALL_WORDS else w.lower()
                    for i, w in enumerate(chosen.split()))


def _authors(rec: EuropePMCRecord) -> list[str]:
    out = []
    for a in rec.authorList.author if rec.authorList else []:
        if a.firstName and a.lastName:
            out.append(f"{a.firstName.strip()} {a.lastName.strip()}")
        elif a.fullName or a.collectiveName:
            out.append((a.fullName or a.collectiveName or "").strip())
    if not out and rec.authorString:
        out = [a.strip() for a in rec.authorString.rstrip(".").split(",") if a.strip()]
    return [a for a in out if a]


def record_id(rec: EuropePMCRecord) -> str:
    """The document id: the DOI, else ``pmcid:PMC…``, else ``pmid:…``, else ``europepmc:<source>/<id>``."""
    if rec.doi:
        return normalize_doi(rec.doi)
    if normalize_pmcid(rec.pmcid):
        return f"pmcid:{normalize_pmcid(rec.pmcid)}"
    if normalize_pmid(rec.pmid):
        return f"pmid:{normalize_pmid(rec.pmid)}"
    return f"europepmc:{rec.source}/{rec.id}" if rec.id else ""


def read_europepmc_record(text: str, *, doc_id: str | None = None, source: str = "europepmc") -> Document:
    """A Document from one stored Europe PMC ``core`` result (``title \\n\\n abstract \\n\\n Keywords: ...``).

    Structured abstracts arrive with ``<h4>Background</h4>`` style headings; each part
    becomes an ``abstract`` zone with that heading.
    """
    rec = validate_record(_loads(text), doc_id or "<europepmc record>")
    out = ZonedText()
    add = out.add

    add("title", _plain(rec.title or "").rstrip(".") or "")
    abstract = rec.abstractText or ""
    pieces = _HEADING.split(abstract)
    if len(pieces) > 1:  # [before, heading, text, heading, text, ...]
        if _plain(pieces[0]):
            add("abstract", _plain(pieces[0]))
        for heading, body in zip(pieces[1::2], pieces[2::2], strict=False):
            head = _plain(heading).rstrip(":")
            add("abstract", _plain(body), head if head.lower() in ABSTRACT_HEADINGS else head or None)
    else:
        add("abstract", _plain(abstract))
    keywords = [k for k in (rec.keywordList.keyword if rec.keywordList else []) if k]
    out.add_keywords(keywords)
    affiliations: list[str] = []
    for a in rec.authorList.author if rec.authorList else []:
        for aff in a.authorAffiliationDetailsList.authorAffiliation if a.authorAffiliationDetailsList else []:
            if aff.affiliation and aff.affiliation not in affiliations:
                affiliations.append(aff.affiliation)
    doi = normalize_doi(rec.doi) if rec.doi else None
    return Document(
        id=doc_id or record_id(rec),
        text=out.text, source=source, format="europepmc_json",
        url=f"https://doi.org/{doi}" if doi else (
            f"https://europepmc.org/article/PMC/{rec.pmcid}" if rec.pmcid else None),
        affiliations=affiliations, keywords=keywords,
        abstract=out.abstract(),
        zones=out.zones, truncated=False, metadata_from="europepmc",
        **record_fields(rec),
    )


def record_fields(rec: EuropePMCRecord) -> dict[str, Any]:
    """The metadata fields of a record, as Document fields (what a merge may fill in)."""
    info = rec.journalInfo or _JournalInfo()
    journal = info.journal or _Journal()
    year = rec.pubYear
    return {
        "title": _plain(rec.title or "").rstrip(".") or None,
        # the canonical name of a known journal is set by complete_metadata (by title or ISSN)
        "journal": _title_case(journal.title) if journal.title else None,
        "journal_abbrev": journal.isoabbreviation or journal.medlineAbbreviation or None,
        "volume": info.volume,
        "year": int(year) if year and year.isdigit() else None,
        "article_type": _article_type(rec.pubTypeList.pubType if rec.pubTypeList else []),
        "authors": _authors(rec),
        "published": rec.firstPublicationDate or rec.electronicPublicationDate,
        "license": rec.license.upper().replace("CC-", "CC ") if rec.license else None,
        "pmcid": normalize_pmcid(rec.pmcid),
        "pmid": normalize_pmid(rec.pmid),
    }


# -- a DOI's record, fetched to complete a page (``extra.record_for``) --------------------
def find_result(text: str, doi: str, where: str = "<europepmc answer>") -> dict[str, Any] | None:
    """The result for ``doi`` in a Europe PMC search answer (or a single stored record), else None.

    ReaderError when the text is not JSON or not a Europe PMC answer at all.
    """
    data = _loads(text)
    if looks_like_record(data):
        results = [data]
    elif isinstance(data, dict) and isinstance(data.get("resultList"), dict):
        results = data["resultList"].get("result") or []
        if not isinstance(results, list):
            raise ReaderError(where, f"expected resultList.result to be a list, found {type(results).__name__}")
    else:
        found = "unparsable text" if data is None else f"a JSON {type(data).__name__} without resultList"
        raise ReaderError(where, f"expected a Europe PMC search answer, found {found}")
    want = normalize_doi(doi)
    return next((r for r in results if isinstance(r, dict) and isinstance(r.get("doi"), str)
                 and normalize_doi(r["doi"]) == want), None)


def merge_europepmc(doc: Document, text: str, where: str = "<europepmc answer>") -> Document:
    """Fill what ``doc`` lacks (article type, authors, journal, dates...) from its DOI's
    Europe PMC record, field by field, noting ``<field>=europepmc``. Text, zones and abstract
    stay the page's. A record without a result for the document's DOI changes nothing."""
    result = find_result(text, doc.id, where)
    if result is not None:
        fill_missing(doc, record_fields(validate_record(result, where)), "europepmc")
    return complete_metadata(doc)
