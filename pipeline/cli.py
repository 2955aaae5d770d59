"""Command line: ``carmine COMMAND`` or ``python -m pipeline COMMAND``.

Each command is a thin wrapper over a plain function that the tests call directly;
heavy libraries are imported inside the commands so that ``--help`` and a no-op
``run`` stay fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from pipeline.errors import PipelineError


class _Commands(TyperGroup):
    """Expected errors (``pipeline.errors``) end a command with their one-line message, not a traceback."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PipelineError as e:
            typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1) from None


app = typer.Typer(
    cls=_Commands,
    help="carmine: literature mining for CAR cell therapy clinical evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[Path, typer.Option("--corpus", help="The corpus folder (raw captures, build outputs).")]


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False) -> None:
    _setup_logging(verbose)


@app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of saved captures (.txt, .json, .jsonl, .html, .xml).")],
    corpus: CorpusOpt = Path("corpus"),
) -> None:
    """Store saved captures in the corpus (immutable; importing twice adds nothing)."""
    from pipeline.ingest import import_paths
    from pipeline.store import CaptureStore

    summary = import_paths(CaptureStore(corpus), list(paths))
    typer.echo(f"imported: {summary.new} new, {summary.known} already in the corpus, {len(summary.skipped)} skipped")
    for s in summary.skipped:
        typer.secho(f"  skipped {s}", fg=typer.colors.YELLOW, err=True)
    for note in summary.notes:
        typer.secho(f"  note {note}", fg=typer.colors.YELLOW, err=True)
    if summary.skipped and not summary.new and not summary.known:
        raise typer.Exit(code=1)


@app.command()
def run(
    corpus: CorpusOpt = Path("corpus"),
    fetch: Annotated[bool, typer.Option("--fetch", help="Fetch new reports first (needs the network).")] = False,
    discover: Annotated[bool, typer.Option("--discover", help="With --fetch: search Europe PMC/Crossref for new reports.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars.")] = True,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes for the extraction (each loads the pipeline once).")] = 1,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="When another command holds the corpus: wait for it (default) or exit at once.")] = True,
) -> None:
    """Rebuild documents, extractions and the evidence table from corpus/ (incremental)."""
    from pipeline.build import run as run_build

    summary = run_build(corpus, fetch=fetch, discover=discover, force=force, progress=progress, jobs=jobs,
                        wait=wait)
    typer.echo(summary.describe())
    for s in summary.skipped:
        typer.secho(f"  skipped {s}", fg=typer.colors.YELLOW, err=True)
    if summary.curation is not None:
        for e in summary.curation.errors:
            typer.secho(f"  decision not applied: {e}", fg=typer.colors.YELLOW, err=True)


@app.command()
def retire(
    capture: Annotated[str, typer.Argument(help="The capture's sha256 (or its first 8+ hex digits), as the run's summary names it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it leaves the build (kept in corpus/retired.jsonl).")],
    corpus: CorpusOpt = Path("corpus"),
    by: Annotated[str | None, typer.Option("--by", help="Who retires it.")] = None,
) -> None:
    """Take a capture out of the build (recorded in corpus/retired.jsonl; the capture and its log stay)."""
    from pipeline.lock import corpus_lock
    from pipeline.store import CaptureStore

    store = CaptureStore(corpus)
    with corpus_lock(corpus, what="retire"):
        r, new = store.retire(capture, reason, by=by)
    if new:
        typer.echo(f"retired {r.sha256} ({r.reason}); `carmine run` rebuilds without it")
    else:
        typer.echo(f"{r.sha256} was already retired at {r.at} ({r.reason})")


@app.command()
def annotate(
    input: Annotated[Path, typer.Argument(help="JSON lines with 'id' and 'text' (page rendering or bare abstract).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write {id, fields, evidence} lines.")],
) -> None:
    """Extract the GUIDE fields of every input line (a bad line is reported and skipped)."""
    from pipeline.extract import annotate_file

    summary = annotate_file(input, output)
    typer.echo(f"annotated {summary.written} documents -> {output}")
    for err in summary.errors:
        typer.secho(f"  {err}", fg=typer.colors.YELLOW, err=True)
    if summary.errors and not summary.written:
        raise typer.Exit(code=1)


@app.command("eval")
def eval_cmd(
    gold: Annotated[list[Path], typer.Option(help="Gold JSON lines (GUIDE format); repeat for several sets, "
                                                  "scored in the order given.")] = [Path("../shared/gold/dev.jsonl")],  # noqa: B006
    scorer: Annotated[Path, typer.Option(help="The scoring script.")] = Path("../shared/gold/score.py"),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to keep the predictions (one gold set).")] = None,
    output_dir: Annotated[Path, typer.Option(help="Where to keep each set's predictions as <name>.pred.jsonl "
                                                  "(several gold sets).")] = Path("corpus/build"),
) -> None:
    """Annotate the gold documents and print the scorer's per-field table, for each set in turn (the
    extractor is built once for all of them)."""
    import subprocess

    from pipeline.extract import Extractor, annotate_file

    missing = [str(g) for g in gold if not g.exists()]
    if missing:
        raise _fail(f"{', '.join(missing)}: gold file not found (pass --gold)")
    if output is not None and len(gold) > 1:
        raise _fail("--output names one predictions file: with several --gold sets use --output-dir")
    extractor = Extractor()
    code = 0
    for g in gold:
        pred = output if output is not None else output_dir / f"{g.stem}.pred.jsonl"
        pred.parent.mkdir(parents=True, exist_ok=True)
        if len(gold) > 1:
            typer.echo(f"== {g}")
            sys.stdout.flush()
        annotate_file(g, pred, extractor=extractor)
        code = code or subprocess.run([sys.executable, str(scorer), str(g), str(pred)], check=False).returncode
    raise typer.Exit(code=code)


@app.command()
def calibrate(
    gold: Annotated[list[Path], typer.Argument(help="Gold JSON-lines files (GUIDE format) to measure on.")],
    scorer: Annotated[Path, typer.Option(help="The scoring script whose comparison judges a value.")] = Path(
        "../shared/gold/score.py"),
) -> None:
    """Measure each rule's precision on gold sets and write configs/calibration.json (confidence = precision)."""
    from pipeline.extract import calibration

    missing = [str(p) for p in [*gold, scorer] if not p.exists()]
    if missing:
        raise _fail(f"not found: {', '.join(missing)}")
    result = calibration.measure(gold, scorer)
    path = calibration.write(result)
    typer.echo(f"{path}: {len(result['rules'])} rules measured on {len(gold)} gold files")


@app.command()
def review(corpus: CorpusOpt = Path("corpus")) -> None:
    """Write review CSVs for curators under corpus/review/ (highest priority first)."""
    from pipeline.curation import export_review
    from pipeline.lock import corpus_lock

    with corpus_lock(corpus, what="review"):
        paths = export_review(corpus)
    if not paths:
        typer.echo("nothing to review")
    for p in paths:
        typer.echo(f"wrote {p}")


@app.command("review-import")
def review_import(
    file: Annotated[Path, typer.Argument(help="A filled review CSV (as Excel or LibreOffice saved it).")],
    corpus: CorpusOpt = Path("corpus"),
    curator: Annotated[str | None, typer.Option(help="Curator name for rows whose 'curator' cell is empty.")] = None,
) -> None:
    """Validate a filled review CSV and record its decisions (invalid rows are kept for a second try)."""
    from pipeline.curation import import_review
    from pipeline.lock import corpus_lock

    with corpus_lock(corpus, what="review-import"):
        report = import_review(file, corpus, curator=curator)
    typer.echo(report.headline())
    for line in report.error_lines():  # each row error once, on stderr
        typer.secho(line, fg=typer.colors.YELLOW, err=True)
    if report.errors:
        raise typer.Exit(code=1)


@app.command("export-gold")
def export_gold_cmd(
    out: Annotated[Path, typer.Argument(help="Where to write the GUIDE-format gold lines.")] = Path("corpus/curation/gold.jsonl"),
    corpus: CorpusOpt = Path("corpus"),
    complete_only: Annotated[bool, typer.Option("--complete-only", help="Only documents with every row decided.")] = False,
) -> None:
    """Export accepted, corrected and curator-added values as extra gold (GUIDE format)."""
    from pipeline.curation import export_gold

    n = export_gold(corpus, out, complete_only=complete_only)
    typer.echo(f"wrote {n} documents -> {out}")


@app.command()
def report(
    corpus: CorpusOpt = Path("corpus"),
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Report folder (default: CORPUS/report).")] = None,
) -> None:
    """Write the HTML analysis report (tables, figures, evidence links) under corpus/report/."""
    from pipeline.report import build_report

    typer.echo(f"wrote {build_report(corpus, out)}")


@app.command()
def synthesize(
    corpus: CorpusOpt = Path("corpus"),
    transform: Annotated[str, typer.Option(help="Scale the proportions are pooled on: logit or freeman_tukey.")] = "logit",
    method: Annotated[str, typer.Option(help="Between-study variance: pm (Paule-Mandel) or dl (DerSimonian-Laird).")] = "pm",
    interval: Annotated[str, typer.Option(help="One study's 95% interval: wilson or exact (Clopper-Pearson).")] = "wilson",
    pool_unstated_scale: Annotated[bool, typer.Option("--pool-unstated-scale", help="Also pool grade >= 3 rates whose grading scale is not stated (among themselves, flagged).")] = False,
) -> None:
    """Pool the rates studies state (CRS, ICANS, CR, ORR) by antigen, product, disease...: corpus/synthesis.csv."""
    from pipeline.errors import PipelineError
    from pipeline.synthesis import synthesize_corpus

    try:
        summary = synthesize_corpus(corpus, transform=transform, method=method, interval=interval,
                                    pool_unstated_scale=pool_unstated_scale)
    except PipelineError as err:
        raise _fail(str(err)) from None
    typer.echo(summary.describe())


@app.command()
def fetch(
    corpus: CorpusOpt = Path("corpus"),
    doi: Annotated[list[str], typer.Option("--doi", help="Frontiers article DOI to capture (repeatable).")] = [],  # noqa: B006
    url: Annotated[list[str], typer.Option("--url", help="Frontiers article page URL (repeatable).")] = [],  # noqa: B006
    discover: Annotated[bool, typer.Option("--discover", help="Search Europe PMC and Crossref for CAR-T/CAR-NK reports (configs/discovery.yaml).")] = False,
    html: Annotated[bool, typer.Option("--html", help="Also fetch the article page when the index already gave the abstract.")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Request captured articles again, conditionally (a 304 if unchanged).")] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N discovered articles per source.")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show the progress bar.")] = True,
) -> None:
    """Fetch new reports into corpus/ (polite, resumable); offline, it says so and keeps the corpus."""
    from pipeline.scrape import fetch as fetch_reports

    summary = fetch_reports(corpus, dois=doi, urls=url, discover=discover, html=html, refresh=refresh,
                            limit=limit, progress=progress)
    typer.echo(summary.render())
    if summary.failed:
        raise typer.Exit(code=1)


@app.command()
def bench(
    corpus: CorpusOpt = Path("corpus"),
    n_docs: Annotated[int, typer.Option("-n", "--n-docs", help="Documents per configuration (corpus abstracts cycled with seeded perturbation).")] = 5000,
    slow_docs: Annotated[int, typer.Option("--slow-docs", help="Cap for the per-document configurations (0: no cap).")] = 1000,
    cores: Annotated[str | None, typer.Option("--cores", help="Process counts for the pool run, e.g. 1,2,16 (default: 1 and all cores).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Documents per batch.")] = 256,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the perturbations.")] = 0,
    noop: Annotated[bool, typer.Option("--noop/--no-noop", help="Time a no-op `pipeline run` on a copy of the corpus.")] = True,
    profile: Annotated[bool, typer.Option("--profile", help="Profile each configuration and print the top entries.")] = False,
    work_dir: Annotated[Path, typer.Option("--work-dir", help="Where inputs, profiles and the no-op corpus copy go.")] = Path(".bench"),
    quick: Annotated[bool, typer.Option("--quick", help="Day-to-day check in under a minute: 600 documents (naive 200), "
                                        "one core, no pool, no no-op run, no per-document validation.")] = False,
) -> None:
    """Throughput and memory benchmark: naive scispaCy vs ours vs the bare tokenizer."""
    from pipeline.bench import format_report, run_bench
    from pipeline.bench.run import FULL_CONFIGS, QUICK_CONFIGS, QUICK_DOCS, QUICK_SLOW_DOCS

    if quick:
        n_docs, slow_docs, noop, cores = min(n_docs, QUICK_DOCS), min(slow_docs or QUICK_SLOW_DOCS, QUICK_SLOW_DOCS), \
            False, cores or "1"
    result = run_bench(corpus, n_docs, configs=QUICK_CONFIGS if quick else FULL_CONFIGS,
                       cores=[int(c) for c in cores.split(",")] if cores else None,
                       batch_size=batch_size, seed=seed, work_dir=work_dir, slow_docs=slow_docs or None,
                       noop=noop, profile=profile, memory_sizes=(n_docs,) if quick else None,
                       step_rounds=1 if quick else 3)
    typer.echo(format_report(result, top=20 if profile else 0))


if __name__ == "__main__":  # pragma: no cover
    app()
