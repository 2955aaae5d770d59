"""``carmine_design``: the study design and the number of treated patients.

The rules of ``configs/patterns/study_design.jsonl`` score each design label by the words of the
clinical zones (and the reader's article type, e.g. "Case Report"); then, in order: meta-analysis
cues win; a case report with two to nine patients described individually ("Patient 1 ... Patient 2")
is a case series; review cues win only without patient-level results, unless the text declares
itself a review ("In this narrative review"); "we describe five patients" is a case series only when
they are described one by one (patient markers or ages/sexes), otherwise a series; a stated
observational design ("retrospective", "real-world") beats a stated trial ("phase 1",
"prospective"); without either, weak signs of a protocol ("were recruited", "primary end points",
"dose-limiting toxicities") make a trial and weak signs of a series ("multicenter study", "we
analyzed") or no signs at all an ``observational_cohort`` (GUIDE: a series whose design is not
stated); cells or animals only is ``preclinical``.

``n_patients``: 1 for a case report, the number of distinct patient markers for a case
series, else the most confident ``n_candidate`` (earliest on ties).

Writes ``doc._.carmine_design`` = ``(study_design, n_patients, evidence_finding)``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.assemblers.patients import patient_numbers
from pipeline.extract.components.base import findings, inline_headings, may_match, text_of, zones
from pipeline.extract.lexicon import load_resources

CASE_SERIES_WORDS = re.compile(r"case\s+series", re.I)
#: publishers' labels of a research article (lower case): with a treated disease and no stated design, a cohort
RESEARCH_TYPES = frozenset({"original research", "research article", "research-article", "brief research report",
                            "original article", "article"})
#: animal models: a study of them with no treated person is preclinical whatever trial it names
ANIMALS = re.compile(r"\b(?:mice|mouse|murine|xenografts?|NSG|rats?|non-?human\s+primates?)\b", re.I)
PEOPLE_IN_TITLE = re.compile(r"\b(?:patients?|children|adults|recipients|cohort)\b", re.I)


class CarmineDesign:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.rules = res.patterns.rules("study_design")
        for rule in self.rules:
            if rule.get("unless_after"):
                rule["unless_after_rx"] = re.compile(rule["unless_after"], re.I)
        self.case_headings = res.patterns.rx("context", "case_headings")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        article_type = ((doc._.carmine_meta or {}).get("article_type") or "").lower()
        hits: dict[str, tuple[int, int]] = {}
        weak: dict[str, tuple[int, int]] = {}
        declared: set[str] = set()  # labels a rule found stated as the text's own ("In this narrative review")
        for rule in self.rules:
            label = rule["label"]
            if label in hits or (rule.get("weak") and label in weak):
                continue
            m = rule["fast"].search(text) if may_match(doc, rule["gate"]) else None
            unless = rule.get("unless_after_rx")
            while m is not None and unless is not None and unless.match(text, m.end()):
                m = rule["fast"].search(text, m.end())  # "data from a randomized trial are lacking": no design
            if m:
                (weak if rule.get("weak") else hits)[label] = m.span()
                if rule.get("declared"):
                    declared.add(label)
        if "case_report" not in hits:
            heading = self._case_heading(doc)
            if heading is not None:
                hits["case_report"] = heading
        if "case_series" in hits and not CASE_SERIES_WORDS.search(text, *hits["case_series"]):
            # "we describe five patients ...": a series only when the patients are described one by one
            reported = hits.pop("case_series")
            described = len({f.value for f in findings(doc, "patient_marker")}) >= 2 or len(findings(doc, "patients")) >= 2
            if described or "case" in article_type or "case_report" in hits:
                hits["case_series"] = reported
        markers = patient_numbers(doc)
        individuals = findings(doc, "patients")
        candidates = sorted(findings(doc, "n_candidate"), key=lambda f: (-f.confidence, f.start))
        n_best = candidates[0].value if candidates else None
        one_patient = all(c.value == 1 for c in candidates) and (
            len(individuals) == 1 or bool(candidates) or "case_report" in weak) and ("preclinical" not in hits or len(individuals) == 1)
        design = None
        if "meta_analysis" in hits or "systematic review" in article_type or "meta" in article_type:
            design = "meta_analysis"
        elif "case_series" in hits or (len(markers) >= 2 and ("case_report" in hits or "case" in article_type
                                                              or len(individuals) >= 2)):
            design = "case_series"
        elif "case_report" in hits or "case report" in article_type:
            # a case report that describes two to nine patients ("we describe two patients ...") is a series
            report_describes = bool(candidates and candidates[0].detail.get("described"))
            design = "case_series" if 2 <= len(markers) <= 9 or (n_best and 2 <= n_best <= 9 and (
                len(individuals) >= 2 or report_describes)) else "case_report"
        elif ("review" in hits or article_type in ("review", "mini review", "mini-review")) and (
                not candidates or "review" in declared):
            design = "review"  # a declared review's counts of patients are the cited studies'
        elif one_patient:
            # "An 11-year-old male ... was enrolled in a CAR-T trial", "one patient with PCNSL was selected":
            # one patient described and no count above one is a case report whatever design words stand
            design = "case_report"
            where = individuals[0] if individuals else (candidates[0] if candidates else None)
            hits.setdefault("case_report", weak.get("case_report") or (where.start, where.end) if where else (0, 0))
        elif "preclinical" in hits and not candidates and not individuals and ANIMALS.search(text):
            # animal models and no treated person: a trial named is a cited or a hoped-for one ("warrant a
            # first-in-human trial")
            design = "preclinical"
        elif "observational_cohort" in hits:
            design = "observational_cohort"
        elif "clinical_trial" in hits:
            design = "clinical_trial"
        elif 2 <= len(individuals) <= 9 and not candidates:
            design = "case_series"  # "Patient 1, a 28-year-old female, and patient 2, a 35-year-old male, ..."
        elif "clinical_trial" in weak and "observational_cohort" not in weak:
            design = "clinical_trial"
            hits["clinical_trial"] = weak["clinical_trial"]
        elif "clinical trial" in article_type and "observational_cohort" not in weak:
            design = "clinical_trial"  # GUIDE: the publisher's label decides where the text states no design
        elif len(individuals) == 1 and not candidates and "observational_cohort" not in weak:
            design = "case_report"  # "A 4-year-old girl with relapsed B-ALL received ...", nothing else
        elif candidates or "observational_cohort" in weak:
            design = "observational_cohort"
            if "observational_cohort" in weak:
                hits["observational_cohort"] = weak["observational_cohort"]
        elif "preclinical" in hits:
            design = "preclinical"
        elif "review" in hits or "review" in article_type or "review" in weak:
            design = "review"
            hits.setdefault("review", weak.get("review", (0, 0)))
        elif article_type in RESEARCH_TYPES and self._clinical_title(doc, text):
            # a research article whose title is about patients or a treated disease and whose text (often cut
            # before the abstract) states no design: a series whose design is not stated (GUIDE)
            design = "observational_cohort"
        else:
            design = "other"
        n: int | None
        if design == "case_report":
            n = 1
        elif design == "case_series":
            n = len(markers) if len(markers) >= 2 else n_best or (len(individuals) if len(individuals) >= 2 else None)
        elif design in ("review", "preclinical", "other"):
            n = None
        else:
            n = n_best
        span = hits.get(design)
        doc._.carmine_design = (design, n, span, candidates[0] if candidates and n == n_best else None)
        return doc


    def _clinical_title(self, doc: Doc, text: str) -> bool:
        """The title names patients or a treated disease ("... CAR-T Cell Therapy for Non-Hodgkin Lymphoma")."""
        for start, end, name, _heading in zones(doc):
            if name == "title" and (PEOPLE_IN_TITLE.search(text, start, end)
                                    or any(start <= f.start < end for f in findings(doc, "disease"))):
                return True
        return False

    def _case_heading(self, doc: Doc) -> tuple[int, int] | None:
        """A "Case presentation" section (reader's heading or one written in the text)."""
        for start, _end, _name, heading in zones(doc):
            if heading and self.case_headings.match(heading.strip().rstrip(":").lower()):
                return (start, start)
        for start, heading in inline_headings(doc):
            if self.case_headings.match(heading):
                return (start, start + len(heading))
        return None


@Language.factory(
    "carmine_design",
    assigns=["doc._.carmine_design"],
    requires=["doc._.carmine_findings"],
    default_config={"configs": None},
)
def make_carmine_design(nlp: Language, name: str, configs: str | None) -> CarmineDesign:
    return CarmineDesign(name, configs)
