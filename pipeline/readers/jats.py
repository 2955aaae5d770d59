"""Reader for JATS XML (Frontiers' article XML), tolerant of captures cut off anywhere."""

from __future__ import annotations

import re

from lxml import etree

from pipeline.document import Document
from pipeline.readers.common import ZonedText, normalize_pmcid, normalize_pmid, title_case_type

_WS = re.compile(r"\s+")


def is_jats(text: str) -> bool:
    head = text.lstrip()[:600]
    return (head.startswith("<?xml") and "<article" in head) or head.startswith("<article")


def _text(el) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip() if el is not None else ""


def _affiliation(aff) -> str:
    """An ``<aff>`` as written, without its label: institution, address and country."""
    parts = [aff.text or ""]
    for child in aff:
        if child.tag not in ("sup", "label"):
            if parts[-1].strip() == "" and "".join(parts).strip():
                parts[-1] = ", "  # "<institution>..</institution> <country>..</country>": no separator written
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return _WS.sub(" ", "".join(parts)).strip(" ,;")


def _pub_date(root) -> str | None:
    """The electronic publication date (``pub-type``/``date-type`` epub, else the first full date)."""
    dates = [d for d in root.iter("pub-date") if d.find("year") is not None]
    for kinds in (("epub",), ("ppub", "pub", "collection", None)):
        for d in dates:
            if (d.get("pub-type") or d.get("date-type")) in kinds:
                y, m, dd = _text(d.find("year")), _text(d.find("month")), _text(d.find("day"))
                if y.isdigit() and m.isdigit() and dd.isdigit():
                    return f"{int(y):04d}-{int(m):02d}-{int(dd):02d}"
    return None


def _section(root) -> str | None:
    """The journal section: ``section-at-acceptance`` (current XML) or the "specialty" note (older XML)."""
    for meta in root.iter("custom-meta"):
        if _text(meta.find("meta-name")).lower() == "section-at-acceptance" and _text(meta.find("meta-value")):
            return _text(meta.find("meta-value"))
    for fn in root.iter("fn"):
        if m := re.search(r"submitted to (?:Frontiers in )?(.+?), a (?:specialty|section) of ", _text(fn)):
            return m.group(1).strip()
    return None


def read_jats(text: str, *, doc_id: str | None = None, source: str = "unknown") -> Document:
    """Parse JATS with a recovering parser; the document text is a plain rendering.

    The rendering is ``title \\n\\n abstract paragraphs \\n\\n Keywords: ...`` so that
    evidence offsets point into readable text rather than into markup.
    """
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    raw = text.encode("utf-8")
    root = etree.fromstring(raw, parser=parser)
    if root is None:
        root = etree.fromstring(b"<article/>")
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]

    def first(path: str):
        found = root.find(path)
        return found

    doi = pmcid = pmid = None
    for aid in root.iter("article-id"):  # the article's own ids (a reference's are <pub-id>)
        kind = aid.get("pub-id-type")
        if kind == "doi":
            doi = _text(aid)
        elif kind in ("pmcid", "pmc"):
            pmcid = normalize_pmcid(_text(aid))
        elif kind == "pmid":
            pmid = normalize_pmid(_text(aid))
    out = ZonedText()
    add = out.add

    title = _text(first(".//title-group/article-title"))
    add("title", title)
    abstract_el = first(".//abstract")
    abstract_complete = False
    if abstract_el is not None:
        secs = abstract_el.findall("sec")
        if secs:
            for sec in secs:
                heading = _text(sec.find("title")) or None
                for p in sec.findall("p"):
                    add("abstract", _text(p), heading)
        else:
            for p in abstract_el.findall(".//p") or [abstract_el]:
                add("abstract", _text(p))
        abstract_complete = abstract_el.getnext() is not None or first(".//kwd-group") is not None
    keywords = [_text(k) for k in root.iter("kwd") if _text(k)]
    out.add_keywords(keywords)
    body, zones = out.text, out.zones
    article_type = None
    subj = root.find(".//article-categories//subj-group/subj-group/subject")
    if subj is not None:
        article_type = title_case_type(_text(subj))
    elif root.get("article-type"):
        article_type = title_case_type(root.get("article-type").replace("-", " "))
    authors = []
    for c in root.iter("contrib"):
        if c.get("contrib-type") == "author":
            sur, given = _text(c.find(".//surname")), _text(c.find(".//given-names"))
            if sur or given:
                authors.append(f"{given} {sur}".strip())
    affs = [_affiliation(a) for a in root.iter("aff")]

    def date(kind: str) -> str | None:
        for d in root.iter("date"):
            if d.get("date-type") == kind:
                y, m, dd = _text(d.find("year")), _text(d.find("month")), _text(d.find("day"))
                if y and m and dd:
                    return f"{int(y):04d}-{int(m):02d}-{int(dd):02d}"
        return None

    doc = Document(
        id=doc_id or doi or "",
        text=body,
        source=source,
        format="jats",
        title=title or None,
        # the full title, as the HTML reader gives it; journal-id is Frontiers' abbreviation
        journal=_text(first(".//journal-meta//journal-title")) or _text(first(".//journal-meta/journal-id")) or None,
        journal_abbrev=_text(first(".//journal-meta//abbrev-journal-title")) or _text(first(".//journal-meta/journal-id")) or None,
        section=_section(root),
        volume=_text(first(".//article-meta/volume")) or None,
        article_type=article_type,
        authors=authors,
        affiliations=[a for a in affs if a],
        keywords=keywords,
        received=date("received"),
        accepted=date("accepted"),
        published=_pub_date(root),
        zones=zones,
        abstract=out.abstract(),
        metadata_from="jats",
        pmcid=pmcid,
        pmid=pmid,
    )
    year = _text(first(".//pub-date/year"))
    doc.year = int(year) if year.isdigit() else None
    lic = first(".//license")
    if lic is not None:
        href = lic.get("{http://www.w3.org/1999/xlink}href") or lic.get("href") or ""
        doc.license = "CC BY" if "creativecommons.org/licenses/by/" in href or "Creative Commons Attribution" in _text(lic) else (_text(lic)[:80] or None)
    doc.truncated = not abstract_complete
    return doc
