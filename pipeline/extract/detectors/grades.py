"""``carmine_grades``: every toxicity grade ("grade ≥3", "grade 3 or higher", "grades 1-2",
"grade III/IV", "G3", "≥3 CRS") and severity word ("severe" is ``>=3``, "low-grade" ``1-2``,
"mild" any grade: the GUIDE's reading), normalized to the GUIDE's grade strings.

Writes ``doc.spans["grades"]`` (value :class:`~pipeline.extract.spans.Grade`).
"""

from __future__ import annotations

import re
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import text_of
from pipeline.extract.detectors.base import rules_of, scan
from pipeline.extract.numbers import parse_grade
from pipeline.extract.spans import Grade, add_span

_CMP = (("≥", ">="), (">=", ">="), ("≤", "<="), ("<=", "<="), (">", ">"), ("<", "<"), ("=", ""))
_ONE = re.compile(r"\b(?:[0-5]|IV|V|I{1,3})\b|(?<=\D)[0-5]\b|^[0-5]")
#: one grade's number, Roman or Arabic, as a list or range writes it ("III/IV", "1, 2 and 3")
_GRADE_NUMBER = re.compile(r"IV|V|I{1,3}|[0-5]")
_LIST = re.compile(r"\b(?:or|and)\b|,|/", re.I)
_OPEN = re.compile(r"\s*\(\s*")  # between a severity word and its bracketed grade
_CLOSE = re.compile(r"\s*\)")


def normalize_grade(raw: str, higher: bool = False, lower: bool = False) -> str | None:
    """'≥3' -> '>=3', '3' + higher -> '>=3', 'III/IV' -> '3-4', '1, 2 and 3' -> '1-3', '>2' -> '>=3'."""
    t = re.sub(r"\bgrades?\b", "", raw, flags=re.I).strip()
    words = re.search(r"\s*(?:or|and)\s+(higher|above|more|greater|worse|severe|lower|less|below|milder)$", t, re.I)
    if words:
        higher, lower = higher or words.group(1).lower() in ("higher", "above", "more", "greater", "worse", "severe"), \
            lower or words.group(1).lower() in ("lower", "less", "below", "milder")
        t = t[:words.start()]
    op = ""
    for sym, name in _CMP:
        if t.startswith(sym):
            op, t = name, t[len(sym):].strip()
            break
    grades = [g for g in (parse_grade(x) for x in _GRADE_NUMBER.findall(t)) if g is not None]
    if not grades:
        return None
    if len(grades) > 1:
        lo, hi = min(grades), max(grades)
        if lo == hi:
            return str(lo)
        if higher:
            return f">={lo}"
        return f"{lo}-{hi}"
    g = grades[0]
    if higher:
        op = ">="
    elif lower:
        op = "<="
    if op == ">":
        op, g = ">=", g + 1
    elif op == "<":
        op, g = "<=", g - 1
    if op == ">=" and g <= 1:
        return "any"  # "grade ≥1", "G1+": every grade
    return f"{op}{g}"


def grade_rank(grade: str) -> float:
    """Order grades for 'the maximum grade reported' (0 < any < 1 < 1-2 < 2 ...)."""
    if grade == "0":
        return 0.0
    nums = [int(x) for x in re.findall(r"\d", grade)]
    if grade == "any" or not nums:
        return 0.5
    return max(nums) + (0.25 if grade.startswith(">=") else 0.0) - (0.1 if "-" in grade else 0.0)


def _ascending(raw: str) -> bool:
    """A list of grades climbs one by one ("1, 2 and 3", "2-3, 4"): another number after a comma ("grade 4, 2",
    "grade 3, 5") is a count."""
    nums = [parse_grade(x) for x in _GRADE_NUMBER.findall(raw)]
    return all(a is not None and b is not None and b == a + 1 for a, b in pairwise(nums))


class CarmineGrades:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rules = rules_of(configs, "grades")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        found: list[Grade] = []
        for m, rule in scan(text, self.rules):
            if rule.get("vague"):
                found.append(Grade(m.start(), m.end(), rule["vague"], vague=True, form=rule["id"]))
                continue
            g = m.groupdict()
            # a rule may state the comparator its words carry ("greater than grade 1": ">")
            raw_grade = g["grade"] + (g.get("level") or "")  # "≥grade-3": the comparator, then the level
            end = m.end()
            if "," in raw_grade and not _ascending(raw_grade):
                # "grade 1, 131; grade 4, 2", "grade 3, 3 (3.8%)": a grade and its count, not a list of grades
                raw_grade = raw_grade[:raw_grade.index(",")].rstrip()
                end = m.start("grade") + len(raw_grade)
            grade = normalize_grade(rule.get("op", "") + raw_grade, higher=bool(g.get("higher")) and end == m.end(),
                                    lower=bool(g.get("lower")) and end == m.end())
            if grade is None:
                continue
            value = Grade(m.start(), end, grade, form=rule["id"])
            raw = raw_grade
            if _LIST.search(raw) and not g.get("higher") and not g.get("lower"):
                at = m.start("grade")
                value.items = [(str(parse_grade(x.group(0))), at + x.start())
                               for x in _GRADE_NUMBER.finditer(raw) if parse_grade(x.group(0)) is not None]
            close = _CLOSE.match(text, m.end())
            if found and found[-1].vague and close and _OPEN.fullmatch(text, found[-1].end, m.start()):
                # "severe (grade ≥3) CRS": a severity word and its bracketed grade state one grade
                value.start, value.end, value.form = found.pop().start, close.end(), f"{rule['id']}_bracketed"
                value.items = []
            found.append(value)
        for value in found:
            add_span(doc, "grades", value)
        return doc


@Language.factory("carmine_grades", assigns=["doc.spans"], default_config={"configs": None})
def make_carmine_grades(nlp: Language, name: str, configs: str | None) -> CarmineGrades:
    return CarmineGrades(name, configs)
