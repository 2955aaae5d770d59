"""Reader for article pages captured as text renderings (the seed's format).

A rendering runs, each part optional because captures are cut off anywhere:

    Skip to main content
    CASE REPORT article                      -> article_type "Case Report"
    Front. Immunol., 17 August 2022          -> journal, published
    Sec. Cancer Immunity and Immunotherapy   -> section
    Volume 15 - 2024 | doi: 10.3389/...      -> volume, year, DOI
    This article is part of the Research Topic ...
    <title>
    Provisionally accepted                   -> status
    <authors, each name written twice, then affiliation numbers and marks>
      • 1 Department of ...                  -> affiliations
    The final, formatted version ... soon.
    <abstract, plain or with "Heading: text" sections>
    Keywords: a, b, c
    Received: 29 Oct 2024; Accepted: 27 Dec 2024.
    Copyright: © 2024 ... (CC BY) ...
    * Correspondence: ...

Renderings of other publishers (an ``Abstract`` line followed by ``Background`` /
``Methods`` heading lines) and fragments that start at the affiliations are read too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pipeline.document import Document, Zone
from pipeline.readers.common import (
    ABSTRACT_HEADINGS,
    find_doi,
    license_of,
    parse_date,
    title_case_type,
)

_ARTICLE_TYPE = re.compile(r"^([A-Z][A-Z &/-]+?)\s+article$")
_JOURNAL = re.compile(r"^(Front\.\s[^,]+?)\.?(?:,\s*(\d{1,2} \w+ \d{4}))?$")
_JOURNAL_OTHER = re.compile(r"^(Frontiers in [A-Z][\w ,&-]+?)(?:,\s*(\d{1,2} \w+ \d{4}))?$")
_VOLUME = re.compile(r"^Volume\s+(\d+)\s*-\s*(\d{4})")
_AFFIL = re.compile(r"^\s*(?:•|-|\*)\s*(\d+)?\s*(\S.*)$")
_KEYWORDS = re.compile(r"^\s*Keywords?\s*:\s*(.*)$", re.I)
_DATES = re.compile(r"(Received|Accepted|Published|Revised)\s*:\s*(\d{1,2} \w+ \d{4})", re.I)
_INLINE_HEADING = re.compile(r"^([A-Z][A-Za-z /-]{2,40}?)\s*:\s+\S")
_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.?\s+[A-Z][\w ,/-]{2,60}$")
_AUTHOR = re.compile(
    r"(?P<name>[^\W\d_][^\d*†‡§,&;\n]*?)"  # a name, first occurrence
    r"[,*†‡§]*(?:&#x;)?[*†‡§]*\s?"  # marks of the first occurrence (commas stand for numbers)
    r"(?P=name)"  # the same name again
    r"\s?(?P<aff>\d+(?:,\d+)*)?(?P<marks>[*†‡§]*)"
)
_SKIP_LINES = (
    "skip to main content",
    "the final, formatted version of the article will be published soon.",
    "your new experience awaits",
    # the "notify me on publication" widget of provisionally accepted pages
    "select one of your emails",
    "you have multiple emails registered",
    "notify me on publication",
    "please enter your email address",
    "if you already have an account",
    "you don't have a frontiers account",
    "you don’t have a frontiers account",
)
_END_MARKERS = re.compile(r"^\s*(\*\s*Correspondence|Correspondence\s*:|Copyright\s*:|Disclaimer\s*:|Citation\s*:)", re.I)


@dataclass(slots=True)
class _Line:
    text: str  # stripped
    start: int  # offset of the stripped text in the document
    end: int


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped.startswith("\\n"):  # a literal "\n" left by some renderings
            stripped = stripped[2:].lstrip()
        if stripped:
            start = pos + raw.index(stripped)
            if stripped.lower().startswith("provisionally accepted") and len(stripped) > 22:
                # "Provisionally accepted- 1Department of ...": status glued to a line
                out.append(_Line(stripped[:22], start, start + 22))
                rest = stripped[22:].lstrip()
                start += stripped.index(rest, 22) if rest else 22
                stripped = rest
            if stripped:
                out.append(_Line(stripped, start, start + len(stripped)))
        pos += len(raw)
    return out


def parse_authors(line: str) -> list[str]:
    """Names from a rendered author line, where each name is written twice.

    >>> parse_authors("Huanhuan Zhou Huanhuan Zhou 1Ning Liu Ning Liu 1*")
    ['Huanhuan Zhou', 'Ning Liu']
    """
    line = re.sub(r"[ \t]+", " ", html.unescape(line.replace("&#x;", "\x00")).replace("\x00", "&#x;"))
    names = []
    for m in _AUTHOR.finditer(line):
        name = m.group("name").strip()
        if name:
            names.append(name)
    return names


_MARKS = re.compile(r"(?:[\d,*†‡§]|&#x;)+")


def parse_authors_loose(block: str) -> list[str]:
    """Names from an author block whose doubled names do not repeat exactly.

    Each author is "<name><marks><name again><affiliation numbers and marks>"; the
    second spelling is kept (the first often lost characters to encoding), or the
    only spelling when the block lists names once, separated by commas.
    """
    block = re.sub(r"[ \t]+", " ", html.unescape(block.replace("&#x;", "*")))
    cuts = [m.end() for m in _MARKS.finditer(block) if any(ch.isdigit() for ch in m.group())]
    chunks = [c.strip() for c in (block[a:b] for a, b in zip([0, *cuts], [*cuts, len(block)], strict=True)) if c.strip()]
    names = []
    for chunk in chunks:
        parts = [p.strip() for p in _MARKS.split(chunk) if p.strip()]
        if parts:
            names.append(parts[1] if len(parts) > 1 else parts[0])
    if len(names) <= 1 and "," in block:
        names = [p.strip() for p in re.split(r",|;| and ", _MARKS.sub(",", block)) if p.strip()]
    return names


def _author_block_end(lines: list[_Line], i: int) -> int | None:
    """Index of the affiliation line that ends an author block starting at ``i``, if any."""
    for j in range(i, min(i + 4, len(lines))):
        t = lines[j].text
        if t[:1] in "•-" and _AFFIL.match(t):
            return j if j > i else None
        if ". " in t or len(t) > 600:
            return None
    return None


def _is_author_line(line: str) -> bool:
    names = parse_authors(line)
    return bool(names) and sum(len(n) for n in names) * 2 >= 0.6 * len(line)


def _header_kind(t: str) -> tuple[str, re.Match[str] | None]:
    """What a header line is, with the match that says so (for the fields it holds)."""
    low = t.lower()
    if low.startswith(_SKIP_LINES) or low.startswith("this article is part of the research topic"):
        return "skip", None
    if low == "abstract":
        return "abstract", None
    if low == "provisionally accepted":
        return "status", None
    if t[:1] in "•-" and (m := _AFFIL.match(t)):
        return "affiliation", m
    if m := _ARTICLE_TYPE.match(t):
        return "type", m
    if (m := _JOURNAL.match(t)) or (m := _JOURNAL_OTHER.match(t)):
        return "journal", m
    if t.startswith("Sec. "):
        return "section", None
    if m := _VOLUME.match(t):
        return "volume", m
    if _is_author_line(t):
        return "authors", None
    return "text", None


def _heading_key(t: str) -> str | None:
    """The abstract heading a short standalone line names, if it names one."""
    bare = t.rstrip(":").strip()
    if len(bare.split()) <= 5 and not bare.endswith((".", ",")) and bare.lower() in ABSTRACT_HEADINGS:
        return bare
    return None


def read_page_text(text: str, *, doc_id: str | None = None, source: str = "unknown") -> Document:
    """Parse a page text rendering into a :class:`Document`.

    Never raises on a cut-off text: what was captured is read, and ``truncated`` says
    whether the capture stops before the end of the abstract.
    """
    lines = _lines(text)
    doc = Document(id=doc_id or "", text=text, source=source, format="page_text")
    n = len(lines)
    i = 0
    has_abstract_marker = False

    # --- header: everything up to the affiliations or the abstract -----------
    while i < n:
        t = lines[i].text
        kind, m = _header_kind(t)
        if kind == "affiliation":
            break
        if kind == "abstract":
            has_abstract_marker = True
            i += 1
            break
        if kind == "text":
            if doc.title is None:
                doc.title = t
                doc.zones.append(Zone("title", lines[i].start, lines[i].end))
            elif (j := _author_block_end(lines, i)) is not None:
                # lines between the title and the affiliations: an author list that the
                # strict parser missed (a line broken in two, names mangled by encoding)
                block = "".join(ln.text for ln in lines[i - (1 if doc.authors else 0) : j])
                doc.authors = parse_authors(block) if _is_author_line(block) else parse_authors_loose(block)
                i = j
                continue
            else:
                break  # the abstract begins right after the title block
        elif kind == "type":
            assert m is not None
            doc.article_type = title_case_type(m.group(1))
        elif kind == "journal":
            assert m is not None
            doc.journal = m.group(1).strip()
            if doc.journal.startswith("Front.") and not doc.journal.endswith("."):
                doc.journal += "."
            if m.group(2):
                doc.published = parse_date(m.group(2))
        elif kind == "section":
            doc.section = t[5:].strip()
        elif kind == "volume":
            assert m is not None
            doc.volume, doc.year = m.group(1), int(m.group(2))
        elif kind == "status":
            doc.status = "provisionally accepted"
        elif kind == "authors":
            doc.authors = parse_authors(t)
        i += 1

    # --- affiliations --------------------------------------------------------
    while i < n and lines[i].text[:1] in "•-" and (m := _AFFIL.match(lines[i].text)):
        doc.affiliations.append(m.group(2).strip())
        i += 1
    while i < n and _header_kind(lines[i].text)[0] in ("skip", "abstract"):
        has_abstract_marker |= lines[i].text.lower() == "abstract"
        i += 1

    # --- abstract --------------------------------------------------------------
    ended = False
    heading: str | None = None
    seen: set[str] = set()
    while i < n:
        ln = lines[i]
        t = ln.text
        if _KEYWORDS.match(t) or _DATES.search(t) or _END_MARKERS.match(t) or _NUMBERED_HEADING.match(t):
            ended = True
            break
        if key := _heading_key(t):
            started = any(z.name == "abstract" for z in doc.zones)
            opening = key.lower() in ("introduction", "background")
            closed = any(h.startswith(("conclusion", "discussion", "summary")) for h in seen)
            if (has_abstract_marker or not started) and key.lower() not in seen and not closed and not (opening and seen):
                heading = key
                seen.add(key.lower())
                i += 1
                continue
            ended = True  # the body begins ("Introduction" after the abstract)
            break
        if (m := _INLINE_HEADING.match(t)) and m.group(1).strip().lower() in ABSTRACT_HEADINGS:
            heading = m.group(1).strip()
        doc.zones.append(Zone("abstract", ln.start, ln.end, heading))
        i += 1
    abstract_zones = [z for z in doc.zones if z.name == "abstract"]
    doc.abstract = "\n".join(text[z.start : z.end] for z in abstract_zones)

    # --- back matter -----------------------------------------------------------
    for ln in lines[i:]:
        if (m := _KEYWORDS.match(ln.text)) and not doc.keywords:
            body = m.group(1).rstrip().rstrip(".")
            doc.keywords = [k.strip() for k in re.split(r"[,;]", body) if k.strip()]
            if body:
                offset = ln.start + ln.text.index(body)
                doc.zones.append(Zone("keywords", offset, offset + len(body)))
        for kind, value in _DATES.findall(ln.text):
            attr = kind.lower()
            if attr in ("received", "accepted", "published") and getattr(doc, attr) is None:
                setattr(doc, attr, parse_date(value))
        if doc.license is None:
            doc.license = license_of(ln.text)

    if doc.year is None and doc.published:
        doc.year = int(doc.published[:4])
    if not doc.id:
        doc.id = find_doi(text) or ""
    # Complete when something that follows the abstract was captured.
    doc.truncated = not abstract_zones or not (ended or doc.keywords)
    return doc
