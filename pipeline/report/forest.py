"""Forest plots of the synthesis table (:mod:`pipeline.synthesis`), drawn with matplotlib.

One figure per outcome and grouping: for each group (and grading-scale stratum) its
studies, each a square at its rate (area by its random-effects weight) with its 95%
interval, then the pooled diamond (estimate and interval) with I², then the patients
of case reports and series as an open circle, labelled "not pooled". Like the other
figures it is drawn on its own Agg canvas and returns ``None`` when there is nothing
to draw. The marks after k/N (†, ‡, c, ?, !) are explained by :data:`LEGEND`,
which the report prints under each plot. Artists carry a ``gid`` (``study:<doc> <subject>``, ``pooled:<group>|<stratum>``,
``patients:<group>``) so that tests and notebooks can find what was drawn.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import PercentFormatter

from pipeline.report.figures import _new
from pipeline.synthesis.schema import ALL_SCALES

_STUDY = "#2c7fb8"
_POOLED = "#cb181d"
_PATIENTS = "#636363"
_FLAG_MARKS = {"derived_denominator": "†", "events_from_pct": "‡", "continuity_corrected": "c",
               "scale_not_stated": "?", "pct_disagrees": "!"}
LEGEND = ("† N is the study's patient count (derived)  ‡ k from the stated %  c continuity-corrected  "
          "? grading scale not stated  ! stated % disagrees with n/N")


def patients(n: int) -> str:
    """``1 patient``, ``3 patients``."""
    return f"{n} patient" if n == 1 else f"{n} patients"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}"


def _marks(flags: object) -> str:
    if not isinstance(flags, str):
        return ""
    return "".join(_FLAG_MARKS[f] for f in flags.split("|") if f in _FLAG_MARKS)


def forest_lines(rows: pd.DataFrame) -> list[dict]:
    """The plot's lines, top to bottom: ``kind`` (header, study, pooled, patients), label, values."""
    lines: list[dict] = []
    drawn = rows[rows["row_type"] != "excluded"]
    for group in dict.fromkeys(drawn["group"]):
        in_group = drawn[drawn["group"] == group]
        strata = [s for s in dict.fromkeys(in_group["stratum"]) if s != ALL_SCALES or
                  (in_group.loc[in_group["stratum"] == s, "row_type"] != "patients").any()]
        for stratum in strata:
            part = in_group[(in_group["stratum"] == stratum) & (in_group["row_type"] != "patients")]
            title = group if stratum == ALL_SCALES else f"{group} · {stratum}"
            lines.append({"kind": "header", "label": title})
            for _, r in part[part["row_type"] == "study"].iterrows():
                lines.append({"kind": "study", "label": f"{r['doc_id']} · {r['subject']}", "row": r,
                              "gid": f"study:{r['doc_id']} {r['subject']}|{group}|{stratum}"})
            for _, r in part[part["row_type"] == "pooled"].iterrows():
                if r["method"] == "single_study":
                    label = "one study, its own interval"
                else:
                    label = f"random effects, {int(r['n_studies'])} studies (I² {_pct(r['i2'])}%, τ² {r['tau2']:.3g})"
                lines.append({"kind": "pooled", "label": label, "row": r, "gid": f"pooled:{group}|{stratum}"})
        for _, r in in_group[in_group["row_type"] == "patients"].iterrows():
            if not strata:
                lines.append({"kind": "header", "label": group})
            lines.append({"kind": "patients", "label": "case reports/series (not pooled)", "row": r,
                          "gid": f"patients:{group}"})
    return lines


def forest_plot(rows: pd.DataFrame, title: str) -> Figure | None:
    """The forest plot of one outcome and grouping (rows of the synthesis table), or None if empty."""
    lines = forest_lines(rows) if not rows.empty else []
    if not any(line["kind"] != "header" for line in lines):
        return None
    fig, ax = _new(9.5, max(2.4, 1.1 + 0.27 * len(lines)))
    ax.spines[["top", "right", "left"]].set_visible(False)
    n = len(lines)
    labels, ys = [], []
    for i, line in enumerate(lines):
        y = n - 1 - i
        ys.append(y)
        labels.append(line["label"])
        if line["kind"] == "header":
            continue
        r = line["row"]
        k, total = int(r["events"]), int(r["total"])
        if line["kind"] == "study":
            # area by weight; a study outside any pool (scale or group not stated) gets a middling square
            size = 7.0 if pd.isna(r["weight"]) else 4 + 10 * float(r["weight"]) ** 0.5
            ax.hlines(y, r["ci_low"], r["ci_high"], color=_STUDY, lw=1.2, gid=line["gid"] + ":ci")
            ax.plot([r["proportion"]], [y], marker="s", color=_STUDY, linestyle="none",
                    markersize=size, clip_on=False, gid=line["gid"])
            text = f"{k}/{total}{_marks(r['flags'])}   {_pct(r['proportion'])}% [{_pct(r['ci_low'])}, {_pct(r['ci_high'])}]"
            if not pd.isna(r["weight"]) and r["weight"] < 1:
                text += f"   w {100 * r['weight']:.0f}%"
        elif line["kind"] == "pooled":
            est, low, high = float(r["proportion"]), float(r["ci_low"]), float(r["ci_high"])
            ax.add_patch(Polygon([(low, y), (est, y + 0.35), (high, y), (est, y - 0.35)], closed=True,
                                 facecolor=_POOLED, edgecolor=_POOLED, clip_on=False, gid=line["gid"]))
            text = f"{k}/{total}   {_pct(est)}% [{_pct(low)}, {_pct(high)}]"
        else:
            ax.plot([r["proportion"]], [y], marker="o", markerfacecolor="white", color=_PATIENTS,
                    linestyle="none", markersize=7, clip_on=False, gid=line["gid"])
            text = f"{k} of {patients(total)}   {_pct(r['proportion'])}%"
        ax.text(1.02, y, text, transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                color=_POOLED if line["kind"] == "pooled" else "#222")
    ax.set_yticks(ys, labels, fontsize=8)
    for tick, line in zip(ax.get_yticklabels(), lines, strict=True):
        if line["kind"] in ("header", "pooled"):
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    ax.set_xlabel("proportion of patients, 95% CI")
    ax.set_title(title, loc="left", fontsize=11)
    return fig
