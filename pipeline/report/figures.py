"""The report's figures, drawn with matplotlib from the tables of :mod:`pipeline.report.tables`.

Figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas, not through
``pyplot``: nothing global (backend, current figure) changes, nothing needs closing, and
a notebook keeps its own backend (a returned Figure displays inline as usual).

Each function returns a :class:`matplotlib.figure.Figure`, or ``None`` when its table
is empty (the report then says "no data" instead of drawing empty axes). Bars are
drawn one ``barh`` call per series, so ``ax.containers`` holds one labelled container
per series (a grade, a vector, "to response"...) and tests can read the plotted data
back from the patches.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pipeline.report.tables import NOT_REPORTED, NOT_STATED

DAYS_PER_MONTH = 30.4375
_MISSING_COLOUR = "#d9d9d9"
#: A response whose category is not stated (distinct from the grey "to response").
_UNCATEGORIZED = "#9ecae1"
_GRADE_COLOURS = {
    "0": "#c7e9c0", "1": "#fcbba1", "2": "#fc9272", "3": "#fb6a4a", "4": "#de2d26", "5": "#a50f15",
    "1-2": "#fdae91", "<=1": "#fcbba1", "<=2": "#fc9272", ">=2": "#ef3b2c", ">=3": "#cb181d",
    ">=4": "#99000d", "any": "#969696",
}
_RESPONSE_COLOURS = {
    "sCR": "#00441b", "MRD_negative_CR": "#006d2c", "CR": "#238b45", "CRi": "#41ab5d", "VGPR": "#74c476",
    "PR": "#a1d99b", "ORR": "#4292c6", "SD": "#fdd0a2", "PD": "#f16913", "NR": "#d94801",
}
_CYCLE = tuple(f"C{i}" for i in range(10))


def colour(series: str, index: int = 0) -> str:
    """The colour of a series: fixed for grades and responses, grey for placeholders."""
    if series in (NOT_STATED, NOT_REPORTED):
        return _MISSING_COLOUR
    return _GRADE_COLOURS.get(series) or _RESPONSE_COLOURS.get(series) or _CYCLE[index % len(_CYCLE)]


def _new(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure on its own Agg canvas, with one Axes."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _figure(n_rows: float, width: float = 7.5) -> tuple[Figure, Axes]:
    fig, ax = _new(width, max(2.2, 0.9 + 0.38 * n_rows))
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def bar_chart(table: pd.DataFrame, category: str, value: str, title: str, xlabel: str,
              limit: int = 25) -> Figure | None:
    """One horizontal bar per row of ``table`` (top to bottom in table order, the first ``limit``)."""
    if table.empty:
        return None
    if len(table) > limit:
        table, title = table.head(limit), f"{title} (first {limit} of {len(table)})"
    labels = [str(v) for v in table[category]][::-1]
    values = [float(v) for v in table[value]][::-1]
    fig, ax = _figure(len(labels))
    bars = ax.barh(labels, values, color=_CYCLE[0], label=value)
    ax.bar_label(bars, fmt="%g", padding=2, fontsize=8)
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def stacked_bars(matrix: pd.DataFrame, title: str, xlabel: str, legend_title: str) -> Figure | None:
    """Horizontal stacked bars: one bar per row of ``matrix``, one segment per column.

    Rows are drawn top to bottom in the matrix's order; each column is one container
    labelled with the column name.
    """
    if matrix.empty or not matrix.to_numpy().sum():
        return None
    rows = [str(r) for r in matrix.index][::-1]
    fig, ax = _figure(len(rows), width=8.5)
    left = [0.0] * len(rows)
    for i, column in enumerate(matrix.columns):
        widths = [float(v) for v in matrix[column]][::-1]
        bars = ax.barh(rows, widths, left=left, color=colour(str(column), i), label=str(column),
                       edgecolor="white", linewidth=0.6)
        ax.bar_label(bars, labels=[f"{w:g}" if w else "" for w in widths], label_type="center", fontsize=8)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title=legend_title, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, xlabel: str, ylabel: str,
            max_rows: int = 30, max_columns: int = 20) -> Figure | None:
    """An annotated count matrix (e.g. documents by disease x target antigen).

    A larger matrix keeps the rows and columns with the largest totals (in their order)
    and says so in the title.
    """
    if matrix.empty or not matrix.to_numpy().sum():
        return None
    if matrix.shape[0] > max_rows or matrix.shape[1] > max_columns:
        shape = matrix.shape
        rows = set(matrix.sum(axis=1).nlargest(max_rows, keep="first").index)
        columns = set(matrix.sum(axis=0).nlargest(max_columns, keep="first").index)
        matrix = matrix.loc[[r for r in matrix.index if r in rows], [c for c in matrix.columns if c in columns]]
        title = f"{title} (largest {matrix.shape[0]} of {shape[0]} rows, {matrix.shape[1]} of {shape[1]} columns)"
    fig, ax = _new(max(4.0, 1.2 + 0.8 * matrix.shape[1]), max(2.2, 1.2 + 0.45 * matrix.shape[0]))
    ax.imshow(matrix.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(range(matrix.shape[0]), [str(r) for r in matrix.index])
    peak = matrix.to_numpy().max()
    for (i, j), count in pd.DataFrame(matrix.to_numpy()).stack().items():
        if count:
            ax.text(j, i, f"{count:g}", ha="center", va="center", fontsize=9,
                    color="white" if count > peak / 2 else "black")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def pooled_rates(pooled: pd.DataFrame, value: str, title: str) -> Figure | None:
    """Pooled rates as stated: one bar per statement (study/cohort x ``value``), in percent.

    ``pooled`` is :func:`~pipeline.report.tables.pooled_grades` or
    :func:`~pipeline.report.tables.pooled_responses`; statements without a rate are
    left out. Bars are grouped by study and cohort; one container per ``value``.
    """
    rated = pooled[pooled["rate_pct"].notna()] if not pooled.empty else pooled
    if rated.empty:
        return None
    rated = rated.assign(row=[f"{d} · {s}" for d, s in zip(rated["doc_id"], rated["subject"], strict=True)])
    order = list(dict.fromkeys(rated["row"]))
    series = list(dict.fromkeys(rated[value]))
    height = 0.8 / len(series)
    fig, ax = _figure(len(order) * max(1, len(series) * 0.6), width=8.5)
    for i, name in enumerate(series):
        part = rated[rated[value] == name]
        ys = [len(order) - 1 - order.index(r) + (len(series) / 2 - i - 0.5) * height for r in part["row"]]
        widths = [float(v) for v in part["rate_pct"]]
        bars = ax.barh(ys, widths, height=height, color=colour(name, i), label=name, edgecolor="white")
        ax.bar_label(bars, fmt="%g%%", padding=2, fontsize=8)
    ax.set_yticks(range(len(order)), order[::-1], fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("% of patients (as stated, or n / denominator)")
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(title=value, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return fig


def swimmer_plot(swimmer: pd.DataFrame) -> Figure | None:
    """One bar per patient: time to response, then the response (coloured by best response).

    A qualified time to response (``<=1 month``) is written after the patient's label.
    Containers: ``to response`` (from 0 to the time to response) and one per best
    response category (from the time to response for the response duration). An arrow
    marks a response still ongoing; an ``x`` a relapse. Times in months.
    """
    if swimmer.empty:
        return None
    frame = swimmer.iloc[::-1].reset_index(drop=True)
    months = {c: [0.0 if pd.isna(v) else float(v) / DAYS_PER_MONTH for v in frame[c]]
              for c in ("time_to_response_days", "response_days", "relapse_days")}
    fig, ax = _figure(len(frame), width=8.5)
    labels = [
        f"{label} ({q}{m:g} mo)" if isinstance(q, str) and q else str(label)
        for label, q, m in zip(frame["label"], frame["time_to_response_qualifier"],
                               [round(v, 1) for v in months["time_to_response_days"]], strict=True)
    ]
    ax.barh(labels, months["time_to_response_days"], color=_MISSING_COLOUR, label="to response",
            edgecolor="white")
    for i, category in enumerate(dict.fromkeys(frame["best_response"])):
        rows = [k for k, c in enumerate(frame["best_response"]) if c == category]
        ax.barh([labels[k] for k in rows], [months["response_days"][k] for k in rows],
                left=[months["time_to_response_days"][k] for k in rows],
                color=_UNCATEGORIZED if category == NOT_REPORTED else colour(str(category), i),
                label=f"response: {category}", edgecolor="white")
    ends = [a + b for a, b in zip(months["time_to_response_days"], months["response_days"], strict=True)]
    span = max([*ends, *months["relapse_days"], 1.0])
    for k, ongoing in enumerate(frame["ongoing"]):
        if ongoing:
            ax.annotate("", xy=(ends[k] + 0.06 * span, k), xytext=(ends[k], k),
                        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2})
    relapses = [(m, k) for k, m in enumerate(months["relapse_days"]) if m]
    if relapses:
        ax.scatter([m for m, _ in relapses], [k for _, k in relapses], marker="x", color="black",
                   zorder=3, label="relapse")
    ax.set_xlim(0, span * 1.12)
    ax.set_xlabel("months from CAR infusion (→ response ongoing)")
    ax.set_title("Response timeline per patient (case reports and series)", loc="left", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return fig


def to_png(fig: Figure, path: Path | None = None, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (rendered by the Agg canvas), also written to ``path`` if given."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
