"""The report's figures: the plotted data read back from the Axes, on the fixture corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.report import figures, tables

FIXTURES = Path(__file__).parent / "fixtures" / "report"
MONTH = 30.4375


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return tables.read_long_csv(FIXTURES / "evidence.csv")


def containers(fig) -> dict[str, list]:
    """Series label -> its bars, bottom to top."""
    ax = fig.axes[0]
    return {c.get_label(): list(c) for c in ax.containers}


def ytick_labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_bar_chart_of_documents_by_journal():
    docs = tables.documents_frame(pd.read_csv(FIXTURES / "documents.csv"))
    fig = figures.bar_chart(tables.documents_by(docs, "journal"), "journal", "n_documents", "By journal", "documents")
    bars = containers(fig)["n_documents"]
    # drawn bottom to top: the table's first row (the most documents) is on top
    assert ytick_labels(fig)[-1] == "Frontiers in Immunology"
    assert [b.get_width() for b in bars] == [1, 1, 1, 3]


def test_bar_chart_keeps_the_first_rows_of_a_long_table():
    table = pd.DataFrame({"journal": [f"J{i}" for i in range(30)], "n_documents": range(30, 0, -1)})
    fig = figures.bar_chart(table, "journal", "n_documents", "By journal", "documents", limit=10)
    assert len(containers(fig)["n_documents"]) == 10
    assert "first 10 of 30" in fig.axes[0].get_title(loc="left")


def test_crs_grades_stacked_by_antigen(long):
    matrix = tables.crosstab(tables.grade_counts(long, "crs"), "target_antigen", "grade", "n_patients",
                             tables.GRADE_ORDER)
    fig = figures.stacked_bars(matrix, "CRS", "patients", "grade")
    assert ytick_labels(fig) == ["CD19", "CD7"]  # CD7 (first row) on top
    series = containers(fig)
    assert list(series) == ["1", "2", ">=3"]
    widths = {g: [b.get_width() for b in bars] for g, bars in series.items()}
    assert widths == {"1": [0, 2], "2": [1, 1], ">=3": [0, 1]}
    # segments are stacked: CD7's ">=3" starts after 2 + 1 patients
    assert series[">=3"][1].get_x() == 3


def test_vector_mix_shows_not_stated(long):
    matrix = tables.crosstab(tables.mix_by_antigen(long, "vector"), "target_antigen", "vector", "n_documents")
    series = containers(figures.stacked_bars(matrix, "Vector", "documents", "vector"))
    assert [b.get_width() for b in series[tables.NOT_STATED]] == [0, 0, 0, 1]  # BCMA, the top row
    assert series[tables.NOT_STATED][3].get_facecolor()[:3] == pytest.approx((0.851, 0.851, 0.851), abs=0.01)


def test_heatmap_holds_the_counts(long):
    matrix = tables.crosstab(tables.disease_by_antigen(long), "disease", "target_antigen", "n_documents")
    fig = figures.heatmap(matrix, "Disease x antigen", "antigen", "disease")
    ax = fig.axes[0]
    assert (ax.images[0].get_array() == matrix.to_numpy()).all()
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "1", "2"]


def test_pooled_rates_one_bar_per_statement(long):
    fig = figures.pooled_rates(tables.pooled_grades(long, "crs"), "grade", "CRS pooled")
    series = containers(fig)
    assert sorted(b.get_width() for b in series["any"]) == [75, 80, 80, 90]
    assert sorted(b.get_width() for b in series[">=3"]) == [7, 10, 10]
    assert ytick_labels(fig)[-1] == "10.1000/carmine.co1 · cohort"


def test_pooled_rates_leaves_out_statements_without_a_rate():
    pooled = pd.DataFrame({"doc_id": ["d"], "subject": ["study"], "grade": ["any"], "rate_pct": [pd.NA]})
    assert figures.pooled_rates(pooled, "grade", "CRS") is None


def test_swimmer_bar_lengths(long):
    fig = figures.swimmer_plot(tables.swimmer(long))
    ax = fig.axes[0]
    series = containers(fig)
    # bottom to top: cs1 P2, cs1 P1, cr2 P1, cr1 P1
    assert ytick_labels(fig) == ["10.1000/carmine.cs1 P2", "10.1000/carmine.cs1 P1", "10.1000/carmine.cr2 P1",
                                 "10.1000/carmine.cr1 P1 (<=1 mo)"]
    to_response = [b.get_width() for b in series["to response"]]
    assert to_response == pytest.approx([21 / MONTH, 1, 28 / MONTH, 1])
    cr = series["response: CR"]
    assert [b.get_width() for b in cr] == pytest.approx([2, 4, 9])
    assert [b.get_x() for b in cr] == pytest.approx([21 / MONTH, 1, 1])
    assert [b.get_width() for b in series["response: MRD_negative_CR"]] == pytest.approx([6])
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert sorted(a.xy[1] for a in arrows) == [1, 3]  # the two ongoing responses
    relapse = ax.collections[0].get_offsets()
    assert relapse.tolist() == [pytest.approx([7, 2])]


@pytest.mark.parametrize(
    "draw",
    [
        lambda: figures.bar_chart(pd.DataFrame({"a": [], "n": []}), "a", "n", "t", "x"),
        lambda: figures.stacked_bars(pd.DataFrame(), "t", "x", "l"),
        lambda: figures.heatmap(pd.DataFrame(), "t", "x", "y"),
        lambda: figures.pooled_rates(pd.DataFrame(), "grade", "t"),
        lambda: figures.swimmer_plot(tables.swimmer(tables.typed_long(pd.DataFrame()))),
    ],
)
def test_no_data_gives_no_figure(draw):
    assert draw() is None


def test_heatmap_of_a_large_matrix_keeps_the_largest_rows_and_columns():
    matrix = pd.DataFrame([[i * j for j in range(1, 6)] for i in range(1, 41)],
                          index=[f"d{i}" for i in range(1, 41)], columns=[f"a{j}" for j in range(1, 6)])
    fig = figures.heatmap(matrix, "Big", "antigen", "disease", max_rows=10, max_columns=3)
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (10, 3)
    assert ax.get_yticklabels()[0].get_text() == "d31"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a3", "a4", "a5"]
    assert "largest 10 of 40 rows, 3 of 5 columns" in ax.get_title(loc="left")


def test_swimmer_response_without_category_is_not_grey():
    swim = pd.DataFrame({
        "doc_id": ["d"], "subject": ["P1"], "label": ["d P1"], "best_response": [tables.NOT_REPORTED],
        "time_to_response_days": [pd.NA], "time_to_response_qualifier": [pd.NA], "response_days": [60.875],
        "ongoing": [False], "relapse_days": [pd.NA], "evidence_ids": [()],
    })
    series = containers(figures.swimmer_plot(swim))
    bar = series[f"response: {tables.NOT_REPORTED}"][0]
    assert bar.get_width() == pytest.approx(2)
    assert bar.get_facecolor() != series["to response"][0].get_facecolor()
