"""Assemble the analysis report: tables, figures and an evidence appendix in one HTML file.

:func:`build_report` computes every table of :mod:`pipeline.report.tables`, draws the
figures of :mod:`pipeline.report.figures`, and writes ``report.html`` (figures embedded
as base64 PNG, so the file is self-contained) plus the PNG files into ``out_dir``.

Every number in the report is a link to an anchor of the evidence appendix, which lists
the rows behind it: the document (``https://doi.org/<doi>``), subject, field, value,
curation status and sentence. Text is escaped by jinja2's autoescaping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from pipeline.errors import PipelineError
from pipeline.report import figures, tables
from pipeline.report.tables import GRADE_ORDER, RESPONSE_RANK

REPORT_NAME = "report.html"


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None (no link: ``javascript:``, ``data:``...)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# -- the page model: what the template renders ------------------------------------------


@dataclass
class Cell:
    text: str
    href: str | None = None
    numeric: bool = False


@dataclass
class Table:
    header: list[str]
    rows: list[list[Cell]]
    caption: str = ""


@dataclass
class Block:
    """One table and/or figure of a section; ``empty`` blocks say "no data"."""

    title: str
    note: str = ""
    table: Table | None = None
    figure: str | None = None  # data URI
    figure_file: str | None = None
    empty: bool = False


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    blocks: list[Block] = field(default_factory=list)


@dataclass
class EvidenceSet:
    anchor: str
    caption: str
    rows: list[dict[str, Any]]
    documents: list[dict[str, Any]]


class EvidenceIndex:
    """Gives each distinct set of evidence rows (and documents) one appendix anchor."""

    def __init__(self, long: pd.DataFrame, documents: pd.DataFrame) -> None:
        self._rows = tables.typed_long(long).drop_duplicates("evidence_id").set_index("evidence_id", drop=False)
        self._docs = documents.set_index("doc_id", drop=False)
        self._anchors: dict[tuple, str] = {}
        self.sets: list[EvidenceSet] = []

    def link(self, caption: str, evidence_ids: Iterable[str], doc_ids: Iterable[str] = ()) -> str:
        """The ``#anchor`` of the appendix entry listing these rows and documents."""
        evidence_ids, doc_ids = tuple(evidence_ids), tuple(doc_ids)
        key = (evidence_ids, doc_ids)
        if key not in self._anchors:
            anchor = f"ev-{len(self._anchors) + 1}"
            self._anchors[key] = anchor
            rows = [self._row(e) for e in evidence_ids if e in self._rows.index]
            covered = {r["doc_id"] for r in rows}
            docs = [self._document(d) for d in doc_ids if d not in covered]
            self.sets.append(EvidenceSet(anchor, caption, rows, docs))
        return "#" + self._anchors[key]

    def _doc_url(self, doc_id: str) -> str | None:
        url = self._docs["url"].get(doc_id) if doc_id in self._docs.index else None
        return safe_href(tables.doc_link(doc_id, None if pd.isna(url) else url))

    def _row(self, evidence_id: str) -> dict[str, Any]:
        row = self._rows.loc[evidence_id]
        return {
            "evidence_id": evidence_id,
            "doc_id": row["doc_id"],
            "doc_url": self._doc_url(row["doc_id"]),
            "subject": _text(row["subject"]),
            "field": _text(row["field"]),
            "value": _text(row["value"]),
            "status": _text(row["status"]),
            "sentence": _text(row["sentence"]),
        }

    def _document(self, doc_id: str) -> dict[str, Any]:
        meta = self._docs.loc[doc_id] if doc_id in self._docs.index else {}
        return {
            "doc_id": doc_id,
            "doc_url": self._doc_url(doc_id),
            "title": _text(meta.get("title")),
            "journal": _text(meta.get("journal")),
            "year": _text(meta.get("year")),
        }


def _describe(column: str, record: pd.Series) -> str:
    return f"{column} {record[column]}"


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# -- tables to page tables ----------------------------------------------------------------


def matrix_table(tidy: pd.DataFrame, index: str, columns: str, value: str, evidence: EvidenceIndex,
                 caption: str, column_order: Iterable[str] = ()) -> Table | None:
    """A crosstab of ``tidy`` whose every count (and row total) links to its evidence."""
    if tidy.empty:
        return None
    matrix = tables.crosstab(tidy, index, columns, value, column_order)
    cells = {(str(r[index]), str(r[columns])): r for _, r in tidy.iterrows()}
    rows = []
    for row_key in matrix.index:
        line = [Cell(str(row_key))]
        row_ev: list[str] = []
        row_docs: list[str] = []
        for column in matrix.columns:
            record = cells.get((str(row_key), str(column)))
            if record is None:
                line.append(Cell("0", numeric=True))
                continue
            row_ev += record["evidence_ids"]
            row_docs += record["doc_ids"]
            href = evidence.link(f"{caption}: {row_key} × {column}", record["evidence_ids"], record["doc_ids"])
            line.append(Cell(_text(record[value]), href, numeric=True))
        total = int(matrix.loc[row_key].sum())
        href = evidence.link(f"{caption}: {row_key}, all", dict.fromkeys(row_ev), dict.fromkeys(row_docs))
        line.append(Cell(str(total), href, numeric=True))
        rows.append(line)
    return Table([f"{index} \\ {columns}", *map(str, matrix.columns), "total"], rows, caption)


def list_table(frame: pd.DataFrame, columns: dict[str, str], evidence: EvidenceIndex, caption: str,
               describe: Callable[[pd.Series], str], linked: Iterable[str] = ()) -> Table | None:
    """One line per row of ``frame``; the ``linked`` columns and an ``evidence`` cell link to its rows."""
    if frame.empty:
        return None
    linked = set(linked)
    rows = []
    for _, record in frame.iterrows():
        ids = record["evidence_ids"] if "evidence_ids" in record else (record["evidence_id"],)
        docs = record["doc_ids"] if "doc_ids" in record else (record["doc_id"],)
        href = evidence.link(f"{caption}: {describe(record)}", ids, docs)
        line = [Cell(_text(record[c]), href if c in linked else None,
                     numeric=pd.api.types.is_number(record[c])) for c in columns]
        line.append(Cell("rows", href))
        rows.append(line)
    return Table([*columns.values(), "evidence"], rows, caption)


# -- figures ------------------------------------------------------------------------------


class FigureWriter:
    """Saves figures as PNG files in ``out_dir`` and returns their data URIs."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir

    def __call__(self, block: Block, name: str, fig: Figure | None) -> Block:
        if fig is not None:
            png = figures.to_png(fig, self.out_dir / f"{name}.png")
            block.figure, block.figure_file = figures.data_uri(png), f"{name}.png"
        block.empty = block.table is None and block.figure is None
        return block


# -- the report ----------------------------------------------------------------------------


def _load(corpus_dir: Path, long: pd.DataFrame | None,
          documents: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if long is None:
        try:
            from pipeline.table.api import load_evidence
        except ImportError as err:
            raise PipelineError(
                "build_report: expected pipeline.table.api.load_evidence to load the evidence table "
                f"of {corpus_dir}, found none ({err}); pass long= explicitly"
            ) from err
        long, _wide = load_evidence(corpus_dir)
    long = tables.typed_long(long)
    if documents is None:
        path = corpus_dir / "build" / "documents.jsonl"
        documents = tables.read_documents(path) if path.exists() else None
    return long, tables.documents_frame(documents, long)


def _safety_blocks(field: str, name: str, long: pd.DataFrame, ev: EvidenceIndex,
                   draw: FigureWriter) -> list[Block]:
    blocks = []
    for by, by_name in (("target_antigen", "antigen"), ("vector", "vector")):
        counts = tables.grade_counts(long, field, by=by)
        caption = f"{name}, patients described individually, by {by_name} × maximum grade"
        table = matrix_table(counts, by, "grade", "n_patients", ev, caption, GRADE_ORDER)
        matrix = tables.crosstab(counts, by, "grade", "n_patients", GRADE_ORDER)
        fig = figures.stacked_bars(matrix, f"{name}: maximum grade per patient, by {by_name}", "patients",
                                   "grade")
        blocks.append(draw(Block(f"Per patient: {name} grade by {by_name}",
                                 "Case reports and series: one count per patient (maximum grade stated).",
                                 table), f"{field}_patients_by_{by_name}", fig))
    pooled = tables.pooled_grades(long, field)
    caption = f"{name}, pooled statements of studies and cohorts"
    table = list_table(
        pooled,
        {"doc_id": "document", "subject": "subject", "study_design": "design", "target_antigen": "antigen",
         "vector": "vector", "grade": "grade", "n": "n", "denominator": "of", "pct": "% stated",
         "rate_pct": "rate %"},
        ev, caption, lambda r: f"{r['doc_id']} {r['subject']} grade {r['grade']}",
        linked=("n", "denominator", "pct", "rate_pct"),
    )
    fig = figures.pooled_rates(pooled, "grade", f"{name}: pooled rates as stated (not combined across studies)")
    blocks.append(draw(Block(f"Pooled: {name} rates of studies and cohorts",
                             "Rates as each study states them (or n / denominator); one line per statement. "
                             "These are not patients of the table above and are never added to them.",
                             table), f"{field}_pooled", fig))
    return blocks


def build_report(corpus_dir: str | Path, out_dir: str | Path | None = None, long: pd.DataFrame | None = None,
                 wide: pd.DataFrame | None = None, documents: pd.DataFrame | None = None) -> Path:
    """Write the analysis report for a corpus and return the path of its HTML file.

    ``long`` is the long evidence table (default: ``pipeline.table.api.load_evidence``);
    ``documents`` the documents frame (default: ``<corpus_dir>/build/documents.jsonl``
    if present). ``wide`` is accepted for symmetry with ``load_evidence`` but not used:
    every number is computed from ``long`` so that it can link to its evidence rows.
    The report goes to ``out_dir`` (default ``<corpus_dir>/report``): ``report.html``
    and one PNG per figure.
    """
    del wide
    corpus_dir = Path(corpus_dir)
    out = Path(out_dir) if out_dir is not None else corpus_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    long, docs = _load(corpus_dir, long, documents)
    ev = EvidenceIndex(long, docs)
    draw = FigureWriter(out)

    overview = Section("overview", "Corpus overview",
                       "Documents of the corpus, counted once each. Study design and patient counts come "
                       "from the evidence table; year, journal and article type from the documents' metadata.")
    for column, title in (("year", "Documents by year"), ("journal", "Documents by journal"),
                          ("article_type", "Documents by article type")):
        counted = tables.documents_by(docs, column)
        table = list_table(counted, {column: column.replace("_", " "), "n_documents": "documents"}, ev, title,
                           partial(_describe, column), linked=("n_documents",))
        fig = figures.bar_chart(counted, column, "n_documents", title, "documents")
        overview.blocks.append(draw(Block(title, table=table), f"documents_by_{column}", fig))
    designs = tables.study_designs(long, docs)
    table = list_table(designs, {"study_design": "study design", "n_documents": "documents",
                                 "n_patients": "patients (stated)"}, ev, "Study design",
                       lambda r: f"{r['study_design']}", linked=("n_documents", "n_patients"))
    fig = figures.bar_chart(designs, "study_design", "n_documents", "Documents by study design", "documents")
    overview.blocks.append(draw(Block("Documents and patients by study design",
                                      "Patients: the count each study states (meta-analyses: pooled).", table),
                                "documents_by_study_design", fig))

    products = Section("products", "Diseases, antigens and products",
                       "Documents by combination: a dual CAR counts once, under e.g. CD19+CD22.")
    by_pair = tables.disease_by_antigen(long, docs)
    table = matrix_table(by_pair, "disease", "target_antigen", "n_documents", ev, "Documents, disease × antigen")
    matrix = tables.crosstab(by_pair, "disease", "target_antigen", "n_documents")
    fig = figures.heatmap(matrix, "Documents by disease × target antigen", "target antigen", "disease")
    products.blocks.append(draw(Block("Documents by disease × target antigen", table=table),
                                "disease_by_antigen", fig))
    table = matrix_table(by_pair, "disease", "target_antigen", "n_patients", ev, "Patients, disease × antigen")
    products.blocks.append(draw(Block("Patients (as stated) by disease × target antigen",
                                      "Sum of the patient counts the documents state.", table),
                                "patients_by_disease_antigen", None))
    for column, name in (("vector", "Vector"), ("cell_source", "Cell source")):
        mix = tables.mix_by_antigen(long, column, docs)
        table = matrix_table(mix, "target_antigen", column, "n_documents", ev, f"{name} by antigen")
        matrix = tables.crosstab(mix, "target_antigen", column, "n_documents")
        fig = figures.stacked_bars(matrix, f"{name} by target antigen", "documents", column.replace("_", " "))
        products.blocks.append(draw(Block(f"{name} mix by target antigen", table=table),
                                    f"{column}_by_antigen", fig))

    safety = Section("safety", "Safety: CRS and ICANS",
                     "Per-patient counts (patients described individually) and pooled rates (studies and "
                     "cohorts) are shown separately and never combined.")
    safety.blocks += _safety_blocks("crs", "CRS", long, ev, draw)
    safety.blocks += _safety_blocks("icans", "ICANS", long, ev, draw)

    efficacy = Section("efficacy", "Response",
                       "Per patient: the best response stated (a patient counts once). Pooled: as stated.")
    counts = tables.response_counts(long)
    table = matrix_table(counts, "target_antigen", "best_response", "n_patients", ev,
                         "Best response per patient by antigen", RESPONSE_RANK)
    matrix = tables.crosstab(counts, "target_antigen", "best_response", "n_patients", RESPONSE_RANK)
    fig = figures.stacked_bars(matrix, "Best response per patient, by target antigen", "patients", "response")
    efficacy.blocks.append(draw(Block("Per patient: best response by antigen", table=table),
                                "response_patients_by_antigen", fig))
    pooled = tables.pooled_responses(long)
    table = list_table(
        pooled,
        {"doc_id": "document", "subject": "subject", "study_design": "design", "target_antigen": "antigen",
         "category": "response", "n": "n", "denominator": "of", "pct": "% stated", "rate_pct": "rate %"},
        ev, "Pooled responses", lambda r: f"{r['doc_id']} {r['subject']} {r['category']}",
        linked=("n", "denominator", "pct", "rate_pct"),
    )
    fig = figures.pooled_rates(pooled, "category", "Pooled response rates as stated")
    efficacy.blocks.append(draw(Block("Pooled: response rates of studies and cohorts", table=table),
                                "response_pooled", fig))
    swim = tables.swimmer(long)
    view = swim.assign(
        ttr_months=(swim["time_to_response_days"] / figures.DAYS_PER_MONTH).round(1),
        response_months=(swim["response_days"] / figures.DAYS_PER_MONTH).round(1),
        ongoing_text=["ongoing" if o else "" for o in swim["ongoing"]],
    )
    table = list_table(
        view,
        {"doc_id": "document", "subject": "patient", "best_response": "best response",
         "time_to_response_qualifier": "", "ttr_months": "to response (months)",
         "response_months": "response (months)", "ongoing_text": "ongoing"},
        ev, "Response timeline", lambda r: f"{r['doc_id']} {r['subject']}",
        linked=("ttr_months", "response_months"),
    )
    efficacy.blocks.append(draw(Block("Per patient: response timeline (swimmer plot)",
                                      "Bars start at infusion: grey to the response, then the response "
                                      "duration; → still ongoing, × relapse.", table),
                                "response_swimmer", figures.swimmer_plot(swim)))
    spans = tables.durations(long, patients=False)
    table = list_table(
        spans,
        {"doc_id": "document", "subject": "subject", "measure": "measure", "qualifier": "qualifier",
         "value_num": "value", "unit": "unit", "days": "days"},
        ev, "Pooled durations", lambda r: f"{r['doc_id']} {r['subject']} {r['measure']}",
        linked=("value_num", "days"),
    )
    efficacy.blocks.append(draw(Block("Pooled: durations of studies and cohorts",
                                      "Follow-up, survival and other times stated for a study or cohort.",
                                      table), "durations_pooled", None))

    curation = Section("curation", "Awaiting curation",
                       "Every value still with status 'extracted': the report counts them, a curator "
                       "has not yet accepted or corrected them.")
    waiting = tables.awaiting_curation(long)
    table = list_table(waiting, {"doc_id": "document", "subject": "subject", "field": "field", "value": "value",
                                 "sentence": "sentence"}, ev, "Awaiting curation",
                       lambda r: f"{r['doc_id']} {r['subject']} {r['field']} {r['value']}", linked=("value",))
    curation.blocks.append(draw(Block(f"{len(waiting)} values awaiting curation", table=table),
                                "curation", None))

    # imported here, not at the top: pipeline.synthesis itself imports pipeline.report.tables
    from pipeline.report.synthesis import synthesis_section

    pooled_evidence = synthesis_section(long, ev, draw)

    sections = [overview, products, safety, efficacy, pooled_evidence, curation]
    counted = tables.usable(long)
    patients = counted[counted["who"].str.match(r"^P\d+$", na=False)]
    rejected = long[long["status"] == "rejected"]
    summary = [
        ("documents", len(docs), ev.link("All documents", (), docs["doc_id"])),
        ("evidence rows counted", len(counted), None),
        ("patients described individually", len(tables.patient_subjects(counted)),
         ev.link("Rows of patients described individually", patients["evidence_id"], patients["doc_id"])),
        ("awaiting curation", len(waiting), "#curation"),
        ("rejected (not counted)", len(rejected),
         ev.link("Rejected rows (not counted)", rejected["evidence_id"], rejected["doc_id"]) if len(rejected)
         else None),
    ]
    env = Environment(loader=PackageLoader("pipeline.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.get_template("report.html.j2").render(
        title="carmine: CAR cell therapy evidence report", corpus=str(corpus_dir), summary=summary,
        sections=sections, evidence=ev.sets,
    )
    path = out / REPORT_NAME
    path.write_text(html, encoding="utf-8")
    return path
