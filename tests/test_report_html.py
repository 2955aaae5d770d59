"""The HTML report: links from every number to its evidence, small corpora, escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.document import Document
from pipeline.report import build_report, tables

FIXTURES = Path(__file__).parent / "fixtures" / "report"
SEED = "10.3389/fimmu.2024.1519055"
S_DESIGN = "In this study, we reported a case of a 34-year-old male patient with T-ALL."
S_PRODUCT = "He was treated with allogeneic anti-CD7 CAR-T cells; the CAR-T product was based on retroviral vectors (RV)."
S_RESPONSE = ("After infusion, the patient achieved CR within 1 month after anti-CD7 CAR-T infusion and the "
              "remission has been ongoing for 9 months to date.")
S_SAFETY = ("Cytokine release syndrome (CRS) 1 was experienced while no immune effector cell-associated "
            "neurotoxicity syndrome (ICANS) was found.")
S_PRIOR = "Then, the patient remained in complete remission (CR) for four months before a relapse."


def seed_long() -> pd.DataFrame:
    """The seed case report as the table would hold it: one patient, P1."""
    rows = [
        ("study", "study_design", "case_report", {}, S_DESIGN),
        ("study", "n_patients", "1", {"value_num": 1}, S_DESIGN),
        ("study", "disease", "T-ALL", {}, S_DESIGN),
        ("study", "target_antigen", "CD7", {}, S_PRODUCT),
        ("study", "vector", "retroviral", {}, S_PRODUCT),
        ("study", "cell_source", "allogeneic", {}, S_PRODUCT),
        ("P1", "age", "34", {"value_num": 34, "unit": "year"}, S_DESIGN),
        ("P1", "crs", "1", {"value_num": 1}, S_SAFETY),
        ("P1", "icans", "0", {"value_num": 0}, S_SAFETY),
        ("P1", "response", "CR", {}, S_RESPONSE),
        ("P1", "durations", "time_to_response: <=1 month",
         {"measure": "time_to_response", "value_num": 1, "unit": "month", "qualifier": "<="}, S_RESPONSE),
        ("P1", "durations", "response_duration: 9 month (ongoing)",
         {"measure": "response_duration", "value_num": 9, "unit": "month", "qualifier": "ongoing"}, S_RESPONSE),
        ("P1", "durations", "prior_remission: 4 month",
         {"measure": "prior_remission", "value_num": 4, "unit": "month"}, S_PRIOR),
    ]
    return tables.typed_long(pd.DataFrame([
        {"evidence_id": f"ev-{i:016x}", "doc_id": SEED, "subject": s, "field": f, "value": v, "sentence": t,
         "status": "extracted", **extra}
        for i, (s, f, v, extra, t) in enumerate(rows, start=1)
    ]))


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory) -> Path:
    long = tables.read_long_csv(FIXTURES / "evidence.csv")
    documents = pd.read_csv(FIXTURES / "documents.csv")
    corpus = tmp_path_factory.mktemp("corpus")
    return build_report(corpus, long=long, documents=documents)


def anchors_and_links(html: str) -> tuple[set[str], list[str]]:
    return set(re.findall(r'id="(ev-\d+)"', html)), re.findall(r'href="#(ev-\d+)"', html)


def test_report_is_written_with_its_figures(fixture_report):
    assert fixture_report.name == "report.html"
    assert fixture_report.parent.name == "report"
    pngs = {p.name for p in fixture_report.parent.glob("*.png")}
    assert {"crs_patients_by_antigen.png", "crs_pooled.png", "response_swimmer.png",
            "disease_by_antigen.png", "vector_by_antigen.png"} <= pngs
    html = fixture_report.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(pngs)


def test_every_link_has_its_evidence_entry(fixture_report):
    html = fixture_report.read_text(encoding="utf-8")
    anchors, links = anchors_and_links(html)
    assert links
    assert set(links) <= anchors


def evidence_entry(html: str, anchor: str) -> str:
    start = html.index(f'<div id="{anchor}">')
    return html[start: html.index("</div>", start)]


def test_count_cell_links_to_its_rows(fixture_report):
    html = fixture_report.read_text(encoding="utf-8")
    # the per-patient CRS table: CD7 x grade 1 is two patients, cr1 P1 and cs1 P1
    caption = "CRS, patients described individually, by antigen × maximum grade: CD7 × 1"
    anchor = re.search(r'<div id="(ev-\d+)">\s*<h4>' + re.escape(caption) + "</h4>", html).group(1)
    assert f'<a href="#{anchor}">2</a>' in html
    entry = evidence_entry(html, anchor)
    assert 'href="https://doi.org/10.1000/carmine.cr1"' in entry
    assert 'href="https://doi.org/10.1000/carmine.cs1"' in entry
    assert "Cytokine release syndrome (CRS) 1 was experienced while no ICANS was found." in entry
    assert "Patient 1 had grade 1 CRS and no ICANS" in entry


def test_pooled_and_per_patient_are_separate(fixture_report):
    html = fixture_report.read_text(encoding="utf-8")
    assert "Per patient: CRS grade by antigen" in html
    assert "Pooled: CRS rates of studies and cohorts" in html
    pooled = html[html.index("Pooled: CRS rates"): html.index("Per patient: ICANS")]
    assert "cohort:pediatric" in pooled and "80" in pooled


def test_document_counts_link_to_documents(fixture_report):
    html = fixture_report.read_text(encoding="utf-8")
    anchor = re.search(r'<div id="(ev-\d+)">\s*<h4>Documents by year: year 2024</h4>', html).group(1)
    entry = evidence_entry(html, anchor)
    assert entry.count('href="https://doi.org/') == 3
    assert "Allogeneic CD7 CAR-T cells in three patients with T-ALL" in entry


def test_awaiting_curation_lists_every_extracted_value(fixture_report):
    html = fixture_report.read_text(encoding="utf-8")
    section = html[html.index('<section id="curation">'): html.index('<section id="evidence"')]
    assert "4 values awaiting curation" in section
    assert "MRD_negative_CR" in section and "CD22" in section


def test_rejected_rows_are_listed_but_not_counted(fixture_report):
    html = fixture_report.read_text(encoding="utf-8")
    anchor = re.search(r'<div id="(ev-\d+)">\s*<h4>Rejected rows \(not counted\)</h4>', html).group(1)
    assert f'<a href="#{anchor}">1</a>' in html
    assert html.count("Her earlier AML-like features") == 1
    assert "Her earlier AML-like features" in evidence_entry(html, anchor)


def test_one_document_report_from_the_seed(tmp_path):
    doc = Document(id=SEED, text="", title="The first case of T-ALL treated with anti-CD7 CAR-T cells",
                   journal="Frontiers in Immunology", year=2024, article_type="Case Report")
    build = tmp_path / "build"
    build.mkdir()
    (build / "documents.jsonl").write_text(json.dumps(doc.to_dict()) + "\n", encoding="utf-8")
    path = build_report(tmp_path, long=seed_long())
    html = path.read_text(encoding="utf-8")
    assert path == tmp_path / "report" / "report.html"
    assert "The first case of T-ALL treated with anti-CD7 CAR-T cells" in html  # metadata from documents.jsonl
    assert f'href="https://doi.org/{SEED}"' in html
    assert html.count("no data") >= 3  # pooled CRS, pooled ICANS, pooled responses...
    assert (tmp_path / "report" / "response_swimmer.png").exists()
    assert not (tmp_path / "report" / "crs_pooled.png").exists()
    anchors, links = anchors_and_links(html)
    assert set(links) <= anchors
    assert "13 values awaiting curation" in html


def test_empty_corpus_still_gives_a_report(tmp_path):
    path = build_report(tmp_path, long=tables.typed_long(pd.DataFrame()))
    html = path.read_text(encoding="utf-8")
    assert "no data" in html
    assert not list(path.parent.glob("*.png"))


def test_text_is_escaped(tmp_path):
    long = seed_long()
    long.loc[0, "sentence"] = "A <script>alert(1)</script> & co"
    html = build_report(tmp_path, long=long).read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_report_loads_the_corpus_tables_by_default(tmp_path):
    """Without ``long=``, the evidence table comes from ``pipeline.table.api.load_evidence``."""
    (tmp_path / "evidence.csv").write_bytes((FIXTURES / "evidence.csv").read_bytes())
    html = build_report(tmp_path).read_text(encoding="utf-8")
    assert "<b><a href=\"#ev-1\">6</a></b> documents" in html
    assert "4 values awaiting curation" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(document.cookie)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "//evil.example/x",
                                 "file:///etc/passwd"])
def test_only_http_urls_become_links(tmp_path, url):
    """Regression (issue 15.11): a document whose id is not a DOI had its URL put straight into href."""
    long = seed_long()
    long["doc_id"] = "pmid:123"
    documents = pd.DataFrame([{"doc_id": "pmid:123", "url": url, "title": "T", "journal": "J", "year": 2024}])
    html = build_report(tmp_path, long=long, documents=documents).read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")]
    assert "pmid:123" in html  # the document is still named, just not linked


def test_http_urls_of_non_doi_documents_stay_links(tmp_path):
    long = seed_long()
    long["doc_id"] = "pmid:123"
    documents = pd.DataFrame([{"doc_id": "pmid:123", "url": "https://pubmed.ncbi.nlm.nih.gov/123/",
                               "title": "T", "journal": "J", "year": 2024}])
    html = build_report(tmp_path, long=long, documents=documents).read_text(encoding="utf-8")
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/123/"' in html
