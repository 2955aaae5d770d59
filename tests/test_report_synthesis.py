"""The report's pooled-evidence section: forest plots read back from the Axes, links to evidence."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from pipeline.report import build_report, forest, tables
from pipeline.synthesis import synthesize

FIXTURE = Path(__file__).parent / "fixtures" / "synthesis" / "evidence.csv"


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return tables.read_long_csv(FIXTURE)


@pytest.fixture(scope="module")
def synth(long) -> pd.DataFrame:
    return synthesize(long)


@pytest.fixture(scope="module")
def report(long, tmp_path_factory) -> str:
    path = build_report(tmp_path_factory.mktemp("corpus"), long=long)
    return path.read_text(encoding="utf-8")


def by_gid(fig) -> dict[str, object]:
    ax = fig.axes[0]
    return {a.get_gid(): a for a in [*ax.lines, *ax.patches, *ax.collections] if a.get_gid()}


def test_forest_plot_draws_each_study_and_the_pooled_diamond(synth):
    rows = synth[(synth["outcome"] == "crs_any") & (synth["grouping"] == "target_antigen")]
    fig = forest.forest_plot(rows, "CRS by antigen")
    drawn = by_gid(fig)
    pooled = rows[(rows["row_type"] == "pooled") & (rows["group"] == "CD19")].iloc[0]
    diamond = drawn["pooled:CD19|all"]
    assert isinstance(diamond, Polygon)
    xs = sorted({round(float(x), 9) for x, _ in diamond.get_xy()})
    assert xs == pytest.approx(sorted({pooled["ci_low"], pooled["proportion"], pooled["ci_high"]}))
    t1 = rows[(rows["row_type"] == "study") & (rows["doc_id"] == "10.1000/synth.t1")].iloc[0]
    square = drawn["study:10.1000/synth.t1 cohort|CD19|all"]
    assert isinstance(square, Line2D)
    assert float(square.get_xdata()[0]) == pytest.approx(0.3)
    segments = drawn["study:10.1000/synth.t1 cohort|CD19|all:ci"].get_segments()
    assert [p[0] for p in segments[0]] == pytest.approx([t1["ci_low"], t1["ci_high"]])
    # the one-study group (CD7) has a diamond equal to its own interval; case reports are a circle, not pooled
    assert "pooled:CD7|all" in drawn
    circle = drawn["patients:BCMA"]
    assert float(circle.get_xdata()[0]) == pytest.approx(2 / 3)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "case reports/series (not pooled)" in labels
    assert any(label.startswith("random effects, 3 studies (I² 0%") for label in labels)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("0/8†c") for t in texts)  # derived N, continuity-corrected
    assert "2 of 3 patients   67%" in texts


def test_grade_3_plot_separates_the_scales(synth):
    rows = synth[(synth["outcome"] == "crs_grade3plus") & (synth["grouping"] == "target_antigen")]
    lines = forest.forest_lines(rows)
    headers = [line["label"] for line in lines if line["kind"] == "header"]
    assert "CD19 · ASTCT" in headers and "CD19 · scale not stated" in headers
    unknown = headers.index("CD19 · scale not stated")
    after = [line["kind"] for line in lines if line["kind"] != "header"]
    assert after.count("pooled") == 1  # ASTCT pooled; the unstated scale only listed
    assert unknown > 0


def test_nothing_to_draw_gives_no_figure(synth):
    assert forest.forest_plot(synth.iloc[0:0], "empty") is None
    only_patients = synth[(synth["row_type"] == "patients") & (synth["group"] == "BCMA")]
    assert forest.forest_plot(only_patients.iloc[0:0], "none") is None


def test_report_has_the_section_with_its_forest_plots(report):
    section = report[report.index('<section id="synthesis">'): report.index('<section id="curation">')]
    assert "Pooled evidence across studies" in report[: report.index("<section")]  # in the navigation
    assert "At a glance: pooled rates by target antigen" in section
    assert section.count('src="data:image/png;base64,') >= 6
    assert "CRS, any grade by target antigen" in section
    assert "case reports/series: 2 of 3 patients" in section
    assert "excluded: meta_analysis" in section


def test_clinician_cells_and_rows_link_to_their_evidence(report, synth):
    section = report[report.index('<section id="synthesis">'): report.index('<section id="curation">')]
    pooled = synth[(synth["outcome"] == "crs_any") & (synth["grouping"] == "target_antigen")
                   & (synth["group"] == "CD19") & (synth["row_type"] == "pooled")].iloc[0]
    text = f"{100 * pooled['proportion']:.0f}% ({100 * pooled['ci_low']:.0f}–{100 * pooled['ci_high']:.0f})"
    link = re.search(r'<a href="#(ev-\d+)">' + re.escape(text), section)
    assert link, text
    start = report.index(f'<div id="{link.group(1)}">')
    entry = report[start: report.index("</div>", start)]
    for eid in ("t1: crs any.", "t2: crs any.", "t3: crs 0."):
        assert eid in entry
    assert "rejected" not in entry  # t1's rejected second statement is not behind the estimate
    # a study line of a detail table links to its row and to the n_patients row that gave its N
    caption = "CRS, any grade by target antigen: CD19 · 10.1000/synth.t3 · cohort"
    anchor = re.search(r'<div id="(ev-\d+)">\s*<h4>' + re.escape(caption) + "</h4>", report).group(1)
    entry = report[report.index(f'<div id="{anchor}">'):]
    entry = entry[: entry.index("</div>")]
    assert "t3: crs 0." in entry and "t3: n_patients 8." in entry


def test_detail_table_keeps_the_natural_group_order(report):
    start = report.index("<h3>CRS, any grade by target antigen</h3>")
    block = report[start: report.index("<h3>", start + 10)]
    table = block[block.index("<tbody>"):]
    groups = re.findall(r"<tr><td[^>]*>([^<]+)</td>", table)
    order = list(dict.fromkeys(groups))
    assert order == ["BCMA", "CD7", "CD19"]  # CD7 before CD19, as in the plot
