"""What every carmine component shares: the finding record and the Doc extensions.

Components append :class:`Finding` objects to ``doc._.carmine_findings`` and add a
matching span to ``doc.spans["carmine"]`` (label = the GUIDE field). Offsets are
characters of the spaCy ``Doc`` (the clinical zones joined); the API maps them back to
``Document.text``.

Doc extensions (registered once, on import):

- ``doc._.carmine_zones``: ``[(start, end, name, heading)]`` of the zones in the Doc,
  set by the API before the pipeline runs (a Doc without it is one abstract zone).
- ``doc._.carmine_meta``: ``{"article_type": ...}`` from the reader.
- ``doc._.carmine_findings``: the findings, in the order components made them.
- ``doc._.carmine_terms``: lexicon matches ``{lexicon: [Term]}`` (``carmine_terms``).
- ``doc._.carmine_design``: ``(study_design, n_patients)`` (``carmine_design``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from spacy.tokens import Doc

from pipeline.extract.spans import span_group
from pipeline.readers.common import ABSTRACT_HEADINGS, BACKGROUND_HEADINGS, heading_of_abstract

for _name in ("carmine_zones", "carmine_meta", "carmine_findings", "carmine_terms", "carmine_design",
              "carmine_sent_starts"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

#: every heading that opens an abstract section (an inline heading ends the previous section)
SECTION_HEADINGS = ABSTRACT_HEADINGS


@dataclass(slots=True)
class Finding:
    """One extracted value with the Doc characters that state it."""

    field: str
    value: Any
    start: int
    end: int
    rule: str
    confidence: float
    subject: str | None = None
    detail: dict[str, Any] = dc_field(default_factory=dict)


def text_of(doc: Doc) -> str:
    """``text_of(doc)``, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("carmine_text")
    if text is None:
        text = doc.user_data["carmine_text"] = doc.text
    return text


def lowered_text(doc: Doc) -> str | None:
    """``lexicon.lowered(text_of(doc))`` (the text lower-cased, or None where case folding is not
    one character to one), computed once per Doc."""
    if "carmine_lower" not in doc.user_data:
        from pipeline.extract.lexicon import lowered

        doc.user_data["carmine_lower"] = lowered(text_of(doc))
    return doc.user_data["carmine_lower"]


def may_match(doc: Doc, gate: Any) -> bool:
    """False when the Doc's text lacks every literal that a match of the gated regex needs
    (``lexicon.Gate``; None: no gate, always True). Then the regex cannot match anywhere in it."""
    return gate is None or gate.open(text_of(doc), lowered_text(doc))


def add_finding(doc: Doc, finding: Finding) -> None:
    found = doc._.carmine_findings  # each ``doc._`` access builds an accessor object: read it once
    if found is None:
        found = doc._.carmine_findings = []
    found.append(finding)
    span = doc.char_span(finding.start, finding.end, label=finding.field, alignment_mode="expand")
    if span is not None:
        span_group(doc, "carmine").append(span)


def extension(doc: Doc, name: str) -> Any:
    """``doc._.<name>`` for the extensions above (default None), read where spaCy's accessor keeps it
    (``doc.user_data[("._.", name, None, None)]``): each ``doc._`` builds an accessor object, and the
    helpers below run thousands of times per document."""
    user_data: dict[Any, Any] = doc.user_data  # typed dict[str, Any] by spaCy; its accessor's keys are tuples
    return user_data.get(("._.", name, None, None))


def findings(doc: Doc, field_name: str | None = None) -> list[Finding]:
    out = extension(doc, "carmine_findings") or []
    return [f for f in out if field_name is None or f.field == field_name]


def zones(doc: Doc) -> list[tuple[int, int, str, str | None]]:
    return extension(doc, "carmine_zones") or [(0, len(text_of(doc)), "abstract", None)]


def zone_at(doc: Doc, char: int) -> tuple[int, int, str, str | None]:
    for z in zones(doc):
        if z[0] <= char < z[1] or char == z[1]:
            return z
    return (0, len(text_of(doc)), "abstract", None)


#: a heading written inside the text: a short line alone in its paragraph ("Background\n\n") or
#: a paragraph's lead-in ("Introduction: The ...")
_INLINE_HEADING = re.compile(
    r"(?:^|\n)[ \t]*(?P<h>[A-Z][A-Za-z /&]{2,30}?)[ \t]*(?::[ \t]*(?=\S)|:?[ \t]*\n[ \t]*\n)")
#: a compound heading's parts: "Background/purpose", "Aims and objectives"
_HEADING_PARTS = re.compile(r"\s*(?:/|&|\band\b)\s*")


def heading_kind(heading: str) -> str:
    """A heading as the section list knows it: "Background/purpose" reads as its first part."""
    h = heading.strip().lower().rstrip(":").strip()
    if known := heading_of_abstract(h):
        return known  # a listed heading, or "Case 2": a case
    return _HEADING_PARTS.split(h, maxsplit=1)[0].strip()
#: a heading inside a paragraph: "... limit availability. METHODS. We report", "6508 Background: Patients",
#: or glued to the sentence before and after it in scraped text ("(R/R MM).MethodsPubMed, Embase ...",
#: "toxicity.Case presentationA woman aged 71")
_RUNIN_HEADING = re.compile(  # starts on its capital (a charset prefix the regex engine scans for), then looks back
    r"(?P<h>[A-Z](?:(?<=^[A-Z])|(?<=\n[A-Z])|(?<=[.!?)\]][A-Z])|(?<=[.!?)\]]\s[A-Z])|(?<=\d\s[A-Z]))"
    r"[A-Za-z]{2,20}(?: [A-Za-z]{2,12}){0,2})(?:[.:][ \t]+(?=[A-Z\d])|(?=[A-Z][a-z]|A\s[a-z]))")
#: a sentence that reports this study even inside an Introduction ("Here, we report a patient who ...")
_OWN_REPORT = re.compile(
    r"\b(?:here(?:in)?,?\s+we|we\s+(?:here\s+)?(?:report|present|describe)(?:e?d)?\b|in\s+this\s+(?:case\s+)?report,?\s+we"
    r"|we\s+(?:investigated|evaluated|assessed|studied|tested)\s+[^.]{0,80}?\bin\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:[\w-]+\s+)?(?:patients|children|adults|participants))",
    re.I)


def inline_headings(doc: Doc) -> list[tuple[int, str]]:
    """``[(start, heading)]`` of headings written inside the text, computed once per Doc."""
    found = doc.user_data.get("carmine_inline_headings")
    if found is None:
        text = text_of(doc)
        found = [(m.start("h"), heading_kind(m.group("h"))) for m in _INLINE_HEADING.finditer(text)
                 if heading_kind(m.group("h")) in SECTION_HEADINGS]
        found += [(m.start("h"), m.group("h").lower()) for m in _RUNIN_HEADING.finditer(text)
                  if m.group("h").lower() in SECTION_HEADINGS
                  and (m.group("h").isupper() or m.group("h").istitle() or " " in m.group("h"))]
        found.sort()
        doc.user_data["carmine_inline_headings"] = found
    return found


def in_background_section(doc: Doc, char: int) -> bool:
    """True inside an abstract section headed Background/Introduction/Objective..., whether the
    reader found the heading or it is written in the text ("Background\n\nSevere CRS has ...")."""
    z_start, _, name, heading = zone_at(doc, char)
    if name != "abstract":
        return False
    inline = [h for s, h in inline_headings(doc) if z_start <= s <= char]
    if inline:
        return inline[-1] in BACKGROUND_HEADINGS
    return heading is not None and heading_kind(heading) in BACKGROUND_HEADINGS


def is_background(doc: Doc, char: int) -> bool:
    """True inside a Background/Introduction section, except for a sentence that reports this
    study ("Here, we report a patient who developed ... three months after CAR-T therapy")."""
    if not in_background_section(doc, char):
        return False
    s, e = sentence_at(doc, char)
    text = text_of(doc)
    return not _OWN_REPORT.search(text, s, e) and not defines_own_product(doc, text, s, e)


#: a sentence that defines a coded product ("HN-19 is an autologous anti-CD19 CAR-T ...", "BM38 was designed ...")
_PRODUCT_DEFINED = re.compile(r"\s*(?:[A-Z][A-Za-z /]{2,30}:\s*)?(?P<name>[A-Z][A-Za-z]*-?\d+[A-Za-z\d-]*)\s+(?:is|was|comprises|consists\s+of)\b")


def defines_own_product(doc: Doc, text: str, s: int, e: int) -> bool:
    """A Background sentence defining the product that the title names is about this study's product."""
    m = _PRODUCT_DEFINED.match(text, s, e)
    if m is None:
        return False
    name = re.compile(rf"\b{re.escape(m.group('name'))}\b")
    return any(kind == "title" and name.search(text, a, b) for a, b, kind, _ in zones(doc))


def sentences(doc: Doc) -> list[tuple[int, int]]:
    """Sentence character bounds (from ``carmine_sentencizer``; one sentence otherwise)."""
    starts = extension(doc, "carmine_sent_starts")
    if not starts:
        return [(0, len(text_of(doc)))]
    bounds = [*starts[1:], len(text_of(doc))]
    return [(s, e) for s, e in zip(starts, bounds, strict=True)]


def sentence_at(doc: Doc, char: int) -> tuple[int, int]:
    starts = extension(doc, "carmine_sent_starts") or [0]
    i = max(bisect.bisect_right(starts, char) - 1, 0)
    end = starts[i + 1] if i + 1 < len(starts) else len(text_of(doc))
    return starts[i], end


_SEPARATORS = re.compile(r";|:|,\s+(?:and|while|whereas|but)\b|\band\b|\bwhile\b|\bwhereas\b|\bincluding\b|\bbut\b|,(?=\s*(?:\d|one|two|three|four|five|six|seven|eight|nine|ten)\b)")
_RIGHT_END = re.compile(r";|,(?!\d{3}\b)|\.(?!\d)|\band\b|\bwhile\b|\bwhereas\b|\bbut\b")  # "73.3%" goes on
_INT = r"(\d{1,3}(?:,\d{3})+|\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|all|none|both)"
_N_LEFT = re.compile(
    r"(?<!\bCase\s)(?<!\bcase\s)(?<!\bPatient\s)(?<!\bpatient\s)(?<!\bNo\.\s)" + _INT
    + r"(?!\s*(?:days?|weeks?|months?|years?|hours?|h)\b)\s+(?:_+\s+)?(?:[\w-]+\s+){0,3}?(?:with|had|developed|experienced|achieved|presented|showed|"
    r"reached|attained|obtained|were|was|suffered|maintained|remained|in)\b", re.I)
_N_RIGHT = re.compile(r"\bin\s+" + _INT + r"\s*(?:of|/|out\s+of)\s*(\d+)|\bin\s+" + _INT
                      + r"\s+(?:_+\s+)?(?:[\w-]+\s+){0,2}?(?:patients?|cases?|subjects?|pts)\b", re.I)
_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
#: a count in brackets right after a mention or its percentage: "CR (n=9)", "73.3% (11/15)"
_N_BRACKET = re.compile(r"^[^()]{0,25}?\(\s*(?:n\s*=\s*(\d+)|(\d+)\s*/\s*\d+)\s*[),;]", re.I)


def mask_parentheses(text: str) -> str:
    """``text`` with everything inside (round) parentheses replaced by ``_`` (same length)."""
    out = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
            out.append("_")
        elif ch == ")" and depth:
            depth -= 1
            out.append("_")
        else:
            out.append("_" if depth else ch)
    return "".join(out)


def clause_counts(text: str, sent: tuple[int, int], start: int, end: int) -> tuple[int | None, float | None]:
    """The count and percentage a clause gives for the mention ``text[start:end]``.

    "Five patients presented with CRS" -> (5, None); "CRS occurred in 17 of 20 patients
    (85%)" -> (17, 85.0); "including 5 (4 cHL and 1 ALCL, 83.3%) with a CR" -> (5, 83.3);
    "87% (80%-94%) of patients achieved CR" -> (None, 87.0).
    """
    from pipeline.extract.numbers import parse_number

    s, e = sent
    left_raw, right_raw = text[s:start], text[end:e]
    left = mask_parentheses(left_raw)
    cut = 0
    for m in _SEPARATORS.finditer(left):
        cut = m.end()
    left_raw, left = left_raw[cut:], left[cut:]
    right = mask_parentheses(right_raw)
    end_match = _RIGHT_END.search(right)
    stop = end_match.start() if end_match else len(right)
    right_raw, right = right_raw[:stop], right[:stop]
    n = None
    pct = None
    mn = _N_RIGHT.search(right) or _N_LEFT.search(left)
    if mn:
        word = next(g for g in mn.groups() if g)
        if word.lower() not in ("all", "none", "both"):
            n = parse_number(word)
        elif word.lower() == "both":
            n = 2
    # the first percentage on the right, else the nearest on the left ("The response rate was 95%,
    # with 46% achieving CR" -> 46 for CR)
    found = list(_PCT.finditer(right[:40])) or list(_PCT.finditer(left))[-1:]
    if found:
        pct = float(found[0].group(1))
    if pct is None:
        for window in (left_raw, right_raw[:60]):
            mp = _PCT.search(window)
            if mp:
                pct = float(mp.group(1))
                break
    if n is None:
        mb = _N_BRACKET.match(right_raw)
        if mb:
            n = int(mb.group(1) or mb.group(2))
    if isinstance(n, float):
        n = int(n)
    if pct is not None and pct.is_integer():
        pct = int(pct)
    return n, pct


#: one count item of a "respectively" list: "25% (3/11)", "3/11 (25%)", "3 (25%)", "3 of 11", "25%"
_ITEM = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s*%(?:\s*\(\s*(?P<n>\d+)\s*(?:/|of|out\s+of)\s*\d+\s*(?:patients?|cases?)?\s*\))?"
    r"|(?P<n2>\d+)\s*(?:/|of|out\s+of)\s*\d+(?:\s*\(\s*(?P<pct2>\d+(?:\.\d+)?)\s*%\s*\))?"
    r"|(?P<n3>\d+)\s*\(\s*(?P<pct3>\d+(?:\.\d+)?)\s*%\s*\)", re.I)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def _num(raw: str | None) -> int | float | None:
    if raw is None:
        return None
    v = float(raw)
    return int(v) if v.is_integer() else v


def respective_items(text: str, start: int, end: int) -> list[tuple[int | None, int | float | None]] | None:
    """The ``(n, pct)`` items of a "..., respectively" list in ``text[start:end]`` (the words after
    the last listed mention), or None when the stretch does not end a "respectively" list.

    "in 25% (3/11) and 50% (6/11) of the patients, respectively" -> [(3, 25), (6, 50)].
    """
    m = _RESPECTIVELY.search(text, start, end)
    if m is None:
        return None
    items = []
    for it in _ITEM.finditer(text, start, m.start()):
        n = it.group("n") or it.group("n2") or it.group("n3")
        pct = it.group("pct") or it.group("pct2") or it.group("pct3")
        items.append((int(n) if n else None, _num(pct)))
    return items
