"""Reader for publisher article pages in HTML (Frontiers, current and older markup).

Each field is taken from the first of these that has it, and ``Document.metadata_from``
records which one did, field by field (``"title=citation_meta; abstract=container; ..."``,
see :func:`provenance`):

1. ``citation_meta``: Highwire ``<meta name="citation_*">`` tags (``citation_title``,
   ``citation_author`` each followed by its ``citation_author_institution``,
   ``citation_doi``, ``citation_journal_title``, ``citation_volume``,
   ``citation_publication_date``, ``citation_keywords``...);
2. ``dc_meta``: Dublin Core tags (``dc.title``, ``dc.creator``, ``dc.rights``, ``dc.identifier``...);
3. ``jsonld``: a schema.org ``ScholarlyArticle`` in ``<script type="application/ld+json">``;
4. ``page``: the visible markup (the abstract container, the "Keywords:" line,
   "Received: ...; Accepted: ..." dates, the article-type label).

The abstract is the exception: the container comes first (``container``), because only
it keeps the sections (Background, Case presentation...) and meta descriptions are
often shortened; ``citation_abstract``, ``dc.description`` and JSON-LD ``abstract`` are
its fall-backs. Containers known: ``div.ArticleDetails__abstract`` / ``section.abstract``
(current pages), ``div.JournalAbstract`` (older pages).

``Document.text`` is a plain rendering, ``title \\n\\n abstract paragraphs \\n\\n
Keywords: ...``, which every zone's offsets point into (as in the JATS reader).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from pipeline.document import Document
from pipeline.readers.common import (
    ABSTRACT_HEADINGS,
    ZonedText,
    find_doi,
    license_of,
    normalize_pmcid,
    normalize_pmid,
    parse_date,
    title_case_type,
)

#: Abstract containers, most specific first.
ABSTRACT_CONTAINERS = (
    "div.ArticleDetails__abstract",
    "section.abstract",
    "div.abstract-content",
    "div.JournalAbstract",
    "div.abstract",
)
#: Parts of an (older) abstract container that are not the abstract.
_NOT_ABSTRACT = ("authors", "notes", "header-bar-three", "article-header-container", "AbstractSummary__title",
                 "ArticleDetails__abstract__title", "abstract-title")
#: Field order of ``metadata_from``.
FIELDS = ("id", "title", "authors", "affiliations", "journal", "volume", "article_type", "published",
          "received", "accepted", "keywords", "license", "abstract")
_WS = re.compile(r"\s+")
#: "Received: 10 January 2021" (older pages) and "Received 10 January 2021" (today's summary block)
_DATES = re.compile(r"\b(Received|Accepted|Published)\s*:?\s*(\d{1,2} [A-Z][a-z]+ \d{4})")
_TYPE_LABEL = re.compile(r"^([A-Z][A-Za-z &/-]+?)\s+article$", re.I)
_CC_URL = re.compile(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", re.I)
#: Limits on what is parsed (issue 15): deeper markup loses its extra tags (their text stays),
#: a longer page is read up to the limit and flagged ``truncated``. Real article pages
#: nest about 40 deep and weigh under 2 MB.
MAX_DEPTH = 256
MAX_CHARS = 20_000_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"])
#: elements an opening tag of the same name closes (<p>a<p>b, <li>a<li>b)
_SELF_CLOSING_SIBLINGS = frozenset(["p", "li", "option", "dt", "dd", "tr", "td", "th"])
_PROVISIONAL = ("provisionally accepted", "the final, formatted version of the article will be published soon")


def _clean(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def _classes(el: Tag) -> list[str]:
    value: str | list[str] = el.get("class") or []
    return [value] if isinstance(value, str) else list(value)


def provenance(doc: Document) -> dict[str, str]:
    """``metadata_from`` as a mapping: field -> where it came from."""
    out = {}
    for part in (doc.metadata_from or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key and value:
            out[key] = value
    return out


# -- the three metadata layers ------------------------------------------------------------
def _meta(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(name, content) of every meta tag, in page order; names lower-cased."""
    out = []
    for el in soup.find_all("meta"):
        content = el.get("content")
        if content is None:
            continue
        # today's Frontiers pages write <meta property="og:url" name="url" ...>: keep both names
        names = dict.fromkeys(str(el.get(attr) or "").strip().lower() for attr in ("property", "name"))
        out += [(name, _clean(str(content))) for name in names if name]
    return out


def _jsonld(soup: BeautifulSoup) -> dict:
    """The first schema.org article object in the page's JSON-LD, or {}."""

    def walk(node):
        if isinstance(node, list):
            for item in node:
                yield from walk(item)
        elif isinstance(node, dict):
            yield node
            yield from walk(node.get("@graph", []))

    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        for node in walk(data):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("ScholarlyArticle", "Article", "MedicalScholarlyArticle", "Report") for k in kinds):
                return node
    return {}


def _names(value) -> list[str]:
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        return [_clean(value["name"])] if value.get("name") else []
    return [_clean(value)] if isinstance(value, str) and value.strip() else []


def _person(name: str) -> str:
    """``Wang, Jun`` (as some meta tags write names) -> ``Jun Wang``."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() and "," not in first else name


def _split_keywords(value: str) -> list[str]:
    return [k.strip() for k in re.split(r"[;,]", value) if k.strip()]


def _license_name(value: str) -> str | None:
    if m := _CC_URL.search(value):
        return "CC " + m.group(1).upper().replace("-", " ")
    if name := license_of(value):
        return name
    m = re.search(r"\b(CC[ -](?:BY|0)(?:[ -](?:NC|ND|SA))*)\b", value)
    return m.group(1).replace("-", " ") if m else None


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if m := re.match(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return parse_date(value)


def bound_nesting(text: str, max_depth: int = MAX_DEPTH) -> str:
    """``text`` with the tags nested deeper than ``max_depth`` removed (their text kept).

    One linear scan of the tags; the page is returned unchanged when it nests no deeper
    (every real page). Without it, a page of 10^5 nested ``<div>`` takes minutes: the
    tree itself builds fast, but every walk that reads an element's text is quadratic
    in the depth.
    """
    stack: list[str] = []  # open tag names; those at index >= max_depth are dropped
    cuts: list[tuple[int, int]] = []
    find = text.find
    for m in _TAG.finditer(text):
        closing, name = m.group(1), m.group(2).lower()
        if name in _VOID:
            continue
        end = find(">", m.end()) + 1 or len(text)
        if not closing:
            if text[end - 2] == "/":
                continue  # <path ... />
            if name in _SELF_CLOSING_SIBLINGS and stack and stack[-1] == name:
                stack.pop()
            if len(stack) >= max_depth:
                cuts.append((m.start(), end))
            stack.append(name)
        elif stack and stack[-1] == name:
            stack.pop()
            if len(stack) >= max_depth:
                cuts.append((m.start(), end))
        else:  # a stray or implied close: look a little way up
            for k in range(len(stack) - 2, max(len(stack) - 32, 0) - 1, -1):
                if stack[k] == name:
                    if k >= max_depth:
                        cuts.append((m.start(), end))
                    del stack[k:]
                    break
    if not cuts:
        return text
    parts, pos = [], 0
    for start, end in cuts:
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# -- the page layer ----------------------------------------------------------------------------
def _container(soup: BeautifulSoup) -> Tag | None:
    for selector in ABSTRACT_CONTAINERS:
        if found := soup.select_one(selector):
            return found
    # today's layout (body--v4, ArticleDetailsV4): the abstract is the block of the article
    # content that opens with an "Abstract" heading, <div><h2>Abstract</h2><p>...</p></div>
    content = soup.select_one(".ArticleContent") or soup.body
    if content is not None:
        for heading in content.find_all(["h2", "h3"]):
            if _clean(heading.get_text(" ")).rstrip(":").lower() == "abstract" and isinstance(heading.parent, Tag):
                return heading.parent
    return None


def _heading_of(text: str) -> str | None:
    bare = text.strip().rstrip(":").strip()
    return bare if bare.lower() in ABSTRACT_HEADINGS and bare.lower() != "abstract" else None


def _inside_skipped(el: Tag, container: Tag) -> bool:
    """Whether ``el`` sits in a part of the container that is not the abstract (authors, notes...)."""
    node: Tag | None = el
    while node is not None and node is not container:
        if any(c in _NOT_ABSTRACT for c in _classes(node)):
            return True
        node = node.parent
    return False


def _abstract_paragraphs(container: Tag) -> list[tuple[str | None, str]]:
    """(heading, paragraph) pairs of an abstract container, headings as written."""
    out: list[tuple[str | None, str]] = []
    heading: str | None = None
    for sup in container.find_all("sup"):  # 10<sup>6</sup> -> 10^6, not "10 6" nor "106"
        before = sup.previous_sibling
        if isinstance(before, str) and before.rstrip()[-1:].isdigit():
            sup.replace_with("^" + _clean(sup.get_text()))
    container.smooth()  # merge the strings around each replaced <sup>
    for el in container.find_all(["h2", "h3", "h4", "h5", "p", "strong", "b"]):
        if _inside_skipped(el, container):
            continue
        text = _clean(el.get_text(" "))
        if el.name in ("strong", "b"):
            continue  # read as part of its paragraph
        if el.name.startswith("h"):
            heading = _heading_of(text) or (None if text.lower() == "abstract" else heading)
            continue
        if not text or text.lower().startswith(("keywords:", "citation:", "received:", "copyright")):
            continue
        first = el.find(["strong", "b"])
        if first is not None and text.startswith(_clean(first.get_text(" "))):
            heading = _heading_of(_clean(first.get_text(" "))) or heading
        out.append((heading, re.sub(r"\s+([,.;:])", r"\1", text)))
    return out


def _labelled(soup: BeautifulSoup, label: str) -> str | None:
    """The text after ``Label:`` in the innermost element that starts with it.

    Found from the strings that start with the label (one pass over the page), not by
    reading the text of every element (quadratic in the nesting depth).
    """
    found = None
    pattern = re.compile(r"^\s*" + re.escape(label) + r"\s*:", re.I)
    for string in soup.find_all(string=pattern):
        el = string.find_parent(["p", "div", "li"])
        if el is None:
            continue
        text = _clean(el.get_text(" "))
        if text.lower().startswith(label.lower() + ":") and (found is None or len(text) < len(found)):
            found = text
    return found.split(":", 1)[1].strip() if found else None


def _type_label(soup: BeautifulSoup) -> str | None:
    for selector in (".ArticleLayoutHeader__info__title", ".ArticleLayoutHeader__type", ".header-bar-three",
                     ".article-type", ".ArticleType"):
        if found := soup.select_one(selector):
            text = _clean(found.get_text(" "))
            m = _TYPE_LABEL.match(text)
            return title_case_type(m.group(1) if m else text)
    return None


def _page_authors(soup: BeautifulSoup) -> list[str]:
    # today's layout: <div class="PeopleList"> ... <p class="PeopleListItem__name">Name<sup>1</sup>
    for selector in (".PeopleList .PeopleListItem__name", ".ArticleLayoutHeader__authors a", ".authors a",
                     ".author-wrapper .author-name"):
        names = []
        for el in soup.select(selector):
            parts = [str(t) for t in el.find_all(string=True) if not (t.parent and t.parent.name == "sup")]
            names.append(_clean(" ".join(parts)).rstrip("*†‡§, "))
        names = [n for n in names if n and not n.isdigit()]
        if names:
            return list(dict.fromkeys(names))
    return []


def _page_affiliations(soup: BeautifulSoup) -> list[str]:
    for selector in (".AffiliationList__item", ".ArticleLayoutHeader__affiliations li", "ul.notes li"):
        affs = []
        for li in soup.select(selector):
            parts = [str(t) for t in li.find_all(string=True) if not (t.parent and t.parent.name == "sup")]
            # "1. Department of ..." (today's numbered list) or "• Department ..."
            if text := re.sub(r"^(?:\d+\.\s+|•\s*)", "", _clean(" ".join(parts))).strip():
                affs.append(text)
        if affs:
            return list(dict.fromkeys(affs))
    return []


def _page_keywords(soup: BeautifulSoup) -> list[str]:
    """The visible keyword list: today's summary block (<p class="h5">Keywords</p><p>a, b</p>) or "Keywords: a, b"."""
    for label in soup.select(".Summary p.h5, .Summary h5, .Summary h3"):
        if _clean(label.get_text(" ")).lower().rstrip(":") in ("keywords", "keyword"):
            body = label.find_next_sibling(["p", "div", "ul"])
            if body is not None:
                return _split_keywords(re.sub(r"\s+,", ",", _clean(body.get_text(" "))).rstrip("."))
    return _split_keywords((_labelled(soup, "Keywords") or "").rstrip("."))


# -- the reader ---------------------------------------------------------------------------------
def read_html(text: str, *, doc_id: str | None = None, source: str = "unknown") -> Document:
    """Parse an article page; never raises on a page cut off or missing parts (``truncated`` says so).

    Pages longer than :data:`MAX_CHARS` are read up to it (and flagged ``truncated``);
    markup nested deeper than :data:`MAX_DEPTH` loses its extra tags (:func:`bound_nesting`).
    """
    cut = len(text) > MAX_CHARS
    if cut:
        text = text[:MAX_CHARS]
    soup = BeautifulSoup(bound_nesting(text), "lxml")
    meta = _meta(soup)
    ld = _jsonld(soup)
    container = _container(soup)
    visible = _clean(soup.get_text(" "))
    used: dict[str, str] = {}

    def metas(*names: str) -> list[str]:
        return [v for n, v in meta if n in names and v]

    def pick(field_name: str, *layers: tuple[str, Callable[[], object]]):
        for layer, get in layers:
            value = get()
            if value:
                used[field_name] = layer
                return value
        return None

    def m1(*names: str) -> Callable[[], str | None]:
        return lambda: next(iter(metas(*names)), None)

    def from_ld(*path: str) -> Callable[[], object]:
        def get():
            node = ld
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            return node
        return get

    doi = pick("id",
               ("citation_meta", m1("citation_doi")),
               ("dc_meta", lambda: find_doi(" ".join(metas("dc.identifier")))),
               ("jsonld", lambda: find_doi(json.dumps([ld.get("identifier"), ld.get("sameAs"), ld.get("@id")]))),
               ("page", lambda: find_doi(" ".join(metas("og:url")) + " " + visible[:5000])))
    title = pick("title",
                 ("citation_meta", m1("citation_title")), ("dc_meta", m1("dc.title")),
                 ("jsonld", lambda: _clean(ld.get("headline") or ld.get("name")) or None),
                 ("page", lambda: _clean(soup.h1.get_text(" ")) if soup.h1 else None))
    authors = pick("authors",
                   ("citation_meta", lambda: [_person(a) for a in metas("citation_author")]),
                   ("dc_meta", lambda: [_person(a) for a in metas("dc.creator")]),
                   ("jsonld", lambda: _names(ld.get("author"))), ("page", lambda: _page_authors(soup))) or []
    # the meta tags carry one institution per author: the page's list and JSON-LD have them all
    affiliations = pick("affiliations",
                        ("page", lambda: _page_affiliations(soup)),
                        ("jsonld", lambda: list(dict.fromkeys(
                            n for a in (ld.get("author") or []) if isinstance(a, dict)
                            for n in _names(a.get("affiliation"))))),
                        ("citation_meta", lambda: list(dict.fromkeys(metas("citation_author_institution"))))) or []
    journal = pick("journal",
                   ("citation_meta", m1("citation_journal_title")), ("dc_meta", m1("dc.source")),
                   ("jsonld", lambda: next(iter(_names(from_ld("isPartOf", "isPartOf")()) or _names(from_ld("isPartOf")())), None)))
    volume = pick("volume",
                  ("citation_meta", m1("citation_volume")),
                  ("jsonld", lambda: str(from_ld("isPartOf", "volumeNumber")() or "") or None))
    article_type = pick("article_type",
                        ("citation_meta", m1("citation_article_type")), ("dc_meta", m1("dc.type")),
                        ("jsonld", lambda: _clean(ld.get("articleSection") if isinstance(ld.get("articleSection"), str) else "") or None),
                        ("page", lambda: _type_label(soup)))
    page_dates = {k.lower(): parse_date(v) for k, v in reversed(_DATES.findall(visible))}
    # citation_online_date is the day of acceptance on Frontiers pages, not of publication
    published = pick("published",
                     ("citation_meta", lambda: _iso(next(iter(metas("citation_publication_date", "citation_date")), None))),
                     ("dc_meta", lambda: _iso(next(iter(metas("dc.date")), None))),
                     ("jsonld", lambda: _iso(ld.get("datePublished"))),
                     ("page", lambda: page_dates.get("published")))
    received = pick("received", ("jsonld", lambda: _iso(ld.get("dateReceived"))), ("page", lambda: page_dates.get("received")))
    accepted = pick("accepted", ("jsonld", lambda: _iso(ld.get("dateAccepted"))), ("page", lambda: page_dates.get("accepted")))
    # the visible list first: the meta tags can keep an older spelling
    keywords = pick("keywords",
                    ("page", lambda: _page_keywords(soup)),
                    ("citation_meta", lambda: [k for v in metas("citation_keywords") for k in _split_keywords(v)]),
                    ("dc_meta", lambda: [k for v in metas("dc.subject") for k in _split_keywords(v)]),
                    ("jsonld", lambda: _split_keywords(ld["keywords"]) if isinstance(ld.get("keywords"), str)
                     else [_clean(k) for k in ld.get("keywords") or [] if isinstance(k, str)])) or []
    license_ = pick("license",
                    ("citation_meta", lambda: _license_name(" ".join(metas("citation_license")))),
                    ("dc_meta", lambda: _license_name(" ".join(metas("dc.rights")))),
                    ("jsonld", lambda: _license_name(json.dumps(ld["license"])) if ld.get("license") else None),
                    ("page", lambda: license_of(visible)))
    sections = pick("abstract",
                    ("container", lambda: _abstract_paragraphs(container) if container is not None else []),
                    ("citation_meta", lambda: [(None, v) for v in metas("citation_abstract")][:1]),
                    ("dc_meta", lambda: [(None, v) for v in metas("dc.description")][:1]),
                    ("jsonld", lambda: [(None, _clean(ld["abstract"]))] if isinstance(ld.get("abstract"), str) else [])) or []

    # -- the rendering ---------------------------------------------------------------------
    out = ZonedText()
    out.add("title", title or "")
    for heading, paragraph in sections:
        out.add("abstract", paragraph, heading)
    out.add_keywords(keywords)
    body, zones = out.text, out.zones

    lowered = visible.lower()
    status = "provisionally accepted" if any(p in lowered for p in _PROVISIONAL) else None
    section = next((_clean(s)[5:] for s in soup.find_all(string=re.compile(r"^\s*Sec\.\s")) if _clean(s)[5:]), None)
    published_year = published or _iso(next(iter(metas("citation_date", "citation_year")), None))
    doc = Document(
        id=doc_id or (doi or "").lower(),
        text=body, source=source, format="html",
        url=next(iter(metas("og:url", "citation_abstract_html_url", "citation_fulltext_html_url")), None),
        title=title, journal=journal, section=section, volume=volume,
        year=int(published_year[:4]) if published_year and published_year[:4].isdigit() else None,
        article_type=title_case_type(article_type) if article_type and article_type.isupper() else article_type,
        authors=authors, affiliations=affiliations, keywords=keywords,
        received=received, accepted=accepted, published=published, status=status, license=license_,
        abstract=out.abstract(),
        zones=zones,
        # a page cut off in transit lacks its closing tags (lxml would repair them silently)
        truncated=cut or not re.search(r"</html\s*>", text[-4000:], re.I),
        metadata_from="; ".join(f"{f}={used[f]}" for f in FIELDS if f in used) or None,
        # Frontiers pages seldom carry them; Highwire-style tags where they do
        pmcid=next(filter(None, map(normalize_pmcid, metas("citation_pmcid", "citation_pmc_id"))), None),
        pmid=next(filter(None, map(normalize_pmid, metas("citation_pmid"))), None),
    )
    return doc
