"""The extraction stage's public API: build the pipeline, extract (``annotate`` is in :mod:`.annotate`).

``build_nlp()`` assembles (once per process) a blank English pipeline with scispaCy's
tokenizer and abbreviation detector and the carmine components. The ``Extractor``
feeds it only the clinical zones of a :class:`~pipeline.document.Document` (title,
abstract sections, keywords; never authors or affiliations), then turns the
components' findings into the GUIDE record and one :class:`Evidence` per value, with
offsets into ``Document.text``.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.document import Document
from pipeline.extract import components  # noqa: F401  (registers the factories)
from pipeline.extract.assemblers.patients import patient_numbers
from pipeline.extract.calibration import confidence as calibrated
from pipeline.extract.components.base import Finding, findings, sentence_at, text_of
from pipeline.extract.detectors.grades import grade_rank
from pipeline.extract.guard import bound_text
from pipeline.extract.lexicon import config_files, fingerprint_files, load_resources
from pipeline.extract.model import FIELDS, SET_FIELDS, Evidence, Extraction, empty_fields

log = logging.getLogger(__name__)

#: The carmine components, in pipeline order (after scispaCy's abbreviation detector).
COMPONENTS = (
    "carmine_terms",
    # detectors: typed spans, whatever field they will feed
    "carmine_quantities", "carmine_grades", "carmine_times", "carmine_levels", "carmine_people",
    # qualifiers: one attribute each, on any span
    "carmine_negation", "carmine_history", "carmine_reported", "carmine_comparator", "carmine_hypothesis",
    "carmine_subject",
    # assemblers: detected values bound to the GUIDE's fields
    "carmine_concepts", "carmine_toxicity", "carmine_response", "carmine_rates",
    "carmine_durations", "carmine_expansion", "carmine_patients", "carmine_counts", "carmine_design",
)
#: Optional statistical models: used only if installed (never required, never downloaded).
OPTIONAL_MODELS = ("en_core_sci_sm", "en_core_sci_md", "en_ner_bc5cdr_md")
SINGLE = ("case_report",)
#: GUIDE order of duration measures (the order of the ``durations`` list)
MEASURES = ("time_to_response", "response_duration", "follow_up", "survival", "time_to_relapse",
            "prior_remission", "other")
ZONE_SEP = "\n\n"
_MULTI_SENTENCE = re.compile(r"[.!?]\s+[A-Z].{20,}")
#: Unicode hyphens as ASCII hyphens, one character for one (offsets unchanged): "follow\u2010up", "CAR\u2011T"
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})


def _package_version() -> str:
    try:
        return metadata.version("carmine-pipeline")
    except metadata.PackageNotFoundError:
        return "0+unknown"


#: the tokenizers ``build_nlp`` knows: scispaCy's (the default) and spaCy's English one (faster;
#: measured side by side in ``make bench``, see README "Speed and scale")
TOKENIZERS = ("scispacy", "spacy")


@lru_cache(maxsize=4)
def build_nlp(configs: str | None = None, tokenizer: str = "scispacy") -> Language:
    """The extraction pipeline, built once per process (and per configs folder).

    Base: ``spacy.blank("en")`` with ``combined_rule_tokenizer`` (``tokenizer="spacy"``:
    spaCy's own English tokenizer, for comparison; its token boundaries differ, so some
    abbreviations and span alignments do too) and ``carmine_sentencizer`` then
    ``abbreviation_detector``. If one of :data:`OPTIONAL_MODELS` is installed its NER is
    sourced as ``sci_ner`` (entities in ``doc.ents``, not used by the rules yet); nothing
    requires it.
    """
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    if tokenizer not in TOKENIZERS:
        raise ValueError(f"unknown tokenizer {tokenizer!r}; expected one of {', '.join(TOKENIZERS)}")
    nlp = spacy.blank("en")
    if tokenizer == "scispacy":
        with warnings.catch_warnings():
            # scispaCy's tokenizer regex: "FutureWarning: Possible set union at position ..."
            warnings.filterwarnings("ignore", message=r"Possible set union", category=FutureWarning)
            nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("carmine_sentencizer")
    # scispaCy's detector, wrapped: its [W036] warning silenced around its call (components/abbreviations.py)
    nlp.add_pipe("carmine_abbreviations", name="abbreviation_detector")
    for model in OPTIONAL_MODELS:
        if spacy.util.is_package(model):  # pragma: no cover - not installed here
            source = spacy.load(model, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
            if "ner" in source.pipe_names:
                nlp.add_pipe("ner", name="sci_ner", source=source, before="abbreviation_detector")
            break
    for name in COMPONENTS:
        nlp.add_pipe(name, config={} if name in ("carmine_subject", "carmine_patients") else {"configs": configs})
    load_resources(configs)
    return nlp


def extractor_fingerprint(configs: str | None = None) -> str:
    """A hash of every lexicon and pattern file and the package version: when it changes,
    stored extractions are stale."""
    digest = fingerprint_files(config_files(configs))
    return f"{_package_version()}-{digest[:16]}"


@dataclass(slots=True)
class _Pieces:
    """Where each stretch of the spaCy text sits in ``Document.text``."""

    doc_starts: list[int] = field(default_factory=list)
    text_starts: list[int] = field(default_factory=list)

    def to_text(self, char: int) -> int:
        i = 0
        for k, s in enumerate(self.doc_starts):
            if s <= char:
                i = k
        return self.text_starts[i] + (char - self.doc_starts[i]) if self.doc_starts else char


class Extractor:
    """Turns documents into :class:`Extraction` records (fields + evidence)."""

    def __init__(self, nlp: Language | None = None, configs: str | None = None) -> None:
        self.nlp = nlp or build_nlp(configs)

    # -- Document -> Doc ------------------------------------------------------------------
    def make_doc(self, document: Document) -> Doc:
        parts: list[str] = []
        pieces = _Pieces()
        zones: list[tuple[int, int, str, str | None]] = []
        pos = 0
        clinical = document.clinical_zones()
        if not clinical and document.abstract:
            start = max(document.text.find(document.abstract), 0)
            clinical = []
            parts.append(document.abstract)
            pieces.doc_starts.append(0)
            pieces.text_starts.append(start)
            zones.append((0, len(document.abstract), "abstract", None))
            pos = len(document.abstract)
        for z in clinical:
            chunk = document.text[z.start:z.end]
            if not chunk.strip():
                continue
            name = z.name
            if name == "title" and len(clinical) == 1 and _MULTI_SENTENCE.search(chunk):
                name = "abstract"  # a bare abstract read as one title line
            if parts:
                parts.append(ZONE_SEP)
                pos += len(ZONE_SEP)
            parts.append(chunk)
            pieces.doc_starts.append(pos)
            pieces.text_starts.append(z.start)
            zones.append((pos, pos + len(chunk), name, z.heading))
            pos += len(chunk)
        text = "".join(parts)
        if "\u2010" in text or "\u2011" in text:
            text = text.translate(_HYPHENS)
        text, zones = bound_text(text, zones, document.id)  # runs cut in place, length bounded (guard.py)
        doc = self.nlp.make_doc(text)
        # the tokenizer keeps every character, so doc.text == text; spaCy would rebuild it from the
        # tokens (0.5 ms per abstract) on first access
        doc.user_data["carmine_text"] = text
        doc._.carmine_zones = zones
        doc._.carmine_meta = {"article_type": document.article_type, "doc_id": document.id}
        doc._.carmine_findings = []
        doc.user_data["carmine_pieces"] = pieces
        return doc

    # -- public API ------------------------------------------------------------------------
    def extract(self, document: Document) -> Extraction:
        return next(self.pipe([document]))

    def pipe(self, documents: Iterable[Document], batch_size: int = 256, n_process: int = 1
             ) -> Iterator[Extraction]:
        """Extract lazily (``nlp.pipe``): documents are read as the output is consumed."""
        pairs = ((self.make_doc(d), d) for d in documents)
        for doc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
            yield assemble(doc, document)


# -- findings -> GUIDE record ------------------------------------------------------------------
def _subject_for(doc: Doc, f: Finding, design: str, markers: list[Finding]) -> str:
    if f.field in SET_FIELDS or f.field in ("study_design", "n_patients"):
        return "study"
    if design in SINGLE:
        return "P1"
    if design == "case_series" and markers:
        last = None
        for m in markers:
            if m.start <= f.start:
                last = m
        if last is not None:
            return f"P{last.value}"
    return "cohort"


def _evidence(doc: Doc, f: Finding, value: Any, subject: str, field_name: str | None = None) -> Evidence:
    pieces: _Pieces = doc.user_data.get("carmine_pieces") or _Pieces()
    s, e = sentence_at(doc, f.start)
    sentence = text_of(doc)[s:e].strip()
    lead = len(text_of(doc)[s:e]) - len(text_of(doc)[s:e].lstrip())
    return Evidence(
        field=field_name or f.field, value=value, subject=subject,
        start=pieces.to_text(f.start), end=pieces.to_text(f.end),
        sentence=sentence, sent_start=pieces.to_text(s + lead), sent_end=pieces.to_text(s + lead + len(sentence)),
        extractor=f.rule, confidence=round(calibrated(f.rule, field_name or f.field, f.confidence), 3),
        detail={k: v for k, v in f.detail.items() if k not in _INTERNAL_DETAIL},
    )


#: bookkeeping the assemblers keep on a finding, not evidence detail
_INTERNAL_DETAIL = frozenset({"sentence", "needs_rate", "arms", "coordinated", "described", "cohort_only"})
#: set fields the GUIDE defines through treated patients ("treated indications", "used in patients")
UNTREATED_FIELDS = frozenset({"disease", "target_antigen"})
#: a word for a treated person (a preclinical-looking text with one of these may report patients)
_PATIENT_WORD = re.compile(r"\b(?:patients?|he|she|his|her|man|woman|boy|girl|child(?:ren)?|participants?|subjects?)\b"
                           r"(?![-\s]derived)", re.I)


def _unstated(f: Finding) -> bool:
    """A measure named in a methods sentence that no count or rate was bound to."""
    return bool(f.detail.get("needs_rate")) and f.value.get("n") is None and f.value.get("pct") is None


def _stated(f: Finding) -> bool:
    return f.value["n"] is not None or f.value["pct"] is not None


def _same_rate(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two statements of one rate: the same percentage, or the same count where one has no percentage."""
    if a["pct"] is not None and b["pct"] is not None:
        return bool(a["pct"] == b["pct"])
    return a["n"] is not None and a["n"] == b["n"]


def _observations(found: list[Finding], key: str, distinct: bool = True, counts: bool = False) -> list[Finding]:
    """One observation per grade/category, in text order: the first stated one (with n or pct) else the first
    bare one; with ``distinct`` every stated percentage that differs from the ones kept ("a CR rate of 90% in ALL
    and 47% in NHL" in one sentence, "68% with CD22 CAR T-cells" in another) is an observation of its own, unless
    it is a response at one site ("7 (58.3%) achieved CR in CNS": the GUIDE keeps the overall response); with
    ``counts`` a differing count without a percentage too ("among the 8 T-LBL patients, CR in 5"), unless its
    sentence tells what became of a group named by its response ("Ten patients in CR went on to allo-HSCT",
    "four of the five complete remissions are ongoing": ``restated``)."""
    kept: dict[str, list[Finding]] = {}
    for f in sorted(found, key=lambda f: f.start):
        group = kept.setdefault(str(f.value[key]), [])
        if not group:
            group.append(f)
        elif _stated(f) and (not _stated(group[0]) or (group[0].detail.get("site") and not f.detail.get("site"))):
            group[0] = f  # a stated value beats a bare mention; the overall response beats one site's
        elif (distinct and not f.detail.get("site")
              and (f.value["pct"] is not None or (counts and f.value["n"] is not None and not f.detail.get("restated")))
              and not any(_stated(k) and _same_rate(k.value, f.value) for k in group)):
            group.append(f)
    return sorted((f for group in kept.values() for f in group), key=lambda f: f.start)


def assemble(doc: Doc, document: Document) -> Extraction:
    """The GUIDE record and evidence from a processed Doc."""
    fields = empty_fields()
    evidence: list[Evidence] = []
    design, n_patients, design_span, n_finding = doc._.carmine_design or ("other", None, None, None)
    markers = findings(doc, "patient_marker")
    fields["study_design"] = design
    if design_span:
        f = Finding("study_design", design, design_span[0], design_span[1], "carmine_design.study_design", 0.8)
        evidence.append(_evidence(doc, f, design, "study"))
    fields["n_patients"] = n_patients
    if n_patients is not None:
        f = n_finding or Finding("n_patients", n_patients, design_span[0] if design_span else 0,
                                 design_span[1] if design_span else 0, "carmine_design.n_patients", 0.7)
        evidence.append(_evidence(doc, f, n_patients, "study", "n_patients"))

    def keep(field_name: str, value: Any, f: Finding) -> None:
        fields[field_name].append(value)
        evidence.append(_evidence(doc, f, value, _subject_for(doc, f, design, markers)))

    # no word for a treated person (read only when it matters)
    no_person = (design == "preclinical" or any(f.value == "other" for f in findings(doc, "disease"))) and \
        not _PATIENT_WORD.search(text_of(doc))
    untreated = design == "preclinical" and no_person
    for name in SET_FIELDS:
        if untreated and name in UNTREATED_FIELDS:
            continue  # no patient treated: no treated indication, no antigen "used in patients" (GUIDE)
        for f in findings(doc, name):
            if name == "disease" and f.value == "other" and no_person:
                continue  # an out-of-vocabulary cancer in a text without a treated person: a lab target
            if f.value not in fields[name]:
                keep(name, f.value, f)

    single = design in SINGLE
    # a narrative review reports other studies' results: no observations or durations of its own (GUIDE:
    # only this study's; none of the 22 gold reviews lists one)
    cited_only = design == "review"
    for name in ("crs", "icans"):
        obs = [f for f in findings(doc, name) if not _unstated(f) and not cited_only]
        graded = {f.detail.get("sentence") for f in obs if not f.detail.get("vague") and f.value["grade"] != "0"}
        # "patients with grade 2 CRS ... shorten the duration of CRS": the event beside a stated grade adds nothing
        obs = [f for f in obs if not (f.rule.endswith(".event") and f.value["n"] is None and f.value["pct"] is None
                                      and not f.detail.get("all_patients") and f.detail.get("sentence") in graded)]
        if design in ("case_report", "case_series") and any(not f.detail.get("vague") and f.value["grade"] != "0"
                                                            for f in obs):
            # the patients' stated grades make "severe CRS" / "CRS occurred" summaries redundant
            obs = [f for f in obs if not f.detail.get("vague")]
        if any(f.value["grade"] not in ("any", "0") for f in obs):
            # a stated grade says the event occurred: a bare "CRS occurred" / "few cases of CRES" adds nothing
            obs = [f for f in obs if not (f.value["grade"] == "any" and not _stated(f) and not f.detail.get("all_patients"))]
        if single and obs:
            # a negated grade ("no severe CRS", n 0) is not the patient's maximum when a grade was observed
            best = max([f for f in obs if f.value["n"] != 0] or obs, key=lambda f: grade_rank(f.value["grade"]))
            keep(name, {"grade": best.value["grade"], "n": None, "pct": None}, best)
            continue
        for f in _observations(obs, "grade"):
            value = dict(f.value)
            if f.detail.get("all_patients") and value["n"] is None and value["grade"] != "0":
                value["n"] = n_patients
            keep(name, value, f)
            for arm in f.detail.get("arms", []):
                keep(name, dict(arm), f)  # a comparison's other arm ("CRS in 80% vs 60%")

    responses = [f for f in findings(doc, "response") if not _unstated(f) and not cited_only
                 # one patient has no response rate: "an ORR of 93%" in a case report is a cited trial's
                 and not (design == "case_report" and f.value["pct"] is not None)]
    # "CR rate 83% and MRD-negative CR rate 71%": the CR that an MRD-negative CR implies takes its value only
    # where the text states no CR value of its own
    own_cr = {f.value["category"] for f in responses if _stated(f) and not f.detail.get("implied_by")}
    responses = [f for f in responses if not (f.detail.get("implied_by") and _stated(f) and f.value["category"] in own_cr)]
    for f in _observations(responses, "category", distinct=not single, counts=True):
        value = dict(f.value)
        if single and f.detail.get("absent"):
            continue  # "no CR was observed" of one patient states no response of hers
        if single:
            value["n"] = value["pct"] = None
        elif f.detail.get("all_patients") and value["n"] is None:
            value["n"] = n_patients  # "All patients reached an objective response"
        keep("response", value, f)
        if not single:
            for arm in f.detail.get("arms", []):
                keep("response", dict(arm), f)

    seen_d: set[tuple[str, Any, str]] = set()
    coordinated: set[int] = set()  # "median PFS and median OS were 1.9 months": one finding per measure
    # a peak's day is expansion_peak.day, not an 'other' duration (GUIDE), in the peak's sentence
    peak_days = {(sentence_at(doc, p.start), p.value["day"]) for p in findings(doc, "expansion_peak")}
    for f in sorted(findings(doc, "durations"), key=lambda f: (MEASURES.index(f.value["measure"]), f.start)):
        if cited_only or untreated or (f.detail.get("single_patient_only") and not single) or \
                (f.detail.get("cohort_only") and single):
            continue  # no patient treated: the mice's survival is no duration (GUIDE)
        if f.value["measure"] == "other" and f.value["unit"] == "day" and \
                (sentence_at(doc, f.start), f.value["value"]) in peak_days:
            continue
        key = (f.value["measure"], f.value["value"], f.value["unit"])
        # a span already read with its measure ("remission on day 11" and "on day 11 after CAR-T") is not 'other'
        if key[0] == "other" and any(k[1:] == key[1:] for k in seen_d):
            continue
        if key not in seen_d or (f.detail.get("coordinated") and id(f) not in coordinated):
            seen_d.add(key)
            coordinated.add(id(f))
            keep("durations", dict(f.value), f)

    if design in ("case_report", "case_series"):
        people = findings(doc, "patients")
        if design == "case_report":
            pronoun = findings(doc, "pronoun_sex")
            if people:
                person = dict(people[0].value)
                if person["sex"] is None and pronoun:
                    person["sex"] = pronoun[0].value
                keep("patients", person, people[0])
            elif pronoun:
                keep("patients", {"age_years": None, "sex": pronoun[0].value}, pronoun[0])
            else:
                fields["patients"].append({"age_years": None, "sex": None})
        else:
            # a patient described before any marker ("A 49-year-old female ... Another patient ...") is the first
            unmarked = [p for p in people if not _subject_for(doc, p, design, markers).startswith("P")]
            for number in patient_numbers(doc):  # "another patient" is the second: the first is implied
                own = [p for p in people if _subject_for(doc, p, design, markers) == f"P{number}"]
                if not own and number == 1 and unmarked:
                    own = unmarked[:1]
                if own:
                    keep("patients", dict(own[0].value), own[0])
                else:
                    fields["patients"].append({"age_years": None, "sex": None})
            if not markers:
                for p in people:
                    keep("patients", dict(p.value), p)
                # a series of n described patients: the others with age and sex not stated (GUIDE)
                if n_patients is not None and len(people) < n_patients <= 9:
                    fields["patients"].extend({"age_years": None, "sex": None}
                                              for _ in range(n_patients - len(people)))
    elif n_patients is not None and 2 <= n_patients <= 9:
        # a small trial or series that describes patients one by one ("The first patient, a 13-year-old
        # girl ..."): the described patients, then the others of the n treated (age and sex not stated)
        people = findings(doc, "patients")[:n_patients]
        if people:
            for p in people:
                keep("patients", dict(p.value), p)
            fields["patients"].extend({"age_years": None, "sex": None} for _ in range(n_patients - len(people)))

    seen_x: set[Any] = set()
    for f in findings(doc, "expansion_peak"):
        if f.value["value"] not in seen_x:
            seen_x.add(f.value["value"])
            keep("expansion_peak", dict(f.value), f)

    assert set(fields) == set(FIELDS)
    return Extraction(document.id, fields, evidence)
