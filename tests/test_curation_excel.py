"""Review files as Excel and LibreOffice save them."""

from __future__ import annotations

import pytest
from fixtures.curation.support import build_table, decide, eid, read_review, write_sheet

from pipeline.curation import apply_decisions, export_review, import_review

VARIANTS = {
    "excel-utf8-bom-semicolon-crlf": {"delimiter": ";", "encoding": "utf-8-sig", "newline": "\r\n"},
    "excel-cp1252-semicolon-crlf": {"delimiter": ";", "encoding": "cp1252", "newline": "\r\n"},
    "excel-utf8-bom-comma-crlf": {"delimiter": ",", "encoding": "utf-8-sig", "newline": "\r\n"},
    "libreoffice-utf8-comma-lf": {"delimiter": ",", "encoding": "utf-8", "newline": "\n"},
    "excel-unicode-text-tab": {"delimiter": "\t", "encoding": "utf-16", "newline": "\r\n"},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_spreadsheet_variants_import(tmp_path, variant):
    corpus = tmp_path / "corpus"
    table = build_table()
    rows = read_review(export_review(corpus, table)[0])
    if VARIANTS[variant]["encoding"] == "cp1252":  # a legacy code page cannot hold every sentence
        for r in rows:
            r["sentence"] = r["sentence"].replace("μ", "?")
            r["context"] = r["context"].replace("μ", "?")
        rows = [r for r in rows if "?" not in r["sentence"]]
    decide(rows, eid(table, "crs", "1"), "Accept", note="Grade per ASTCT;\r\nchecked twice", curator="Jürgen Müller")
    decide(rows, eid(table, "disease", "triple-refractory leukemia"), "correct", corrected=" T-ALL ",
           curator="Jürgen Müller")
    decide(rows, eid(table, "durations", "time_to_relapse: 4 month"), "correct",
           corrected="4 months; measure=prior_remission", curator="Jürgen Müller")
    path = write_sheet(tmp_path / f"{variant}.csv", rows, **VARIANTS[variant])

    report = import_review(path, corpus, long_df=table)
    assert report.ok, str(report)
    assert {d.curator for d in report.applied} == {"Jürgen Müller"}
    assert [d.note for d in report.applied if d.note] == ["Grade per ASTCT;\r\nchecked twice"]
    applied, summary = apply_decisions(build_table(), corpus)
    assert not summary.re_review
    assert set(applied.loc[applied["status"] != "extracted", "value"]) == {"1", "T-ALL", "prior_remission: 4 month"}


def test_excel_mangled_read_only_cell_is_reported(tmp_path):
    corpus = tmp_path / "corpus"
    table = build_table()
    rows = read_review(export_review(corpus, table)[0])
    row = decide(rows, eid(table, "durations", "time_to_response: <=1 month"), "accept")
    row["char_start"] = row["char_start"] + ".0"  # number formatting is harmless
    row2 = decide(rows, eid(table, "crs", "1"), "accept")
    row2["sentence"] = row2["sentence"].replace(" ", "  ")  # so is whitespace
    path = write_sheet(tmp_path / "x.csv", rows, delimiter=";")
    assert import_review(path, corpus, long_df=table).ok
