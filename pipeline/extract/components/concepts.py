"""``carmine_concepts``: the set-valued fields, from lexicon matches and their context.

Reads ``doc._.carmine_terms`` and writes findings for ``cell_type``, ``disease``,
``target_antigen``, ``vector``, ``gene_editing``, ``cell_source`` and ``transplant``
(``doc._.carmine_findings``, ``doc.spans["carmine"]``). Context rules are the
``configs/patterns/context.jsonl`` rows named below:

- an antigen counts when a CAR is named right after it ("CD7 CAR-T", "GPC3-targeted
  CAR T") or it follows "anti-", "CAR-", "targeting" in a sentence naming a CAR; an
  antigen of a CAR given earlier ("after CD19 CART failure") is dropped when the study's
  own product is named too;
- a disease mentioned only in Background/Introduction sections, in lists of examples or in
  sentences about the field ("has been reported in B-cell lymphoma") is
  kept only when nothing better is stated; a broader label yields to a narrower one
  (a row's ``narrower`` labels in the disease lexicon, e.g. ALL -> B-ALL, SLE -> lupus_nephritis);
- ``autologous``/``allogeneic``/"donor-derived" count when they qualify CAR cells, not a
  transplant;
- a transplant is prior, consolidative, given in tandem (no label) or negated, by the
  words around it and by whether the sentence comes before the CAR infusion.
"""

from __future__ import annotations

import re
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import (
    Finding,
    add_finding,
    defines_own_product,
    is_background,
    may_match,
    sentence_at,
    sentences,
    text_of,
    zone_at,
)
from pipeline.extract.lexicon import Term, load_resources
from pipeline.extract.qualifiers.context import qualifier_at

#: unspecified vector label -> the specific systems that make it redundant (GUIDE: "transposon (unspecified)",
#: "non_viral (unspecified)")
VECTOR_NARROWER = {
    "transposon": {"sleeping_beauty", "piggybac"},
    "non_viral": {"sleeping_beauty", "piggybac", "transposon", "mrna", "crispr_knock_in"},
}
LEUKEMIAS = {"ALL", "B-ALL", "T-ALL", "ETP-ALL", "AML", "MDS", "MPAL", "BPDCN"}


#: an antibody named right before "against/targeting <antigen>": the antigen is the antibody's, not a CAR's
_ANTIBODY_BEFORE = re.compile(r"(?:antibod\w*|\bmAbs?\b|\w+mab\b|inhibitors?|conjugates?|engagers?|\bBiTE)[^.;]{0,25}$", re.I)
#: between two antigens of one list (each may carry a short aside: "CLL1 (8 studies), CD123 (5) and CD33 (3)"; a
#: suspended hyphen: "CD7-, CD5- and TRBC1-directed CAR T cells")
_ANTIGEN_LIST = re.compile(r"(?:\s*\([^()]{1,25}\))?(?:-?\s*(?:,|and|or|/|&)\s*|\s+for\s+(?:[\w/-]+\s+){1,3}?(?:and|,)\s+)+")


class CarmineConcepts:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        res = load_resources(configs)
        self.lexicons = res.lexicons
        p = res.patterns
        self.rx = {row["id"]: row["rx"] for row in p.rules("context")}
        #: the sentence-wide cues in their fast form (the same matches: lexicon.CaseFolded, first-character lookahead)
        self.cue = {row["id"]: row["fast"] for row in p.rules("context")
                    if row["id"] in ("generic_cue", "patient_cue", "enumeration", "contrast_cue", "car_treatment",
                                     "field_claim_cue")}
        self.gate = {row["id"]: row["gate"] for row in p.rules("context")}
        self.fast = {row["id"]: row["fast"] for row in p.rules("context")}
        self._car = re.compile(p.macros["CAR"], re.I)  # a CAR named anywhere: the text is a CAR report

    # -- helpers -------------------------------------------------------------------------
    def _emit(self, doc: Doc, field: str, value: str, t: Term | tuple[int, int], rule: str, conf: float,
              **detail) -> None:
        start, end = (t.start, t.end) if isinstance(t, Term) else t
        if isinstance(t, Term):
            detail.setdefault("matched", text_of(doc)[t.start:t.end])
            row = self.lexicons.get(t.lexicon)
            if row is not None:
                extra = {k: v for k, v in row.row(t.label).items()
                         if k in ("ncit", "mondo", "hgnc_symbol", "hgnc_id") and v}
                detail.update(extra)
        add_finding(doc, Finding(field, value, start, end, f"{self.name}.{rule}", conf, detail=detail))

    def __call__(self, doc: Doc) -> Doc:
        terms = doc._.carmine_terms or {}
        text = text_of(doc)
        products = terms.get("products", [])
        self._cell_types(doc, terms.get("cell_types", []), products)
        self._antigens(doc, text, terms.get("antigens", []), products)
        diseases = self._diseases(doc, text, terms.get("diseases", []))
        vectors = terms.get("vectors", [])
        stated = {t.label for t in vectors}
        for t in vectors:
            if stated & VECTOR_NARROWER.get(t.label, set()):
                continue  # "Sleeping Beauty transposon", "non-viral piggyBac": the specific system says it
            self._emit(doc, "vector", t.label, t, "vector_lexicon", 0.85)
        editing = terms.get("gene_editing", [])
        # "most groups have removed CD7 with CRISPR/Cas9 or base editing" in the Background, then "without any gene
        # editing": an edit named only about the field is others', where the text states its own elsewhere
        # ("none" and a protein blocker are always the text's own: nobody reports another study's absence of editing)
        own = {t.label for t in editing if t.label in ("none", "protein_blocker")
               or not self._about_field(doc, text, t.start)}
        if own:
            editing = [t for t in editing if t.label in own]
        base_edited = any(t.label == "base_editing" for t in editing)
        for t in editing:
            if t.label == "crispr" and base_edited and self.rx["editing_guide_before"].search(
                    text, sentence_at(doc, t.start)[0], t.start):
                continue  # CRISPR named as the base editor's guide
            self._emit(doc, "gene_editing", t.label, t, "gene_editing_lexicon", 0.8)
        self._cell_source(doc, text)
        self._transplant(doc, text, terms.get("transplants", []), diseases)
        return doc

    def _cell_types(self, doc: Doc, found: list[Term], products: list[Term]) -> None:
        mentions: list[tuple[str, Term, str, dict]] = []
        for t in sorted([*found, *products], key=lambda t: t.start):
            if t.lexicon == "products":
                label = self.lexicons["products"].row(t.label).get("cell_type")
                if label:
                    mentions.append((label, t, "cell_type_product", {"product": t.label}))
                continue
            mentions.append((t.label, t, "cell_type_lexicon", {}))
        if len({label for label, *_ in mentions}) > 1:
            # "The success of CAR-T cells ... In comparison to CAR-T cells, CAR-NK cells can ...; we treated 10
            # patients with CAR-NK cells": a cell type named only in sentences about the field or setting it
            # against another is the comparator, when another is named outside such sentences
            text = text_of(doc)
            own = {label for label, t, *_ in mentions if not self._about_field(doc, text, t.start)
                   and not self.cue["contrast_cue"].search(text, *sentence_at(doc, t.start))}
            if own:
                mentions = [m for m in mentions if m[0] in own]
        for label, t, rule, detail in mentions:
            self._emit(doc, "cell_type", label, t, rule, 0.85 if rule == "cell_type_product" else 0.9, **detail)

    def _antigens(self, doc: Doc, text: str, found: list[Term], products: list[Term]) -> None:
        found = list(found)
        lex = self.lexicons["antigens"]
        for m in self._finditer(doc, "antigen_slash", text):
            label = lex.label_of(f"CD{m.group(2)}")
            if label:
                found.append(Term("antigens", label, m.start(2), m.end(2), m.group(0)))
        # a CAR named by its target ("CAR19", "CART22") or a marketed product ("axi-cel") is a CAR by itself
        named: set[int] = set()
        for m in self._finditer(doc, "antigen_car_number", text):
            label = lex.label_of(f"CD{m.group('num')}")
            if label:
                found.append(Term("antigens", label, m.start(), m.end(), m.group(0)))
                named.add(m.start())
        for t in products:
            label = self.lexicons["products"].row(t.label).get("antigen")
            if label:
                found.append(Term("antigens", label, t.start, t.end, t.synonym))
                named.add(t.start)
        kept: list[tuple[Term, str, bool]] = []
        car_report = self._car.search(text) is not None
        ordered = sorted(found, key=lambda t: t.start)
        for t in ordered:
            s, e = sentence_at(doc, t.start)
            after, before = text[t.end:e], text[max(s, t.start - 40):t.start]
            m = self.rx["antigen_car_after"].match(after)
            rule = None
            if t.start in named:
                rule = "antigen_named_car"
            elif m and not self.rx["antigen_not_car"].search(after[: m.start(0) + len(m.group(0)) - 3][:25]):
                rule = "antigen_car_after"
            elif self.rx["antigen_car_before"].search(before) and re.search(r"CAR|chimeric", text[s:e], re.I) \
                    and not _ANTIBODY_BEFORE.search(before):
                rule = "antigen_car_before"
            elif car_report and (self.rx["antigen_product_after"].match(after)
                                 or self.rx["antigen_product_before"].search(before)):
                rule = "antigen_product"  # "IL13Rα2-directed cells", "Products targeted CD19 (nine studies)"
            elif kept and self._coordinated(text, kept[-1][0], t):
                rule = "antigen_coordinated"  # "CAR-T cells targeting CD5 and CD7 ... and CD123, CD33, and CLL1"
            if rule is None:
                continue
            kept.append((t, rule, self._prior_antigen(text, t, s, e)))
        # a suspended list whose cue closes it: "CD7-, CD5-, CD30- and TRBC1-directed CAR T cells"
        kept_at = {t.start for t, _, _ in kept}
        for a, b in reversed(list(pairwise(ordered))):
            if b.start in kept_at and a.start not in kept_at and a.label != b.label and self._coordinated(text, a, b):
                s, e = sentence_at(doc, a.start)
                kept.append((a, "antigen_coordinated", self._prior_antigen(text, a, s, e)))
                kept_at.add(a.start)
        kept.sort(key=lambda k: k[0].start)
        have_current = {t.label for t, _, prior in kept if not prior}
        for t, rule, prior in kept:
            if prior and have_current and t.label not in have_current:
                continue
            self._emit(doc, "target_antigen", t.label, t, rule, 0.6 if prior else 0.9, prior_product=prior)

    def _prior_antigen(self, text: str, t: Term, s: int, e: int) -> bool:
        """The antigen of a CAR given before this study's ("after CD19 CART failure", "remained in CR for 14
        months before relapsing"), or of a CAR this one is set against ("differs from that of CD19-directed
        products"): kept only where no other antigen is the study's own."""
        return bool(self.rx["antigen_prior_before"].search(text[max(s, t.start - 60):t.start][-50:])
                    or self.rx["antigen_prior_after"].match(text[t.end:e])
                    or self.rx["antigen_prior_relapse"].match(text[t.end:e])
                    or self.rx["antigen_contrast_before"].search(text[max(s, t.start - 50):t.start]))

    @staticmethod
    def _coordinated(text: str, a: Term, b: Term) -> bool:
        """Antigen ``b`` is listed with the CAR target ``a`` before it (and, or, commas, a slash; a
        "for <disease>" between list items)."""
        return a.end <= b.start and b.start - a.end < 60 and bool(_ANTIGEN_LIST.fullmatch(text[a.end:b.start]))

    def _diseases(self, doc: Doc, text: str, found: list[Term]) -> set[str]:
        strong: list[Term] = []
        weak: list[Term] = []
        about: dict[tuple[int, int], bool] = {}  # per sentence: an enumeration or about the field (read once)
        arose = [m.span("d") for m in self._finditer(doc, "disease_developed_after_car", text)]
        for t in found:
            zone = zone_at(doc, t.start)
            s, e = sentence_at(doc, t.start)
            if self.rx["disease_not_after"].match(text, t.end, e) or self.rx["disease_not_before"].search(
                    text, max(s, t.start - 40), t.start) or any(a <= t.start < b for a, b in arose):
                continue  # "SLE Disease Activity Index", "MM.1S cells", "CAR-derived T-cell lymphoma", "developed
                # Richter transformation after CAR T-cell therapy"
            if (s, e) not in about:
                sent = text[s:e]
                in_sentence = {x.label for x in found if s <= x.start < e}
                enumerating = len(in_sentence) >= 3 and bool(self.cue["enumeration"].search(sent))
                generic = bool(self.cue["generic_cue"].search(sent))
                # "including 17 with DLBCL, 5 with FL and 3 with MCL": a list of this study's patients
                about[s, e] = (enumerating or generic) and not self.cue["patient_cue"].search(sent)
            if zone[2] in ("title", "keywords") or not (is_background(doc, t.start) or about[s, e]):
                strong.append(t)
            else:
                weak.append(t)
        chosen = strong or weak
        if chosen is strong and weak:
            # a class stated in the title, its subtypes only in a list ("B-cell NHL" / "DLBCL, FL and MCL")
            narrower = {n for t in strong for n in self.lexicons["diseases"].row(t.label).get("narrower", ())}
            chosen = strong + [t for t in weak if t.label in narrower]
        labels = {t.label for t in chosen}
        # a broader label yields to a narrower one stated beside it (lexicon rows' "narrower"; GUIDE: most specific)
        drop = {broad for broad in labels if labels & set(self.lexicons["diseases"].row(broad).get("narrower", ()))}
        for t in chosen:
            if t.label not in drop:
                self._emit(doc, "disease", t.label, t, "disease_lexicon", 0.85 if chosen is strong else 0.5)
        return labels - drop

    def _finditer(self, doc: Doc, rule: str, text: str):
        """``finditer`` of context rule ``rule`` over the whole text (nothing when its gate is shut)."""
        return self.fast[rule].finditer(text) if may_match(doc, self.gate[rule]) else ()

    def _about_field(self, doc: Doc, text: str, char: int) -> bool:
        """A Background sentence or one about the field ("Autologous CAR-T cells have shown ...")."""
        if zone_at(doc, char)[2] == "title":
            return False
        s, e = sentence_at(doc, char)
        if defines_own_product(doc, text, s, e):
            return False  # "HN-19 is an autologous anti-CD19 CAR-T ..." where the title names HN-19
        return is_background(doc, char) or (bool(self.cue["generic_cue"].search(text, s, e))
                                            and not self.cue["patient_cue"].search(text, s, e))

    def _compared(self, text: str, start: int) -> bool:
        """A source word after a comparison ("comparable with that of autologous CAR-T cells": another product), unless
        the comparison is between two sources of this study's cells ("donor-derived versus recipient-derived CAR T
        cells")."""
        m = self.rx["source_comparator_before"].search(text, max(0, start - 40), start)
        return m is not None and not self.rx["source_word_before"].search(text, max(0, m.start() - 30), m.start())

    def _cell_source(self, doc: Doc, text: str) -> None:
        found: list[tuple[str, tuple[int, int], str, float]] = []  # (label, span, rule, confidence)

        def add(src: str, span: tuple[int, int], rule: str, conf: float) -> None:
            found.append((_source_label(src), span, rule, conf))

        for m in self._finditer(doc, "source_before_car", text):
            if self.rx["source_transplant_words"].search(m.group("mid")):
                continue
            if self._about_field(doc, text, m.start()) and not self._names_own_product(doc, text, m.start()):
                continue
            if self._compared(text, m.start()):
                continue
            add(m.group("src"), m.span("src"), "source_before_car", 0.85)
        for m in self._finditer(doc, "source_after_car", text):
            add(m.group("src"), m.span("src"), "source_after_car", 0.8)
        if (doc._.carmine_terms or {}).get("cell_types"):
            for m in self._finditer(doc, "source_cells", text):
                if self._about_field(doc, text, m.start()):
                    continue
                add(m.group("src"), m.span("src"), "source_cells", 0.7)
            for m in self._finditer(doc, "source_products", text):
                if self._about_field(doc, text, m.start()) or self._compared(text, m.start()):
                    continue  # "Toxicity was comparable with that of autologous CAR-T cells": a comparator
                which = "src" if m.group("src") else "src2"
                add(m.group(which), m.span(which), "source_products", 0.7)
                if m.group("src3"):
                    add(m.group("src3"), m.span("src3"), "source_products", 0.7)
            for m in self._finditer(doc, "source_own", text):
                if not self._about_field(doc, text, m.start()):
                    found.append(("autologous", m.span(), "source_own", 0.7))
            for m in self._finditer(doc, "source_donor", text):
                if not self._about_field(doc, text, m.start()):
                    found.append(("allogeneic", m.span(), "source_donor", 0.7))
        for m in self._finditer(doc, "source_universal", text):
            if self._about_field(doc, text, m.start()):
                continue  # "universal CAR-T cells represent new frontiers"
            found.append(("allogeneic", m.span(), "source_universal", 0.75))
        if len({label for label, *_ in found}) > 1:
            # "Autologous CAR T cells have transformed ..., but their manufacture is slow. We report off-the-shelf
            # CAR-NK cells ...": a source named only in sentences about the field or setting it against another is
            # the comparator's, when the other is named outside such sentences (as for cell types)
            own = {label for label, span, *_ in found if not self._field_or_contrast(doc, text, span[0])}
            if own:
                found = [f for f in found if f[0] in own]
        for label, span, rule, conf in found:
            self._emit(doc, "cell_source", label, span, rule, conf)

    def _names_own_product(self, doc: Doc, text: str, char: int) -> bool:
        """The sentence at ``char`` names a product that the study itself reports on (named again in the title or a
        sentence about its patients): "Brexucabtagene autoleucel (brexu-cel), an autologous anti-CD19 CAR T-cell
        product, is approved ..." before "52 eventually received brexu-cel"."""
        s, e = sentence_at(doc, char)
        products = (doc._.carmine_terms or {}).get("products", [])
        here = {t.label for t in products if s <= t.start < e}
        if not here:
            return False
        for t in products:
            if t.label not in here or s <= t.start < e:
                continue
            zone = zone_at(doc, t.start)[2]
            if zone == "title":
                return True
            ts, te = sentence_at(doc, t.start)
            if not is_background(doc, t.start) and self.cue["patient_cue"].search(text, ts, te) \
                    and not self.cue["field_claim_cue"].search(text, ts, te):
                return True
        return False

    def _field_or_contrast(self, doc: Doc, text: str, char: int) -> bool:
        """A sentence about the field or one setting therapies against each other, whoever it names."""
        if zone_at(doc, char)[2] == "title":
            return False
        s, e = sentence_at(doc, char)
        return is_background(doc, char) or bool(self.cue["field_claim_cue"].search(text, s, e)
                                                or self.cue["contrast_cue"].search(text, s, e))

    def _transplant(self, doc: Doc, text: str, found: list[Term], diseases: set[str]) -> None:
        if not found:
            return
        first_car = None
        if may_match(doc, self.gate["car_treatment"]):
            first_car = next((s for s, e in sentences(doc) if self.cue["car_treatment"].search(text[s:e])), None)
        def repeats(long: Term, short: Term) -> bool:
            return 0 <= short.start - long.end < 4 and "(" in text[long.end:short.start]

        for i, t in enumerate(found):
            kind = t.label
            if i and repeats(found[i - 1], t):
                continue  # "allogeneic HSCT (allo-HSCT)": the long form decides
            # the words after a long form start after its bracketed abbreviation
            end = found[i + 1].end + 1 if i + 1 < len(found) and repeats(t, found[i + 1]) else t.end
            zone = zone_at(doc, t.start)
            s, e = sentence_at(doc, t.start)
            sent = text[s:e]
            if zone[2] != "title" and (is_background(doc, t.start) or not self.cue["patient_cue"].search(sent)):
                continue
            before, after = text[max(s, t.start - 60):t.start], text[min(end, e):e]
            if self.rx["tx_negated_before"].search(before) or self.rx["tx_excluded"].search(sent) \
                    or self.rx["tx_organ_before"].search(before) or self.rx["tx_organ_after"].match(after):
                continue
            if self.rx["tx_tandem_before"].search(before) or self.rx["tx_tandem_after"].match(after):
                continue
            if self.rx["tx_referred_back"].search(before) and any(f.label == kind for f in found[:i]):
                continue  # "in remission 18 months after the allograft": the transplant told before, timed there
            if qualifier_at(doc, "comparator", t.start):
                continue  # "84 patients in the SOC arm went on to ASCT": the comparator arm's transplant
            if kind == "auto" and self.rx["tx_regimen"].search(sent) and not self.rx["tx_prior_any"].search(sent):
                continue  # "ASCT followed by CAR-T consolidation": one planned course (GUIDE)
            # an earlier line's therapy in a sentence that names no CAR (the car_treatment cue needs one too)
            earlier_line = bool(self.rx["tx_earlier_line"].search(sent)) and not self._car.search(sent)
            if self.rx["tx_prior_consolidation"].search(before):
                timing, rule = "prior", "tx_prior_consolidation"  # an earlier line's consolidating transplant
            elif self.rx["tx_consolidative_before"].search(before) or self.rx["tx_consolidative_after"].match(after):
                if self.rx["tx_other_bridge"].search(before) and not self.cue["car_treatment"].search(before):
                    continue  # "20 received chemotherapy as a bridge to allo-HSCT": another arm's transplant
                timing, rule = "consolidative", "tx_consolidative"
                if earlier_line:
                    timing, rule = "prior", "tx_earlier_line"  # an earlier line's response, consolidated
            elif self.rx["tx_prior_before"].search(before) or self.rx["tx_prior_any"].search(sent):
                timing, rule = "prior", "tx_prior"
            elif earlier_line:
                timing, rule = "prior", "tx_earlier_line"  # told with an earlier line's therapy, no CAR named
            elif first_car is not None and s < first_car:
                timing, rule = "prior", "tx_before_car_sentence"
            elif first_car is not None and s > first_car and self.rx["tx_then"].search(sent):
                timing, rule = "consolidative", "tx_after_car_sentence"
            else:
                continue
            if kind == "bare":
                if rule != "tx_consolidative":
                    continue  # "transplant" alone names one only where a consolidation cue says so
                kind = "unspecified"
            if kind == "unspecified":
                # after the CAR, a transplant of unstated type is consolidative_allo_hsct (GUIDE); before it,
                # an unstated transplant of a leukaemia is taken as allogeneic, of anything else as unknown
                if timing == "prior" and not diseases & LEUKEMIAS:
                    continue
                kind = "allo"
            kinds = [kind]
            if kind in ("auto", "allo") and (m := self.rx["tx_coordinated_kind"].search(text, max(s, t.start - 40),
                                                                                        t.start)):
                # "had previously undergone autologous and 3 allogeneic transplantation": both, at one timing
                kinds.append("auto" if m.group("kind").lower().startswith("auto") else "allo")
            for k in dict.fromkeys(kinds):
                label = f"{timing}_{k}_hsct"
                if label != "consolidative_auto_hsct":  # not in the GUIDE's vocabulary
                    self._emit(doc, "transplant", label, t, rule, 0.75)


def _source_label(src: str) -> str:
    """The GUIDE's cell source of a source word the context rules matched: the patient's own cells
    ("autologous", "patient-derived", "recipient-derived", "their own lymphocytes", "the patients") or
    anyone else's."""
    src = src.lower()
    return "autologous" if "patient" in src or src.startswith(("autologous", "recipient", "own")) else "allogeneic"


@Language.factory(
    "carmine_concepts",
    assigns=["doc._.carmine_findings", "doc.spans"],
    requires=["doc._.carmine_terms"],
    default_config={"configs": None},
)
def make_carmine_concepts(nlp: Language, name: str, configs: str | None) -> CarmineConcepts:
    return CarmineConcepts(name, configs)
