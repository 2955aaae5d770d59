"""``carmine_quantities``: every count and proportion, whatever field it will feed.

Forms (``configs/patterns/detectors.jsonl``, group ``quantities``, composed from the atomic
pieces): "17 of 20 (85%)", "85% (17/20)", a decimal proportion with its interval ("0.85 (95% CI 0.80-0.89)"), "17 (85%)", "Sixteen patients (64%)", "(n = 12,
60%)", "17/20", "n = 20", "85%", "Seventeen patients". Bracketed intervals, ranges and
statistics ("(95% CI: 83-94%)", "(80%-94%)", "I2 = 29.65%", "p = 0.21") are found first as
``asides``; a quantity inside an aside is not written.

Writes ``doc.spans["quantities"]`` (value :class:`~pipeline.extract.spans.Quantity`) and
``doc.spans["asides"]``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of
from pipeline.extract.detectors.base import rules_of, scan
from pipeline.extract.numbers import parse_number
from pipeline.extract.spans import Quantity, add_span

#: one number of a list of counts
_COUNT_IN_LIST = re.compile(r"\d{1,3}(?:,\d{3})+|\d+|[A-Za-z]+(?:-[a-z]+)?")


#: what stands right before a number that is a grade, a stage or a range's end, not a count
_NOT_A_COUNT = re.compile(r"(?:\b(?:grades?|stages?|days?|levels?|cycles?|arms?|cohorts?|phase)|[-–—‐≥≤<>/])\s*$", re.I)


#: a grade pair written with a slash before a number ("grade 1/2 (65%)"), unlike a table row's next value
_GRADE_SLASH = re.compile(r"(?:grades?|[IV]+)\s*[0-5IV]*\s*/\s*$", re.I)

#: how far before a table-form quantity its "n (%)" header may stand
HEADER_WINDOW = 300


def _int(raw: str | None) -> int | None:
    if not raw:
        return None
    v = parse_number(raw.replace(",", ""))
    return int(v) if isinstance(v, (int, float)) and float(v).is_integer() else None


def _pct(raw: str | None) -> float | int | None:
    if not raw:
        return None
    digits = raw.rstrip("%").replace("per cent", "").replace("percent", "").strip().replace("·", ".")
    try:
        v = float(digits)
    except ValueError:
        return None
    return int(v) if v.is_integer() else v


def _proportion(raw: str) -> float | int:
    """'0.85' -> 85, '0.071' -> 7.1: a decimal proportion as a percentage (to 0.1 point)."""
    v = round(float(raw.replace("·", ".")) * 100, 1)
    return int(v) if v.is_integer() else v


class CarmineQuantities:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rules = rules_of(configs, "quantities")
        self.asides = rules_of(configs, "asides")
        for rule in self.rules:
            if rule.get("after_header"):
                rule["after_header_rx"] = re.compile(rule["after_header"], re.I)
            if rule.get("pct_header"):
                rule["pct_header_rx"] = re.compile(rule["pct_header"])

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        if not any(map(str.isdigit, text)) and "patient" not in text.lower():
            return doc
        asides = [m.span() for m, _ in scan(text, self.asides)]
        doc.spans["asides"] = [s for s in (doc.char_span(a, b, label="asides", alignment_mode="expand")
                                           for a, b in asides) if s is not None]
        doc.user_data["carmine_asides"] = asides
        # a rule that holds only under a header ("n (%)") runs only where the text has one, found once
        headers = {id(r): [h.span() for h in r["after_header_rx"].finditer(text)]
                   for r in self.rules if r.get("after_header_rx") is not None}
        rules = [r for r in self.rules if headers.get(id(r)) != []]
        for m, rule in scan(text, rules):
            if any(a <= m.start() < b for a, b in asides):
                continue
            g = m.groupdict()
            if rule.get("split"):
                # "20, 10, and 2 patients": one count per number, each where it stands
                at = m.start("list")
                for num in _COUNT_IN_LIST.finditer(g["list"]):
                    n = _int(num.group(0))
                    if n is not None:
                        add_span(doc, "quantities", Quantity(at + num.start(), at + num.end(), n=n, people=True,
                                                             form=rule["id"]))
                continue
            if id(rule) in headers and not any(m.start() - HEADER_WINDOW <= a and b <= m.start()
                                               for a, b in headers[id(rule)]):
                continue  # "178 (37.8)" is a count and a percentage only under an "n (%)" header
            n = int(rule["n"]) if "n" in rule else _int(g.get("n"))  # a rule may state its count ("both patients")
            # "grade 2 = 2": the count starts at "="; "infused in 74": at the count (the rule's "span_from" group)
            start = m.start("at") if g.get("at") else m.start(rule["span_from"]) if rule.get("span_from") else m.start()
            if rule["id"] == "q_n_pct" and not g.get("noun") and (n is None or n <= 5) \
                    and (grade := _NOT_A_COUNT.search(text, max(0, start - 10), start)) \
                    and not (grade.group(0).strip() == "/" and not _GRADE_SLASH.search(text, max(0, start - 12), start)):
                # "grade 1-2 (65%)", "grade 2 (10%)": a number up to 5 is a grade's ("all grades 43 (91%)" is a
                # count); the bracket is the rate (after a slash
                # only after a grade: "326 (87.9%) / 104 (61.9%)" is a table row's next count)
                start, n = m.start("pct") - 1, None
                while start > m.start() and text[start] not in "([":
                    start -= 1
            pct = _proportion(g["prop"]) if g.get("prop") else _pct(g.get("pct"))
            if rule.get("pct_header_rx") is not None and n is not None and n <= 100 and self._under_pct_header(
                    text, rule["pct_header_rx"], m.start()):
                n, pct = None, n  # "CRS, % (n = 150): grade 0, 18; grade 1, 49": a table of percentages
            q = Quantity(start, m.end(), n=n, total=_int(g.get("total")), pct=pct,
                         people=bool(g.get("noun")) or rule["id"] == "q_people" or "n" in rule, form=rule["id"])
            if q.n is None and q.total is None and q.pct is None and rule["id"] != "q_all":
                continue
            if q.pct is not None and q.pct > 100:
                continue
            if q.n is not None and q.total is not None and q.n > q.total:
                continue
            add_span(doc, "quantities", q)
        return doc


    @staticmethod
    def _under_pct_header(text: str, header: re.Pattern[str], at: int) -> bool:
        """A "%" header ("CRS, % (n = 150):") opens the clause run that holds ``at`` (no sentence end between)."""
        lo = max(0, at - HEADER_WINDOW)
        window = text[lo:at]
        cut = max(window.rfind(". "), window.rfind(".\n"))
        return header.search(window, cut + 1 if cut >= 0 else 0) is not None


@Language.factory("carmine_quantities", assigns=["doc.spans"], default_config={"configs": None})
def make_carmine_quantities(nlp: Language, name: str, configs: str | None) -> CarmineQuantities:
    return CarmineQuantities(name, configs)
