"""The seed case report and the dev gold: end-to-end checks of the extraction stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import Extractor, build_nlp
from pipeline.readers import read_text

GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev.jsonl"
pytestmark = pytest.mark.skipif(not GOLD.exists(), reason="shared gold not mounted")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(build_nlp())


def _gold_lines() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_seed_extraction_equals_gold_exactly(extractor):
    seed = _gold_lines()[0]
    extraction = extractor.extract(read_text(seed["text"], doc_id=seed["id"]))
    assert extraction.fields == seed["gold"]


@pytest.mark.parametrize("index", range(5))
def test_dev_document_set_fields_match_gold(extractor, index):
    line = _gold_lines()[index]
    fields = extractor.extract(read_text(line["text"], doc_id=line["id"])).fields
    for name in ("study_design", "n_patients", "cell_type", "disease", "target_antigen", "cell_source",
                 "transplant", "gene_editing", "vector"):
        assert sorted(map(str, [fields[name]] if not isinstance(fields[name], list) else fields[name])) == sorted(
            map(str, [line["gold"][name]] if not isinstance(line["gold"][name], list) else line["gold"][name])
        ), name


def test_seed_evidence_points_into_document_text(extractor):
    seed = _gold_lines()[0]
    document = read_text(seed["text"], doc_id=seed["id"])
    extraction = extractor.extract(document)
    assert extraction.evidence
    for ev in extraction.evidence:
        assert 0 <= ev.start <= ev.end <= len(document.text)
        assert document.text[ev.sent_start:ev.sent_end] == ev.sentence
        if "matched" in ev.detail and "=" not in ev.detail["matched"]:
            assert document.text[ev.start:ev.end] == ev.detail["matched"]
    subjects = {ev.subject for ev in extraction.evidence}
    assert subjects <= {"study", "P1"}
    # nothing comes from the affiliations or the correspondence block
    affiliations_start = document.text.find("Department of Hematology")
    abstract_start = document.text.find("CD7-targeted chimeric antigen receptor")
    assert all(not (affiliations_start <= ev.start < abstract_start) for ev in extraction.evidence)


def test_seed_expansion_peak_evidence(extractor):
    seed = _gold_lines()[0]
    extraction = extractor.extract(read_text(seed["text"], doc_id=seed["id"]))
    ev = [e for e in extraction.evidence if e.field == "expansion_peak"]
    assert len(ev) == 1 and "350, 758 copies/μg" in ev[0].sentence
