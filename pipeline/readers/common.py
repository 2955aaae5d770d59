"""Small helpers shared by the readers."""

from __future__ import annotations

import re
from datetime import datetime

#: Headings of structured abstracts (lower case), across publishers.
ABSTRACT_HEADINGS = frozenset(
    {
        "abstract", "background", "introduction", "objective", "objectives", "aim", "aims",
        "purpose", "rationale", "methods", "method", "materials and methods",
        "patients and methods", "design", "results", "findings", "case presentation",
        "case presentations", "case report", "case description", "case summary",
        "case", "cases", "conclusion", "conclusions", "discussion", "discussion/conclusion",
        "discussion and conclusion", "discussion and conclusions", "interpretation",
        "significance", "summary", "trial registration", "clinical trial registration",
        "registration", "systematic review registration", "importance", "main body",
        "short conclusion", "diagnosis", "interventions", "outcomes", "lessons",
        "patient concerns", "diagnoses", "observations",
    }
)

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>|]+[^\s\"<>|.,;)\]])")
_CC = re.compile(r"Creative Commons Attribution(?: License)?\s*\((CC[ -][A-Z-]+(?: \d\.\d)?)\)", re.I)
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%Y/%m/%d")


def find_doi(text: str) -> str | None:
    """The first DOI written in ``text``, or None."""
    m = _DOI.search(text)
    return m.group(1) if m else None


def doi_from_url(url: str | None) -> str | None:
    return find_doi(url or "")


def parse_date(value: str) -> str | None:
    """ISO date (YYYY-MM-DD) of a date written as on publisher pages, else None."""
    value = re.sub(r"\s+", " ", value.strip().rstrip("."))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def license_of(text: str) -> str | None:
    """The licence a copyright line names ("CC BY"), or None."""
    m = _CC.search(text)
    if m:
        return m.group(1).upper().replace("-", " ", 1) if m.group(1)[2] == "-" else m.group(1).upper()
    return None


def title_case_type(label: str) -> str:
    """Publisher article-type label in title case: "CASE REPORT" -> "Case Report"."""
    small = {"and", "of", "in", "the", "a"}
    words = label.strip().lower().split()
    return " ".join(w if (i and w in small) else w.capitalize() for i, w in enumerate(words))
