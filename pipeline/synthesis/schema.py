"""The synthesis table's columns, declared once, validated like the evidence table.

``corpus/synthesis.csv`` / ``corpus/synthesis.parquet`` hold one row per entry of a
forest plot: for each outcome, grouping (target antigen, product...), group (CD7...) and
stratum (grading scale where it matters), a ``pooled`` row (random-effects estimate, or
one study's own interval), one ``study`` row per contributing study or cohort, one
``patients`` row (patients of case reports and series, k of n, beside the pool and never
in it) and one ``excluded`` row per statement that could not contribute, with the reason.

Validation reuses :mod:`pipeline.table.validate` (pandera schema from the declaration,
then row checks); a violation raises :class:`~pipeline.table.validate.TableSchemaError`
naming the row, its CSV line and the column. Files are written byte-stable by
:mod:`pipeline.table.io`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipeline.errors import SchemaError
from pipeline.synthesis.model import INTERVALS, METHODS, TRANSFORMS
from pipeline.table.io import read_csv, read_parquet, write_csv, write_parquet
from pipeline.table.validate import TableSchemaError, Violation, _declared_dtypes, _from_pandera, conform

SYNTHESIS_CSV = "synthesis.csv"
SYNTHESIS_PARQUET = "synthesis.parquet"

#: Outcome -> (field of the evidence table, readable name).
OUTCOMES: dict[str, tuple[str, str]] = {
    "crs_any": ("crs", "CRS, any grade"),
    "crs_grade3plus": ("crs", "CRS grade ≥ 3"),
    "icans_any": ("icans", "ICANS, any grade"),
    "icans_grade3plus": ("icans", "ICANS grade ≥ 3"),
    "cr": ("response", "complete response (CR)"),
    "orr": ("response", "overall response (ORR)"),
}
#: Outcomes whose grade threshold depends on the grading scale (pooled within one known scale).
SCALE_DEPENDENT = ("crs_grade3plus", "icans_grade3plus")
#: Grouping -> readable name. ``product`` is composed from the other fields (see tables.py).
GROUPINGS: dict[str, str] = {
    "target_antigen": "target antigen",
    "product": "product",
    "disease": "disease",
    "cell_source": "cell source",
    "vector": "vector",
    "cell_type": "cell type",
}
ROW_TYPES = ("pooled", "study", "patients", "excluded")
DENOMINATORS = ("stated", "n_patients")
#: Stratum of outcomes that do not depend on the grading scale.
ALL_SCALES = "all"
SCALE_NOT_STATED = "scale not stated"
INTERVAL_KINDS = (*INTERVALS, "random_effects")
POOL_METHODS = (*METHODS, "single_study")
FLAGS = (
    "derived_denominator",  # N is the subject's n_patients, not stated with the rate
    "events_from_pct",  # k = round(pct x N / 100)
    "pct_disagrees",  # n / denominator and the stated pct differ by more than 0.6 points
    "continuity_corrected",  # logit: 0.5 added to each cell (no event or all events)
    "multiple_statements",  # the subject states this outcome more than once; one was used
    "scale_not_stated",  # a scale-dependent outcome without a known grading scale
    "scale_from_document",  # the scale is stated elsewhere in the document, not with this rate
    "implied_by_no_event",  # grade >= 3: 0 events because the study states no CRS/ICANS at all
    "single_study",  # a group of one study: its own interval, nothing pooled
    "design_not_stated",  # the document states no study design
    "cohort_of_document",  # one of several cohorts of one document, each an entry
)
#: Columns that identify a row (unique together).
KEY = ("outcome", "grouping", "group", "stratum", "row_type", "doc_id", "subject")

#: Column name -> (pandas dtype, description). Order is the CSV's column order.
SYNTHESIS_COLUMNS: dict[str, tuple[str, str]] = {
    "outcome": ("string", "`crs_any`, `crs_grade3plus`, `icans_any`, `icans_grade3plus`, `cr`, `orr`"),
    "grouping": ("string", "what the groups are: `target_antigen`, `product`, `disease`, `cell_source`, `vector`, `cell_type`"),
    "group": ("string", "the group's label (combinations joined with `+`, e.g. `CD19+CD22`; `not stated`)"),
    "stratum": (
        "string",
        "grading scale the grade ≥ 3 outcomes are pooled within (`ASTCT`, `Lee2014`..., `scale not stated`); "
        "`all` for outcomes that do not depend on the scale",
    ),
    "row_type": ("string", "`pooled` (the group's estimate), `study`, `patients` (case reports and series, not pooled), `excluded`"),
    "doc_id": ("string", "study and excluded rows: the document"),
    "subject": ("string", "study and excluded rows: `study`, `cohort` or `cohort:NAME` (patients rows: `patients`)"),
    "study_design": ("string", "the document's study design (study and excluded rows)"),
    "stated_value": ("string", "the grade or response category as the evidence row states it (`any`, `>=3`, `0`, `CR`)"),
    "grading_scale": ("string", "the grading scale of this study's statement, where known"),
    "events": ("Int64", "patients with the outcome (k); pooled: the sum over its studies"),
    "total": ("Int64", "patients it is a proportion of (N); pooled: the sum over its studies"),
    "pct_stated": ("Float64", "the percentage as the text states it"),
    "denominator": ("string", "where N comes from: `stated` with the rate, or the subject's `n_patients` (derived)"),
    "proportion": ("Float64", "k / N (study, patients); the pooled estimate (pooled), 0..1"),
    "ci_low": ("Float64", "lower bound of the 95% confidence interval (empty for patients rows)"),
    "ci_high": ("Float64", "upper bound of the 95% confidence interval"),
    "interval": ("string", "how the interval was computed: `wilson`, `exact` (Clopper-Pearson), `random_effects`"),
    "continuity": ("Float64", "logit: correction added to each cell of this study (0.5 for no event or all events, else 0)"),
    "weight": ("Float64", "the study's relative weight in its random-effects pool, 0..1"),
    "n_studies": ("Int64", "pooled: studies (or cohorts) pooled; patients: documents behind the count"),
    "n_patients": ("Int64", "pooled and patients rows: patients behind the estimate"),
    "tau2": ("Float64", "between-study variance τ² on the transformed scale (pooled rows of two studies or more)"),
    "i2": ("Float64", "heterogeneity I², 0..1 (pooled rows of two studies or more)"),
    "q": ("Float64", "Cochran's Q on the transformed scale"),
    "transform": ("string", "pooled rows: `logit` or `freeman_tukey`"),
    "method": ("string", "pooled rows: τ² estimator `pm` (Paule-Mandel) or `dl` (DerSimonian-Laird), or `single_study`"),
    "flags": ("string", "`|`-joined: " + ", ".join(f"`{f}`" for f in FLAGS)),
    "exclusion": ("string", "excluded rows: why the statement does not contribute"),
    "note": ("string", "readable remarks (patients not reported, statements not used...)"),
    "evidence_ids": ("string", "`|`-joined evidence_id of every evidence row behind this row"),
    "doc_ids": ("string", "`|`-joined documents behind this row"),
}

_UNIT_INTERVAL = ("proportion", "ci_low", "ci_high", "weight", "i2")


def synthesis_schema() -> pa.DataFrameSchema:
    """The pandera schema of the synthesis table (built from ``SYNTHESIS_COLUMNS``)."""
    checks: dict[str, list[pa.Check]] = {
        "outcome": [pa.Check.isin(tuple(OUTCOMES))],
        "grouping": [pa.Check.isin(tuple(GROUPINGS))],
        "row_type": [pa.Check.isin(ROW_TYPES)],
        "denominator": [pa.Check.isin(DENOMINATORS)],
        "interval": [pa.Check.isin(INTERVAL_KINDS)],
        "transform": [pa.Check.isin(TRANSFORMS)],
        "method": [pa.Check.isin(POOL_METHODS)],
        "events": [pa.Check.ge(0)],
        "total": [pa.Check.ge(0)],
        "n_studies": [pa.Check.ge(1)],
        "n_patients": [pa.Check.ge(0)],
        "tau2": [pa.Check.ge(0.0)],
        "q": [pa.Check.ge(0.0)],
        "continuity": [pa.Check.in_range(0.0, 1.0)],
        "pct_stated": [pa.Check.in_range(0.0, 100.0)],
        "doc_id": [],
        **{name: [pa.Check.in_range(0.0, 1.0)] for name in _UNIT_INTERVAL},
    }
    required = ("outcome", "grouping", "group", "stratum", "row_type")
    columns = {
        name: pa.Column(dtype, checks=checks.get(name, []), nullable=name not in required, description=desc)
        for name, (dtype, desc) in SYNTHESIS_COLUMNS.items()
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, coerce=True, name="synthesis")


def _row_checks(df: pd.DataFrame) -> list[Violation]:
    out: list[Violation] = []
    flags = set(FLAGS)
    for row, rec in enumerate(df.itertuples(index=False)):
        where = f"{rec.outcome}/{rec.grouping}/{rec.group}"
        if not pd.isna(rec.events) and not pd.isna(rec.total) and rec.events > rec.total:
            out.append(Violation(row, where, "events", "events <= total", (rec.events, rec.total)))
        if not pd.isna(rec.proportion) and not pd.isna(rec.ci_low) and not pd.isna(rec.ci_high) and not (
            rec.ci_low - 1e-9 <= rec.proportion <= rec.ci_high + 1e-9
        ):
            out.append(Violation(row, where, "proportion", "ci_low <= proportion <= ci_high",
                                 (rec.ci_low, rec.proportion, rec.ci_high)))
        if rec.row_type in ("study", "excluded") and pd.isna(rec.doc_id):
            out.append(Violation(row, where, "doc_id", f"a document for a {rec.row_type} row", rec.doc_id))
        if rec.row_type == "excluded" and pd.isna(rec.exclusion):
            out.append(Violation(row, where, "exclusion", "a reason for an excluded row", rec.exclusion))
        if rec.row_type in ("pooled", "study", "patients") and (pd.isna(rec.events) or pd.isna(rec.total)):
            out.append(Violation(row, where, "total", f"events and total for a {rec.row_type} row",
                                 (rec.events, rec.total)))
        if not pd.isna(rec.flags):
            unknown = [f for f in str(rec.flags).split("|") if f not in flags]
            if unknown:
                out.append(Violation(row, where, "flags", f"flags among {FLAGS}", "|".join(unknown)))
    keys = df[list(KEY)].astype("string").fillna("")
    for row in keys.index[keys.duplicated(keep="first")]:
        out.append(Violation(int(row), None, None, f"one row per {KEY}", tuple(keys.loc[row])))
    return out


def validate_synthesis(df: pd.DataFrame, *, table: str = "synthesis table") -> pd.DataFrame:
    """``df`` coerced to the declared dtypes; TableSchemaError naming row and column if it breaks the schema."""
    df = conform(df, SYNTHESIS_COLUMNS)
    try:
        typed = synthesis_schema().validate(df, lazy=True)
    except SchemaErrors as err:
        raise TableSchemaError(table, _from_pandera(err, None)) from None
    typed = _declared_dtypes(typed, SYNTHESIS_COLUMNS)
    violations = _row_checks(typed)
    if violations:
        raise TableSchemaError(table, violations)
    return typed


def empty_synthesis() -> pd.DataFrame:
    return pd.DataFrame({n: pd.Series([], dtype=d) for n, (d, _) in SYNTHESIS_COLUMNS.items()})


def write_synthesis(df: pd.DataFrame, corpus_dir: str | Path) -> pd.DataFrame:
    """Validate ``df`` and write ``synthesis.parquet`` and ``synthesis.csv`` (byte-stable, atomic)."""
    corpus = Path(corpus_dir)
    typed = validate_synthesis(df)
    write_parquet(typed, corpus / SYNTHESIS_PARQUET, SYNTHESIS_COLUMNS, table_name="synthesis")
    write_csv(typed, corpus / SYNTHESIS_CSV, SYNTHESIS_COLUMNS)
    return typed


def read_synthesis(corpus_dir: str | Path) -> pd.DataFrame:
    """The synthesis table, typed and validated (Parquet where present, else CSV)."""
    corpus = Path(corpus_dir)
    if (corpus / SYNTHESIS_PARQUET).exists():
        path = corpus / SYNTHESIS_PARQUET
        df = read_parquet(path, SYNTHESIS_COLUMNS)
    elif (corpus / SYNTHESIS_CSV).exists():
        path = corpus / SYNTHESIS_CSV
        df = read_csv(path, SYNTHESIS_COLUMNS)
    else:
        raise SchemaError(f"{corpus}: no synthesis table here (expected {SYNTHESIS_PARQUET} or {SYNTHESIS_CSV}; "
                          "run `carmine synthesize`)")
    return validate_synthesis(df, table=str(path))


def render_dictionary() -> str:
    """The synthesis table's data dictionary as Markdown (``docs/synthesis_schema.md``)."""
    lines = [
        "# The synthesis table: data dictionary",
        "",
        "<!-- Generated by `pipeline.synthesis.schema.write_dictionary()` from",
        "`pipeline/synthesis/schema.py`; do not edit by hand (a test compares them). -->",
        "",
        "`corpus/synthesis.csv` and `corpus/synthesis.parquet`, written by `carmine synthesize`",
        "(`make synthesis`). The model and its limits: `docs/report.md`, section \"Pooled evidence\".",
        "",
        "| column | type | description |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {dtype} | {desc} |" for name, (dtype, desc) in SYNTHESIS_COLUMNS.items()]
    lines += ["", "## Outcomes", ""]
    lines += [f"- `{name}`: {label} (evidence field `{field}`)" for name, (field, label) in OUTCOMES.items()]
    lines += ["", f"A row is identified by ({', '.join(f'`{k}`' for k in KEY)})."]
    return "\n".join(lines) + "\n"


def write_dictionary(path: str | Path = "docs/synthesis_schema.md") -> Path:
    path = Path(path)
    path.write_text(render_dictionary(), encoding="utf-8")
    return path
