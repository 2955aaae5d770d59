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

Renderings of other publishers and indexes are read too: an ``Abstract`` line (or an
``ABSTRACT`` label glued to the text) starts the abstract wherever it stands; heading
lines (``Background``, ``Purpose:``) make a structured abstract; navigation and widget
lines (PubMed, PMC, Pure...), citation and identifier lines, name lists and
affiliations are kept out of it; back matter (keywords, references, "Comment in",
translational-relevance boxes) ends it; hard-wrapped lines are joined into one zone per
paragraph. Fragments that start at the affiliations are read as well.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pipeline.document import Document, Zone
from pipeline.readers.common import (
    ABSTRACT_HEADINGS,
    find_doi,
    heading_of_abstract,
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
#: "Background: ...", "BACKGROUND:Autoreactive ...", and "BackgroundChimeric ..." (a heading glued to its text)
_INLINE_HEADING = re.compile(
    r"^([A-Z][A-Za-z /-]{2,40}?)\s*:\s*(?=\S)|^(Background|Introduction|Objectives?|Purpose|Aims?)(?=[A-Z])"
)
_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.?\s+[A-Z][\w ,/-]{2,60}$")
#: a name is at most this long: unbounded, the lazy name and its back-reference are quadratic
#: on a long line without digits or commas (8 KB: 14 s)
_NAME_MAX = 80
_AUTHOR = re.compile(
    r"(?P<name>[^\W\d_][^\d*†‡§,&;\n]{0," + str(_NAME_MAX) + r"}?)"  # a name, first occurrence
    r"[,*†‡§]*(?:&#x;)?[*†‡§]*\s?"  # marks of the first occurrence (commas stand for numbers)
    r"(?P=name)"  # the same name again
    r"\s?(?P<aff>\d+(?:,\d+)*)?(?P<marks>[*†‡§]*)"
)
_ET_AL = re.compile(r"\bet al\.?$")


def _drop_et_al(line: str) -> str:
    """``line`` without a closing "et al." and the spaces before it.

    Written without ``\\s*\\bet al\\.?$``, which is quadratic on a run of spaces (20k: 78 s).
    """
    stripped = line.rstrip()
    m = _ET_AL.search(stripped) if stripped.endswith(("et al", "et al.")) else None
    return stripped[: m.start()].rstrip() if m else line
#: Frontiers page furniture (lines starting so, any case).
_FRONTIERS_FURNITURE = (
    "the final, formatted version of the article will be published soon.",
    "this article is part of the research topic",
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
_AUTHORS_LABEL = re.compile(r"^Authors?\s*:\**\s*(?=\S)")
_MARKDOWN = re.compile(r"#{1,6}\s+|\*\*(?=[^*]+:\*\*)")
_GLUED_STATUS = re.compile(r"(Provisionally accepted)\s*", re.I)
_GLUED_ABSTRACT = re.compile(r"(ABSTRACT|Abstract:)\s+(?=\S.{80})")
#: Navigation and widget lines of publisher and index pages (PubMed, PMC, Pure, ...).
_JUNK = re.compile(
    r"^(?:" + "|".join(map(re.escape, _FRONTIERS_FURNITURE)) + r"|skip to main (?:page )?content|u\.s\. flag|an official website of the united states government"
    r"|here'?s how you know|dot gov|the \.gov means|federal government websites|https$|the site is secure"
    r"|the https:// ensures|access keys|send to$|choose destination|display options|full text links"
    r"|actions$|cite$|share$|permalink|page navigation|similar articles|play all audios"
    r"|-?\s*select a language|-?\s*(?:uk|us) english|-?\s*australian (?:fe)?male|-?\s*language selected"
    r"|research output:|\d+ scopus citations|recenzirano|e-viri|comments \(\d+\)|get ai-generated insights"
    r"|view (?:article|pdf|full text)|download (?:pdf|citation)|open in a new tab|author information$"
    r"|affiliations$|erratum in$|session information|abstract time:|category:|location:|authors$"
    r"|journal article$|publication types$|mesh terms$|.*\blogolink to\b|.*\s-\slogo$)",
    re.I,
)
#: Citation and identifier lines: "N Engl J Med. 2016 Dec 29;375(26):2561-9.", "PMCID: ...".
_META = re.compile(
    r"^(?:-\s*)?(?i:pmcid|pmid|doi|epub|issn)\s*:|^\.\s*\d{4}\b|\bet al\.\s+[A-Z]|^(?i:abstract)\s*:\s*\S{1,24}$"
    r"|^(?:[A-Z][\w.&-]*\s){0,6}[A-Z][\w.&-]*\.?\s+\d{4}(?:\s+[A-Z][a-z]{2})?(?:\s+\d{1,2})?\s*[;:.]",
)
#: a conference abstract's number before its title ("Abstract 2874: First-in-Human Phase 1 Study of ..."): not the
#: citation line ("Blood 2024;") that _META skips
_ABSTRACT_NUMBER = re.compile(r"^(?i:abstract)\s+#?\d{1,6}\s*[:.]\s*(?=(?:\S+\s+){3}\S)")
_INSTITUTION_FIRST = re.compile(
    r"^(?:\d+\s*|From the |[a-z]\s)?(?:Department|Dept\.|Division|Institute|Institut|University|Universit"
    r"|Hospital|Center|Centre|College|School|Laboratory|Faculty|Clinic|Unit|Section|Service|Program)\b"
)
_NAME_ITEM = re.compile(
    r"^(?:and\s+)?(?:[A-Z][\w'’-]*\.?)(?:[ .-]+(?:[A-Z][\w'’-]*\.?|de|van|von|der|da|di|la|le))*"
    r"\s*(?:\d+(?:\s*,\s*\d+)*)?[*†‡§]*$"
)
_BACK_MATTER = re.compile(
    r"^(?:references|copyright\b|©|cited by|similar articles|mesh terms|publication types|substances"
    r"|grants and funding|related information|linkout|conflicts? of interest|competing interests"
    r"|disclosures?\b|funding\b|acknowledge?ments?|\[indexed for medline\]|supplementary (?:material|data)"
    r"|figures?$|article information|comments \(|get ai-generated insights|this article is featured in"
    r"|translational relevance|statement of significance|visual abstract$|graphical abstract$"
    r"|comment (?:in|on)$|update (?:in|of)$|erratum in$)",
    re.I,
)
#: "INTRODUCTION The body ..." where a rendering glued the body's first heading to its text
_GLUED_BODY = re.compile(r"^(?:\d+\.?\s*)?INTRODUCTION\b")
_END_MARKERS = re.compile(r"^\s*(\*\s*Correspondence|Correspondence\s*:|Copyright\s*:|Disclaimer\s*:|Citation\s*:)", re.I)


#: A line is classified (header kind, prose, heading, end of the abstract) by its first
#: ``LINE_PROBE`` characters; its zone still spans the whole line. Real lines are under
#: 10 KB; without the bound, each of the ~50 tests a line goes through is a pass over it
#: (a 1 MB line: about 5 s).
LINE_PROBE = 20_000
#: lines read from a page rendering (real ones hold a few hundred before the abstract ends)
MAX_LINES = 4_000


@dataclass(slots=True)
class _Line:
    text: str  # stripped, at most LINE_PROBE characters
    start: int  # offset of the stripped text in the document
    end: int
    gap: bool = False  # a blank line precedes it


def _lines(text: str) -> list[_Line]:
    """The text's non-blank lines, the first :data:`MAX_LINES` of them (the header, abstract and keywords
    come first; a rendering of thousands of short lines is not read to its end, keeping the reader linear
    and bounded: 1 MB of four-letter lines read in 5 s before this bound)."""
    out: list[_Line] = []
    pos = 0
    gap = False
    for raw in text.splitlines(keepends=True):
        if len(out) >= MAX_LINES:
            break
        stripped = raw.strip()
        if stripped.startswith("\\n"):  # a literal "\n" left by some renderings
            stripped = stripped[2:].lstrip()
        if stripped:
            start = pos + raw.index(stripped)
            if m := _MARKDOWN.match(stripped):  # "# Title", "## Abstract", "**Authors:** ..."
                start += m.end()
                stripped = stripped[m.end():]
            for glued in (_GLUED_STATUS, _GLUED_ABSTRACT):
                # "Provisionally accepted- 1Department ...", "ABSTRACT BCMA-targeted CAR T-cells ..."
                if (m := glued.match(stripped)) and m.end() < len(stripped):
                    out.append(_Line(m.group(1), start, start + len(m.group(1)), gap))
                    gap = False
                    rest = stripped[m.end():]
                    start += m.end()
                    stripped = rest
            out.append(_Line(stripped[:LINE_PROBE], start, start + len(stripped), gap))
            gap = False
        else:
            gap = True
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
    """Index of the affiliation line that ends an author block starting at ``i``, if any.

    The block's names carry affiliation numbers ("Nogués-Castell1,2*"), which sets it
    apart from other short lines above a bulleted list.
    """
    for j in range(i, min(i + 4, len(lines))):
        t = lines[j].text
        if t[:1] in "•-" and _AFFIL.match(t):
            numbered = re.search(r"[a-zß-ÿ]\d", "".join(ln.text for ln in lines[i:j]))  # "Castell1,2"
            return j if j > i and numbered else None
        if ". " in t or len(t) > 600:
            return None
    return None


def _is_name_list(line: str) -> bool:
    """"A. Smith, B. Jones, C. Wu" or "Xiao, Lin; Cen, Dongzhi; ...": names, no sentence."""
    items = [x.strip() for x in re.split(r"[,;]|\band\b", _drop_et_al(line))
             if x.strip(" *†‡§0123456789")]
    if len(items) < 3 or re.search(r"[a-z]{2,}\.\s+[A-Z]", line):
        return False
    named = sum(1 for x in items if _NAME_ITEM.match(x) and len(x.split()) <= 5)
    return named >= 0.8 * len(items)


def _is_prose(line: str) -> bool:
    """A paragraph of running text (not a title, a name list or a label)."""
    if _is_name_list(line):
        return False
    sentences = len(re.findall(r"[a-z0-9)%\]][.!?](?:\s+[A-Z(]|$)", line))
    return (len(line) >= 250 and sentences >= 1) or (len(line) >= 100 and sentences >= 2)


def _is_author_line(line: str) -> bool:
    names = parse_authors(line)
    return bool(names) and sum(len(n) for n in names) * 2 >= 0.6 * len(line)


def _header_kind(t: str) -> tuple[str, re.Match[str] | None]:
    """What a header line is, with the match that says so (for the fields it holds)."""
    low = t.lower()
    if low.rstrip(":") == "abstract":
        return "abstract", None
    if (_JUNK.match(t) or _META.search(t)) and not _ABSTRACT_NUMBER.match(t):
        return "skip", None
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


def _split_names(line: str) -> list[str]:
    line = _drop_et_al(line)
    if ";" in line:  # "Surname, Given; Surname, Given"
        return [" ".join(reversed([p.strip() for p in x.split(",", 1)])) for x in line.split(";") if x.strip()]
    names = (_strip_marks(x).strip() for x in re.split(r",\s*(?![\d,])|\band\b", line))
    return [x for x in names if x and not x.isdigit()]


def _strip_marks(name: str) -> str:
    """``name`` without the affiliation numbers and marks that close it, and the spaces before them.

    What ``re.sub(r"\\s*[\\d,*†‡§]+$", "", name)`` did, without its quadratic time on a run of spaces.
    """
    end = len(name)
    while end and (name[end - 1].isdecimal() or name[end - 1] in ",*†‡§"):
        end -= 1
    return name if end == len(name) else name[:end].rstrip()


def _prose_ahead(lines: list[_Line], i: int, window: int = 8) -> bool:
    """Whether running text follows within ``window`` lines (so line ``i`` is a label)."""
    return any(_is_prose(ln.text) or _heading_key(ln.text) or _inline_heading(ln.text)
               for ln in lines[i + 1 : i + 1 + window])


def _is_prose_start(lines: list[_Line], i: int, marker_ahead: bool) -> bool:
    """Whether the abstract can start at line ``i``."""
    t = lines[i].text
    if marker_ahead or _JUNK.match(t) or _META.search(t) or _is_name_list(t):
        return False
    if _inline_heading(t):
        return True
    return _is_prose(t)


#: the headings a structured abstract opens with
_OPENINGS = frozenset({"background", "introduction", "objective", "objectives", "purpose", "aim", "aims", "rationale",
                       "context"})


def _chrome_like(line: str) -> bool:
    """A header line that reads like a site, journal or session label: short, in capitals, or cut by "|"."""
    letters = [c for c in line if c.isalpha()]
    return len(line.split()) < 6 or "|" in line or (bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters))


def _titled(line: str, start: int) -> tuple[str, int]:
    """A title line without a conference abstract's number before it, and where the title starts."""
    m = _ABSTRACT_NUMBER.match(line)
    return (line[m.end():], start + m.end()) if m else (line, start)


def _better_title(title: str | None, line: str) -> bool:
    """Whether a header line is the article's title rather than the line taken first (a site's name, a session
    label): eight words or more, not chrome-like, where the first was; no sentence, name list or affiliation."""
    return title is not None and _chrome_like(title) and not _chrome_like(line) and len(line.split()) >= 8 \
        and not _is_prose(line) and not _is_name_list(line) and not _INSTITUTION_FIRST.match(line) \
        and not line.rstrip().endswith(".")


#: a heading glued to the sentence before it inside one paragraph: "... third-party donors.Methods:Cord blood ..."
_GLUED_HEADING = re.compile(r"(?<=[a-z0-9)\]%])\.(?:(?P<h>[A-Z][A-Za-z /]{2,30}?)\s*:\s*(?=\S)"
                            r"|(?P<g>Methods|Results|Conclusions?|Findings|Interpretation|Discussion)(?=[A-Z0-9]))")


def _split_glued(text: str, zone: Zone) -> list[Zone]:
    """An abstract zone cut where a known heading is glued to the sentence before it, each part under its heading
    ("donors.Methods:Cord blood ...", "duration.Results58 pts were infused": a heading glued to its text too)."""
    if zone.name != "abstract":
        return [zone]
    parts: list[Zone] = []
    start, heading = zone.start, zone.heading
    for m in _GLUED_HEADING.finditer(text, zone.start, zone.end):
        if m.group("g"):  # "duration.Results58 pts were infused": the section's text starts after its heading
            parts.append(Zone("abstract", start, m.start() + 1, heading))
            start, heading = m.end("g"), m.group("g")
            continue
        if heading_of_abstract(m.group("h")) is None:
            continue
        parts.append(Zone("abstract", start, m.start() + 1, heading))
        start, heading = m.start("h"), m.group("h").strip()
    parts.append(Zone("abstract", start, zone.end, heading))
    return parts


def _inline_heading(t: str) -> str | None:
    """The abstract heading that opens line ``t`` ("Results: ..."), if any."""
    if m := _INLINE_HEADING.match(t):
        heading = (m.group(1) or m.group(2)).strip()
        if heading.lower() in ABSTRACT_HEADINGS:
            return heading
    return None


def _heading_key(t: str) -> str | None:
    """The abstract heading a short standalone line names, if it names one."""
    bare = t.rstrip(":").strip()
    if len(bare.split()) <= 5 and not bare.endswith((".", ",")) and heading_of_abstract(bare):
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
    # an "Abstract" heading line near the top: everything above it is header
    marker_at = next((k for k, ln in enumerate(lines[:60]) if _header_kind(ln.text)[0] == "abstract"), -1)
    # no "Abstract" line: a structured abstract's opening heading ("Introduction: ...", "Background: ...") near the
    # top ends the header wherever it stands (conference pages put a dozen lines of chrome and bylines before it)
    opening_at = -1 if marker_at >= 0 else next(
        (k for k, ln in enumerate(lines[:60]) if (h := _inline_heading(ln.text)) and h.lower() in _OPENINGS), -1)

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
        if kind == "text" and (_heading_key(t) or (_inline_heading(t) and (_is_prose(t) or t[:4].isupper()))):
            break  # a structured abstract opens with its first heading
        if kind == "text" and (m := _AUTHORS_LABEL.match(t)):
            doc.authors = doc.authors or _split_names(t[m.end():])
        elif kind == "text":
            if _INSTITUTION_FIRST.match(t):
                doc.affiliations.append(t)  # an affiliation written as a plain line
            elif _is_name_list(t) and not doc.authors:
                doc.authors = _split_names(t)
            elif doc.title is None and len(t.split()) >= (1 if doc.article_type else 3) and not _is_prose(t):
                doc.title, start = _titled(t, lines[i].start)
                doc.zones.append(Zone("title", start, lines[i].end))
            elif i < max(marker_at, opening_at) and _better_title(doc.title, t):
                # "American Society of Hematology" was the site's name: the article's title is the long line
                doc.title, start = _titled(t, lines[i].start)
                doc.zones = [z for z in doc.zones if z.name != "title"] + [Zone("title", start, lines[i].end)]
            elif doc.title is None and _is_prose_start(lines, i, i < marker_at):
                break  # no title captured: the abstract comes first
            elif (j := _author_block_end(lines, i)) is not None:
                # lines between the title and the affiliations: an author list that the
                # strict parser missed (a line broken in two, names mangled by encoding)
                block = "".join(ln.text for ln in lines[i - (1 if doc.authors else 0) : j])
                doc.authors = parse_authors(block) if _is_author_line(block) else parse_authors_loose(block)
                i = j
                continue
            elif i < max(marker_at, opening_at) or (not _is_prose_start(lines, i, False) and _prose_ahead(lines, i)):
                pass  # a label or byline between the title and the abstract
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

    # --- abstract --------------------------------------------------------------
    ended = False
    heading: str | None = None
    seen: set[str] = set()
    structured = False
    while i < n:
        # before the first abstract line: labels, bylines and identifiers are not abstract
        t = lines[i].text
        kind = _header_kind(t)[0]
        if kind in ("skip", "abstract") or i < marker_at:
            has_abstract_marker |= kind == "abstract"
            i += 1
            continue
        if not has_abstract_marker and not _heading_key(t) and not _is_prose_start(lines, i, False) \
                and _prose_ahead(lines, i):
            i += 1  # a label, byline or affiliation before the abstract
            continue
        break
    while i < n:
        ln = lines[i]
        t = ln.text
        started = any(z.name == "abstract" for z in doc.zones)
        if (_KEYWORDS.match(t) or _DATES.search(t) or _END_MARKERS.match(t) or _NUMBERED_HEADING.match(t)
                or _BACK_MATTER.match(t)
                or (started and (_JUNK.match(t) or _GLUED_BODY.match(t) or (ln.gap and _is_name_list(t))))):
            ended = True
            break
        if key := _heading_key(t):
            opening = key.lower() in ("introduction", "background")
            closed = any(h.startswith(("conclusion", "discussion", "summary")) for h in seen)
            # a structured abstract (under an "Abstract" line, or opening with a heading line)
            # goes on through its headings; otherwise a heading line starts the body
            structured = has_abstract_marker or not started or structured
            if structured and key.lower() not in seen and not closed and not (opening and seen):
                heading = key
                seen.add(key.lower())
                i += 1
                continue
            ended = True  # the body begins ("Introduction" after the abstract)
            break
        if inline := _inline_heading(t):
            heading = inline
        elif started and not ln.gap and doc.zones[-1].name == "abstract" and doc.zones[-1].heading == heading:
            # a hard-wrapped line continues its paragraph: one zone, so sentences stay whole
            last = doc.zones.pop()
            doc.zones.append(Zone("abstract", last.start, ln.end, heading))
            i += 1
            continue
        doc.zones.append(Zone("abstract", ln.start, ln.end, heading))
        i += 1
    doc.zones = [part for z in doc.zones for part in _split_glued(text, z)]
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
