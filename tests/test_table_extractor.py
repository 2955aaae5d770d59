"""The seed through the real extractor (pipeline.extract.Extractor), when it is importable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.readers import read_text
from pipeline.table import normalize, to_fields

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = sorted((SHARED / "seed").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEED, reason="shared/seed is not beside the repository")


@pytest.fixture(scope="module")
def rows():
    extract = pytest.importorskip("pipeline.extract")
    try:
        extractor = extract.Extractor()
    except (OSError, ImportError) as exc:  # a spaCy model that is not installed
        pytest.skip(f"extractor cannot be built here: {exc}")
    doc = read_text(SEED[0].read_text(encoding="utf-8"), source="seed")
    doc.capture_sha256 = "a" * 64
    return normalize(doc, extractor.extract(doc), pipeline_version="test")


@pytest.mark.parametrize(
    ("field", "value", "column", "expected"),
    [
        ("disease", "T-ALL", "value_id", "NCIT:C3183"),
        ("target_antigen", "CD7", "value_id", "HGNC:1695"),
        ("vector", "retroviral", "field", "vector"),
        ("cell_source", "allogeneic", "field", "cell_source"),
        ("transplant", "prior_allo_hsct", "field", "transplant"),
        ("crs", "1", "value_num", 1),
        ("icans", "0", "qualifier", "negated"),
        ("response", "CR", "field", "response"),
        ("durations", "response_duration: 9 month (ongoing)", "value_days", 273.9375),
        ("durations", "time_to_response: <=1 month", "comparator", "<="),
        ("age", "34", "value_num", 34),
        ("sex", "male", "subject", "P1"),
        ("expansion_peak", "350758 copies/ug, day 6", "day", 6),
    ],
)
def test_seed_rows_through_the_extractor(rows, field, value, column, expected):
    hit = rows[(rows["field"] == field) & (rows["value"] == value)]
    assert len(hit) >= 1, f"no {field}={value} row:\n{rows[['field', 'value']].to_string()}"
    row = hit.iloc[0]
    assert row[column] == expected
    assert row["sentence"] and row["char_start"] < row["char_end"]


def test_seed_record_matches_gold_as_sets(rows):
    gold = json.loads((SHARED / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0])["gold"]
    fields = to_fields(rows, "10.3389/fimmu.2024.1519055")
    for name, expected in gold.items():
        got = fields[name]
        if isinstance(expected, list):
            key = lambda v: json.dumps(v, sort_keys=True)  # noqa: E731
            assert sorted(map(key, got)) == sorted(map(key, expected)), name
        else:
            assert got == expected, name
