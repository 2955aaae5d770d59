"""Article types read from the abstract (configs/article_types.yaml): the last fallback.

Measured on the committed corpus's documents that state a type, as if they did not: the
rules' precision there must stay >= 0.9 (the figure is in docs/scraper.md, "Metadata").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import iter_documents, parse_stage
from pipeline.document import Document, Zone
from pipeline.errors import ConfigError
from pipeline.readers import article_types
from pipeline.readers.article_types import complete_type_from_text, type_from_text
from pipeline.readers.html import provenance
from pipeline.store import CaptureStore

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def corpus_docs(tmp_path_factory):
    store = CaptureStore(CORPUS)
    out = tmp_path_factory.mktemp("build") / "documents.jsonl"
    parse_stage(store, out, list(store.latest().values()))
    return list(iter_documents(out))


def measure(docs: list[Document]) -> tuple[int, int, int]:
    """(correct, typed by the rules, documents) over the documents whose type was stated."""
    stated = [d for d in docs if d.article_type and provenance(d).get("article_type") != "text"]
    found = [(type_from_text(d), d.article_type) for d in stated]
    return sum(1 for t, s in found if t == s), sum(1 for t, _ in found if t), len(stated)


def test_precision_on_the_stated_types_of_the_corpus(corpus_docs):
    correct, typed, stated = measure(corpus_docs)
    assert stated == 47
    assert correct / typed >= 0.9, f"{correct} of {typed} right"
    assert typed >= 25  # coverage: 14 of the 47 are JATS front matter without an abstract


def doc(abstract: str, headings: list[str | None] | None = None, article_type: str | None = None) -> Document:
    """A document whose abstract is ``abstract``, one zone per paragraph, with ``headings``."""
    parts = abstract.split("\n")
    heads = headings or [None] * len(parts)
    zones, text, pos = [], "", 0
    for part, head in zip(parts, heads, strict=True):
        zones.append(Zone("abstract", pos, pos + len(part), head))
        text += part + "\n"
        pos = len(text)
    return Document(id="10.3389/x.2024.1", text=text, abstract=abstract, zones=zones, article_type=article_type)


@pytest.mark.parametrize(("abstract", "headings", "expected"), [
    # structure
    ("Background text.\nThe patient was treated.", ["Background", "Case presentation"], "Case Report"),
    ("Background\n\nA rare event.\n\nCase Description\n\nA woman aged 40.", None, "Case Report"),  # headings inline
    ("Aims.\nWe enrolled patients.\nRates were high.", ["Background", "Methods", "Results"], "Original Research"),
    ("Despite advances.Methods: This study included RT patients.Results: Data from 16 patients.", None,
     "Original Research"),
    # statements
    ("Chimeric antigen receptor T cells work. Here, we report the case of a 70-year-old woman.", None, "Case Report"),
    ("We present a heavily pretreated young patient with myeloma.", None, "Case Report"),
    ("We describe two cases of patients with B-ALL.", None, "Case Report"),
    ("We report a 35-yearold male with AML who relapsed.", None, "Case Report"),
    ("Aims.\nPubMed, Embase and Cochrane were searched up to 2022.\nORR was 80%.",
     ["Background", "Methods", "Results"], "Systematic Review"),
    ("A meta-analysis was performed to evaluate cardiotoxicity.", None, "Systematic Review"),
    ("Among the 13 studies included in this study, 200 patients received CAR-T cells.", None, "Systematic Review"),
    ("The pooled CR rate was 87% (I2=29.65%).", None, "Systematic Review"),
    ("CAR T cells changed the field. In this review, we summarize the clinical trials.", None, "Review"),
    ("This mini-review discusses toxicities.", None, "Review"),
    ("Here, we retrospectively analyzed 15 patients with CNS lymphoma.", None, "Original Research"),
    ("We conducted a retrospective, single-arm study of 47 patients with R/R B-NHL.", None, "Original Research"),
    ("A total of 11 patients with refractory B-NHL were recruited.", None, "Original Research"),
    # no clear signal: no type
    ("CAR T cells are a promising therapy for lymphoma with manageable toxicity.", None, None),
    ("In this study, we described five patients with CNS lymphoma.", None, None),  # five: not a case report
    ("Here, we present a cohort of 11 patients with symptoms of GVHD.", None, None),
    ("We present the outcomes of patients treated at our centre.", None, None),
    ("A previous meta-analysis showed benefit; we treated a cohort.", None, None),
    ("We reviewed 53 patients with B-ALL.", None, None),  # a chart review, not a review
    ("Aims.\nIn this review of our records, 40 patients.\nRates.", ["Background", "Methods", "Results"],
     "Original Research"),  # "review" in a structured abstract: the structure decides
    ("Background: We aimed to compare the efficacy of", ["Background"], None),  # cut short
    ("", None, None),
])
def test_rules(abstract, headings, expected):
    assert type_from_text(doc(abstract, headings)) == expected


def test_a_stated_type_is_never_replaced_and_a_read_one_is_marked():
    stated = doc("Intro.\nThe patient.", ["Background", "Case presentation"], article_type="Review")
    assert complete_type_from_text(stated).article_type == "Review" and stated.metadata_from is None
    read = complete_type_from_text(doc("Intro.\nThe patient.", ["Background", "Case presentation"]))
    assert read.article_type == "Case Report" and provenance(read) == {"article_type": "text"}


def test_the_corpus_documents_stage_marks_what_it_read(corpus_docs):
    from_text = [d for d in corpus_docs if provenance(d).get("article_type") == "text"]
    assert from_text and all(d.format == "page_text" or d.format == "citation_export" for d in from_text)
    assert all(type_from_text(d) == d.article_type for d in from_text)


def test_a_bad_rule_names_the_file_and_rule(tmp_path, monkeypatch):
    bad = tmp_path / "article_types.yaml"
    bad.write_text("rules:\n  - type: Review\n    text: ['(unclosed']\n", encoding="utf-8")
    monkeypatch.setattr(article_types, "config_path", lambda name: bad)
    article_types.load_rules.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"article_types.yaml: rule 1 text: not a regular expression"):
            article_types.load_rules()
        bad.write_text("rules:\n  - type: Review\n    when: x\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="unknown keys"):
            article_types.load_rules()
    finally:
        article_types.load_rules.cache_clear()
