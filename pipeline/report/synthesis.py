"""The report's "Pooled evidence" section: forest plots and tables of :mod:`pipeline.synthesis`.

:func:`synthesis_section` builds one :class:`~pipeline.report.html.Section`: a short
table a clinician can read (target antigen x outcome: pooled rate with its 95% CI,
studies, patients, I², and case-report patients beside), then per outcome and grouping
a forest plot and the table of its entries. Every line links to the evidence rows it
came from; excluded statements are listed with their reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.report import forest

if TYPE_CHECKING:
    from pipeline.report.html import EvidenceIndex, FigureWriter, Section

INTRO = (
    "Rates pooled across studies: each study or cohort contributes a proportion it states with its "
    "denominator (n of N, or a percentage of a known N; a derived N is marked †). Pooled with a random-effects "
    "model on the logit scale (Paule-Mandel τ², 95% CI); a group of one study shows its own Wilson interval. "
    "Grade ≥ 3 rates are pooled only within one stated grading scale. Patients of case reports and series are "
    "shown beside the pool (k of n) and never in it. Meta-analyses and reviews are not pooled again. "
    "Model and limits: docs/report.md."
)


def _ids(cell: object) -> tuple[str, ...]:
    return tuple(e for e in str(cell).split("|") if e and e != "<NA>") if isinstance(cell, str) else ()


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.0f}"


def _entry(r: pd.Series) -> str:
    if r["row_type"] == "pooled":
        return "pooled (one study)" if r["method"] == "single_study" else f"pooled ({int(r['n_studies'])} studies)"
    if r["row_type"] == "patients":
        n = int(r["n_studies"])
        return f"case reports/series ({n} document{'' if n == 1 else 's'})"
    return f"{r['doc_id']} · {r['subject']}"


def detail_table(rows: pd.DataFrame, ev: EvidenceIndex, caption: str):
    """The entries of one outcome and grouping, each linked to its evidence rows."""
    from pipeline.report.html import Cell, Table

    if rows.empty:
        return None
    order = {"pooled": 0, "study": 1, "patients": 2, "excluded": 3}
    # groups and strata in the synthesis table's (natural) order, then pooled, studies, patients, excluded
    first = {g: i for i, g in enumerate(dict.fromkeys(rows["group"]))}
    strata = {g: i for i, g in enumerate(dict.fromkeys(rows["stratum"]))}
    rows = rows.assign(_g=rows["group"].map(first), _s=rows["stratum"].map(strata), _o=rows["row_type"].map(order))
    out = []
    for _, r in rows.sort_values(["_g", "_s", "_o"], kind="stable").iterrows():
        href = ev.link(f"{caption}: {r['group']} · {_entry(r)}", _ids(r["evidence_ids"]), _ids(r["doc_ids"]))
        excluded = r["row_type"] == "excluded"
        ci = "" if pd.isna(r["ci_low"]) else f"{_pct(r['ci_low'])}–{_pct(r['ci_high'])}"
        i2 = "" if pd.isna(r["i2"]) else _pct(r["i2"])
        weight = "" if pd.isna(r["weight"]) else _pct(r["weight"])
        remark = r["exclusion"] if excluded else (r["flags"] if not pd.isna(r["flags"]) else "")
        if not excluded and not pd.isna(r["note"]):
            remark = f"{remark} {r['note']}".strip()
        out.append([
            Cell(str(r["group"])),
            Cell("" if r["stratum"] == "all" else str(r["stratum"])),
            Cell(_entry(r), href),
            Cell("" if pd.isna(r["events"]) else str(int(r["events"])), numeric=True),
            Cell("" if pd.isna(r["total"]) else str(int(r["total"])), numeric=True),
            Cell("" if excluded or pd.isna(r["proportion"]) else _pct(r["proportion"]), href, numeric=True),
            Cell(ci, numeric=True),
            Cell(weight, numeric=True),
            Cell(i2, numeric=True),
            Cell("excluded: " + str(remark) if excluded else str(remark).replace("|", ", ")),
        ])
    return Table(["group", "scale", "entry", "k", "N", "rate %", "95% CI", "weight %", "I² %", "flags / reason"],
                 out, caption)


def clinician_block_table(synthesis: pd.DataFrame, ev: EvidenceIndex, grouping: str = "target_antigen"):
    from pipeline.report.html import Cell, Table
    from pipeline.synthesis.schema import OUTCOMES
    from pipeline.synthesis.tables import clinician_table

    summary = clinician_table(synthesis, grouping)
    if summary.empty:
        return None
    rows = []
    for _, r in summary.iterrows():
        line = [Cell(str(r["group"]))]
        for outcome, (_field, label) in OUTCOMES.items():
            ids = r[f"{outcome}_evidence"]
            href = ev.link(f"Pooled {label}, {r['group']}", ids) if r[outcome] else None
            line.append(Cell(r[outcome], href))
        rows.append(line)
    return Table([grouping.replace("_", " "), *(label for _f, label in OUTCOMES.values())], rows,
                 "Pooled rates by target antigen")


def synthesis_section(long: pd.DataFrame, ev: EvidenceIndex, draw: FigureWriter,
                      synthesis: pd.DataFrame | None = None) -> Section:
    """The section; ``synthesis`` defaults to :func:`pipeline.synthesis.synthesize` of ``long``."""
    from pipeline.report.html import Block, Section
    from pipeline.synthesis.schema import GROUPINGS, OUTCOMES
    from pipeline.synthesis.tables import synthesize

    table = synthesize(long) if synthesis is None else synthesis
    section = Section("synthesis", "Pooled evidence across studies", INTRO)
    section.blocks.append(draw(Block(
        "At a glance: pooled rates by target antigen",
        "Pooled rate % (95% CI); studies, patients; I². Case reports and series: k of n patients, not pooled. "
        "Each cell links to its evidence rows.",
        clinician_block_table(table, ev)), "synthesis_summary", None))
    for outcome, (_field, label) in OUTCOMES.items():
        for grouping, gname in GROUPINGS.items():
            rows = table[(table["outcome"] == outcome) & (table["grouping"] == grouping)]
            if rows.empty or (rows["row_type"] == "excluded").all():
                continue
            title = f"{label} by {gname}"
            # a plot needs a study; case-report patients alone are a line of the table
            fig = forest.forest_plot(rows, title) if (rows["row_type"] == "study").any() else None
            block = Block(title, forest.LEGEND, detail_table(rows, ev, title))
            section.blocks.append(draw(block, f"forest_{outcome}_by_{grouping}", fig))
    if len(section.blocks) == 1 and section.blocks[0].empty:
        section.blocks[0].note = "No study states a rate with a denominator yet."
    return section
