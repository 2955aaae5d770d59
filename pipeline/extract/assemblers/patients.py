"""``carmine_patients``: individually described patients from the ``ages``, ``sexes`` and
``markers`` detectors.

An age describes a person when a person word stands right after it ("a 61-year-old woman",
"a 33-year-male", "an 8-month-old infant") or a sex word right before it ("a male patient
aged 45", "the patient was male and 45 years old"); its sex is the nearest sex word beside it,
else the sentence's pronouns when they agree. Pronouns across the text give a case report's
sex when no age is stated ("She then received ..."). Patient markers ("Patient 2", "the
second patient") number the patients of a case series. Ages in sentences that are not results
(background, eligibility "aged 18 or older") and ages of donors or relatives ("a 40-year-old male donor", "her
38-year-old sister") are not patients.

Writes ``patients`` findings ``{"age_years", "sex"}``, ``patient_marker`` (the marker's number)
and ``pronoun_sex`` findings.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.assemblers.common import NOT_RESULT, qualifiers
from pipeline.extract.components.base import Finding, add_finding, findings, sentence_at, text_of
from pipeline.extract.spans import values_of

#: a person word right after an age ("a 61-year-old woman", "... old Chinese male patient")
_PERSON_AFTER = re.compile(r"^[-\s‐,]*(?:an?\s+)?(?:[\w-]+\s+){0,3}?(?P<w>male|female|man|woman|boy|girl|gentleman|lady|patient|"
                           r"child|infant|adolescent|individual|toddler|recipient)\b|^\s+(?P<with>with)\s+\w", re.I)
#: a sex or person word right before an age ("a male patient aged 45", "the patient was male and 45 years old",
#: "The patient, aged 45, ...", "a boy (age 16)", "A female patient, 49 years of age")
_SEX_BEFORE = re.compile(r"\b(?P<w>male|female|man|woman|boy|girl|patient|child)(?:\s+patient)?\s*(?:and\s+|,\s*|\(\s*)?(?:was\s+|is\s+)?$|"
                         r"\b(?:the|this|our)\s+(?:first\s+|second\s+|third\s+|fourth\s+|fifth\s+)?"
                         r"(?P<p>patient|child|man|woman|boy|girl)\s*,\s*$", re.I)
#: one person described by sex and decade, no age: "a woman in her 50s", "A man in his seventies"
_DECADE = re.compile(r"\b[Aa]n?\s+(?:[\w-]+\s+){0,2}?(?P<w>man|woman|boy|girl|male|female)\s+in\s+(?:his|her)\s+"
                     r"(?:early\s+|late\s+|mid[-\s]?)?(?:\d0s|twenties|thirties|forties|fifties|sixties|seventies|"
                     r"eighties|nineties)\b")
#: an age that describes the donor or a relative, not a patient: "The donor was a 25-year-old unrelated male",
#: "a 40-year-old male donor", "her 38-year-old sister"
_NOT_PATIENT = r"donors?|sibling|brother|sister|mother|father|son|daughter|parent|husband|wife"
_NOT_PATIENT_BEFORE = re.compile(rf"\b(?:{_NOT_PATIENT}|donated)\b[^.;()]{{0,25}}$", re.I)
_NOT_PATIENT_AFTER = re.compile(rf"^[-\s‐,]*(?:(?!(?:with|whose|who|and|of|in|had|was)\b)[\w-]+\s+){{0,4}}?(?:{_NOT_PATIENT})\b",
                                re.I)
_HE = re.compile(r"\b(?:[Hh]e|[Hh]is|[Hh]im|[Hh]imself)\b")
_SHE = re.compile(r"\b(?:[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b")
#: forms that write the sex beside the age ("(F, 66 years)", "(M/59)"), and that sex
_SEXED_FORMS = frozenset({"a_sex_comma", "a_sex_slash"})
_SEX_LETTER = re.compile(r"(?:\b(?P<w>male|female|man|woman|boy|girl)|(?<=\()\s*(?P<l>[MF])\b(?=\s*[,/])|"
                         r"/\s*(?P<r>[MF])\b)")
MALE = {"male", "man", "boy", "gentleman"}
FEMALE = {"female", "woman", "girl", "lady"}


def patient_numbers(doc: Doc) -> list[int]:
    """The patients a series' markers number, in order. "The second patient" or "another patient" implies a
    first: up to nine, the series counts from 1 to the highest marker."""
    numbered = {f.value for f in findings(doc, "patient_marker")}
    return list(range(1, max(numbered) + 1)) if numbered and max(numbered) <= 9 else sorted(numbered)


def _sex_of(word: str) -> str | None:
    w = word.lower()
    return "male" if w in MALE else "female" if w in FEMALE else None


class CarminePatients:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        for _, m in values_of(doc, "markers"):
            add_finding(doc, Finding("patient_marker", m.number, m.start, m.end, f"{self.name}.marker", 0.9))
        he, she = _HE.search(text), _SHE.search(text)
        text_sex = ("male" if he else "female") if bool(he) != bool(she) else None
        if bool(he) != bool(she):
            first = he or she
            assert first is not None
            add_finding(doc, Finding("pronoun_sex", "male" if he else "female", first.start(), first.end(),
                                     f"{self.name}.pronoun", 0.7, detail={"matched": first.group(0)}))
        for _, age in values_of(doc, "ages"):
            if qualifiers(doc, age.start)["hypothesis"] in NOT_RESULT:
                continue
            s, e = sentence_at(doc, age.start)
            tail = text[age.end:min(e, age.end + 60)]
            after = _PERSON_AFTER.match(tail)
            before = _SEX_BEFORE.search(text[max(s, age.start - 40):age.start])
            letter = _SEX_LETTER.search(text, max(s, age.start - 12), age.end) if age.form in _SEXED_FORMS else None
            if after is None and before is None and letter is None:
                continue
            if _NOT_PATIENT_BEFORE.search(text, max(s, age.start - 40), age.start) or _NOT_PATIENT_AFTER.match(tail):
                continue  # the donor's or a relative's age
            sex = _sex_of(after.group("w")) if after and after.group("w") else None
            if sex is None and before is not None:
                sex = _sex_of(before.group("w") or before.group("p"))
            if sex is None and letter is not None:  # "(F, 66 years)", "(M/59)"
                letter_word = letter.group("w") or letter.group("l") or letter.group("r")
                sex = _sex_of(letter_word) or ("male" if letter_word == "M" else "female")
            if sex is None:
                sent = text[s:e].lower()
                h, sh = re.search(r"\b(?:he|his|him)\b", sent), re.search(r"\b(?:she|her)\b", sent)
                sex = "male" if h and not sh else "female" if sh and not h else None
            if sex is None and after is not None and (after.group("with") or after.group("w").lower() == "recipient"):
                sex = text_sex  # "A 67-year-old kidney transplant recipient ... He was treated"
            end = age.end + after.end() if after else age.end
            add_finding(doc, Finding("patients", {"age_years": age.years, "sex": sex}, age.start, end,
                                     f"{self.name}.{age.form}", 0.9, detail={"matched": text[age.start:end]}))
        ages = [a for _, a in values_of(doc, "ages")]
        for m in _DECADE.finditer(text):
            if any(m.start() <= a.start < m.end() for a in ages) or qualifiers(doc, m.start())["hypothesis"] in NOT_RESULT:
                continue
            add_finding(doc, Finding("patients", {"age_years": None, "sex": _sex_of(m.group("w"))}, m.start(), m.end(),
                                     f"{self.name}.decade", 0.85, detail={"matched": m.group(0)}))
        return doc


@Language.factory("carmine_patients", assigns=["doc._.carmine_findings"], requires=["doc.spans"])
def make_carmine_patients(nlp: Language, name: str) -> CarminePatients:
    return CarminePatients(name)
