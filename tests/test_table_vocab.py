"""Vocabularies cover the GUIDE; the data dictionary is generated and committed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.table import render_data_dictionary
from pipeline.table.schema import FIELD_VOCABS
from pipeline.table.vocab import load_vocabularies, read_vocabulary

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT.parent / "shared" / "gold" / "GUIDE.md"


def _guide_vocabulary(heading: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    labels = []
    for line in section.splitlines():
        if line.startswith(("Subtypes", "(The pipeline")):
            break
        labels += re.findall(r"`([^`]+)`", line)
    return labels


@pytest.mark.skipif(not GUIDE.exists(), reason="shared/gold is not beside the repository")
@pytest.mark.parametrize(("heading", "vocab"), [("disease", "diseases"), ("target_antigen", "antigens")])
def test_every_guide_label_is_in_the_vocabulary(heading, vocab):
    labels = _guide_vocabulary(heading)
    assert len(labels) > 30
    assert set(labels) <= set(load_vocabularies()[vocab].labels)


@pytest.mark.parametrize(
    ("vocab", "labels"),
    [
        ("cell_types", "CAR-T CAR-NK CAR-NKT CAR-M CAR-other"),
        (
            "vectors",
            "lentiviral retroviral piggybac sleeping_beauty transposon mrna crispr_knock_in non_viral",
        ),
        ("gene_editing", "crispr base_editing talen protein_blocker none"),
        ("cell_sources", "autologous allogeneic"),
        ("transplants", "prior_allo_hsct prior_auto_hsct consolidative_allo_hsct"),
        ("responses", "CR CRi MRD_negative_CR sCR VGPR PR ORR SD PD NR"),
        (
            "study_designs",
            "case_report case_series clinical_trial observational_cohort meta_analysis review preclinical other",
        ),
        (
            "duration_measures",
            "time_to_response response_duration follow_up survival time_to_relapse prior_remission other",
        ),
    ],
)
def test_small_vocabularies(vocab, labels):
    assert set(labels.split()) == set(load_vocabularies()[vocab].labels)


@pytest.mark.parametrize(
    ("vocab", "text", "label", "column", "identifier"),
    [
        ("antigens", "BCMA", "BCMA", "hgnc_symbol", "TNFRSF17"),
        ("antigens", "bcma", "BCMA", "hgnc_id", "HGNC:11913"),
        ("antigens", "CD19", "CD19", "hgnc_id", "HGNC:1633"),
        ("antigens", "CD7", "CD7", "hgnc_id", "HGNC:1695"),
        ("antigens", "glypican-3", "GPC3", "hgnc_id", "HGNC:4451"),
        ("diseases", "T-cell acute lymphoblastic leukemia", "T-ALL", "ncit", "C3183"),
        ("diseases", "multiple myeloma", "MM", "ncit", "C3242"),
        ("units", "copies/μg", "copies/ug", "kind", "expansion"),
        ("units", "months", "month", "days", "30.4375"),
        ("grading_scales", "ASBMT", "ASTCT", None, None),
    ],
)
def test_lookup_by_synonym(vocab, text, label, column, identifier):
    concept = load_vocabularies()[vocab].lookup(text)
    assert concept is not None and concept.label == label
    if column:
        assert concept.get(column) == identifier


def test_scorer_day_factors():
    assert load_vocabularies().day_factors() == {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}


def test_every_field_vocabulary_exists():
    vocab = load_vocabularies()
    for name in FIELD_VOCABS.values():
        assert vocab[name].labels


def test_identifier_formats():
    vocab = load_vocabularies()
    for c in vocab["antigens"].concepts:
        assert re.fullmatch(r"HGNC:\d+", c.get("hgnc_id", "HGNC:0")), c.label
    for c in vocab["diseases"].concepts:
        assert re.fullmatch(r"C\d+", c.get("ncit", "C0")), c.label
        assert re.fullmatch(r"MONDO:\d{7}", c.get("mondo", "MONDO:0000000")), c.label


def test_bad_vocabulary_file_names_line(tmp_path):
    bad = tmp_path / "vectors.csv"
    bad.write_text("label,name,synonyms\nlentiviral,,LV\nretroviral,,lv\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"vectors.csv:3: synonym 'lv' of 'retroviral' already names 'lentiviral'"
    ):
        read_vocabulary(bad)


def test_curator_can_add_a_concept_without_code(tmp_path):
    for src in (ROOT / "configs" / "vocab").glob("*.csv"):
        (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    with (tmp_path / "antigens.csv").open("a", encoding="utf-8") as fh:
        fh.write("CD1a,CD1A,,CD1a molecule,CD1a|CD1A\n")
    assert load_vocabularies(tmp_path)["antigens"].lookup("cd1a").get("hgnc_symbol") == "CD1A"


def test_data_dictionary_is_generated_and_committed():
    committed = (ROOT / "docs" / "evidence_schema.md").read_text(encoding="utf-8")
    assert committed == render_data_dictionary(), (
        "docs/evidence_schema.md is stale: run "
        "python -c 'from pipeline.table import write_data_dictionary; write_data_dictionary()'"
    )
