"""The benchmark: every configuration on the same input, each in its own process.

:func:`run_bench` prepares the input (:mod:`pipeline.bench.inputs`), measures each
configuration in a fresh interpreter (:mod:`pipeline.bench.worker`), measures peak
memory of our path at two corpus sizes, times a no-op ``python -m pipeline run``, and
returns a :class:`BenchResult`; :func:`format_report` renders it. ``python -m
pipeline.bench`` runs both (the ``bench`` CLI command wraps the same function).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.bench.configs import CONFIGS
from pipeline.bench.worker import RESULT_PREFIX
from pipeline.errors import PipelineError

log = logging.getLogger(__name__)

#: Targets of the issue (measured and printed, never asserted by a timed test).
TARGET_DOCS_PER_S = 1000.0
TARGET_VS_NAIVE = 6.0
TARGET_NOOP_S = 2.0
#: Configurations that ``slow_docs`` caps.
SLOW = ("naive", "ours_per_doc_validated")
#: The full run's configurations, and the quick run's (``make bench QUICK=1``: under a minute).
FULL_CONFIGS = ("naive", "ours", "ours_batched", "ours_per_doc_validated", "ours_spacy_tokenizer", "tokenizer",
                "tokenizer_scispacy")
QUICK_CONFIGS = ("naive", "ours", "tokenizer", "tokenizer_scispacy")
#: Documents of the quick run (and the cap of its slow configurations).
QUICK_DOCS, QUICK_SLOW_DOCS = 600, 200


@dataclass
class ConfigResult:
    """One configuration measured in one process."""

    config: str
    cores: int = 1
    docs: int = 0
    words: int = 0
    produced: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0
    batch_size: int = 0
    setup_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    children_peak_rss_mb: float = 0.0
    profile: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.seconds > 0

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.ok else 0.0

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.ok else 0.0

    @property
    def label(self) -> str:
        return CONFIGS.get(self.config, self.config)


@dataclass
class BenchResult:
    n_docs: int
    n_sources: int
    seed: int
    batch_size: int
    results: list[ConfigResult] = field(default_factory=list)
    #: our path at several corpus sizes (peak memory must stay flat)
    memory: list[ConfigResult] = field(default_factory=list)
    noop_run_s: float | None = None
    noop_note: str = ""
    #: building the wide view from the corpus's long table (every rebuild does it)
    wide_ms_per_doc: float | None = None
    wide_note: str = ""
    machine: dict[str, Any] = field(default_factory=dict)
    #: ms per document of each pipeline step (``pipeline.bench.components``), slowest first; measured
    #: when a throughput target is missed, to print what limits it
    steps: dict[str, float] = field(default_factory=dict)
    steps_note: str = ""

    def get(self, config: str, cores: int = 1) -> ConfigResult | None:
        return next((r for r in self.results if r.config == config and r.cores == cores and r.ok), None)

    def ratio(self, a: str, b: str) -> float | None:
        """docs/s of ``a`` over docs/s of ``b`` (both on one core), or None."""
        ra, rb = self.get(a), self.get(b)
        return ra.docs_per_s / rb.docs_per_s if ra and rb else None

    def scaling(self, config: str = "ours_batched") -> dict[int, float]:
        """docs/s at k cores over docs/s at one core."""
        one = self.get(config, 1)
        if not one:
            return {}
        return {r.cores: r.docs_per_s / one.docs_per_s for r in self.results
                if r.config == config and r.ok and r.cores > 1}

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("results", "memory"):
            for row, r in zip(out[key], getattr(self, key), strict=True):
                row.update(docs_per_s=r.docs_per_s, words_per_s=r.words_per_s)
        return out


# -- measuring ----------------------------------------------------------------------
def measure_in_subprocess(config: str, input_path: Path, n: int, *, batch_size: int = 256, cores: int = 1,
                          warmup: int = 16, profile: Path | None = None, timeout: float | None = None) -> ConfigResult:
    """Run :func:`pipeline.bench.worker.measure` in a fresh interpreter."""
    cmd = [sys.executable, "-m", "pipeline.bench.worker", config, str(input_path), "--n", str(n),
           "--batch-size", str(batch_size), "--cores", str(cores), "--warmup", str(warmup)]
    if profile:
        cmd += ["--profile", str(profile)]
    log.info("bench: %s", " ".join(cmd))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ConfigResult(config, cores, error=f"timed out after {timeout} s")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX) :])
            return ConfigResult(**data, profile=str(profile) if profile else None)
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return ConfigResult(config, cores, error=f"exit {proc.returncode}: {tail}")


def time_wide_view(corpus_dir: str | Path) -> tuple[float | None, str]:
    """Milliseconds per document to build the wide view of the corpus's long table (best of 3)."""
    import time

    from pipeline.table import read_long, wide_view

    long = read_long(corpus_dir)
    docs = int(long["doc_id"].nunique())
    if not docs:
        return None, "no evidence table in the corpus (make run first)"
    wide_view(long)  # vocabularies loaded once
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        wide_view(long)
        best = min(best, time.perf_counter() - t0)
    return best * 1000 / docs, f"{docs} documents, {len(long)} rows"


def time_noop_run(corpus_dir: str | Path, work_dir: str | Path, *, timeout: float = 600) -> tuple[float | None, str]:
    """Wall time of a no-op ``python -m pipeline run`` (the second of two runs).

    Runs on a copy of the corpus's raw captures and curation decisions under
    ``work_dir`` so the bench never rewrites the shared corpus's build outputs. Returns
    (seconds, note); seconds is None when ``run`` fails (the note says why).
    """
    src, dst = Path(corpus_dir), Path(work_dir) / "noop-corpus"
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in ("captures.jsonl", "captures", "curation"):
        if (src / name).is_dir():
            shutil.copytree(src / name, dst / name)
        elif (src / name).exists():
            shutil.copy2(src / name, dst / name)
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(dst), "--no-progress"]
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None, f"n/a: `pipeline run` took more than {timeout} s"
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"n/a: `pipeline run` failed (exit {proc.returncode}): {tail}"
    return times[1], f"first (full) run {times[0]:.1f} s on {dst}"


def _machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def run_bench(corpus_dir: str | Path = "corpus", n_docs: int = 5000, *,
              configs: Sequence[str] = FULL_CONFIGS,
              cores: Sequence[int] | None = None, batch_size: int = 256, seed: int = 0,
              work_dir: str | Path = ".bench", memory_sizes: Sequence[int] | None = None,
              slow_docs: int | None = None, noop: bool = True, profile: bool = False,
              warmup: int = 16, timeout: float | None = None, step_rounds: int = 3) -> BenchResult:
    """Measure every configuration on ``n_docs`` documents cycled from ``corpus_dir``.

    ``cores``: process counts for ``ours_batched`` (default: 1 and every core of this
    machine). ``memory_sizes``: corpus sizes at which our path's peak memory is
    measured (default 1,000 and ``n_docs``). ``slow_docs`` caps the documents of the slow
    per-document configurations (``naive``, ``ours_per_doc_validated``): a rate does not need them to
    process everything, and the latter validates a DataFrame per document. ``profile`` keeps
    cProfile stats of each configuration under ``work_dir``. When our path misses a throughput
    target, each pipeline step is timed as well (``step_rounds`` passes, 0: never), so that the
    report shows what limits it.
    """
    from pipeline.bench.inputs import prepare_input

    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise PipelineError(f"unknown bench configuration(s) {unknown}; expected some of {list(CONFIGS)}")
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    input_path, n_sources = prepare_input(corpus_dir, work, n_docs, seed=seed)
    result = BenchResult(n_docs=n_docs, n_sources=n_sources, seed=seed, batch_size=batch_size,
                         machine=_machine())
    if cores is None:
        cores = sorted({1, os.cpu_count() or 1})

    def one(config: str, n: int, k: int = 1) -> ConfigResult:
        prof = work / f"{config}-{k}core.prof" if profile and k == 1 else None
        r = measure_in_subprocess(config, input_path, n, batch_size=batch_size, cores=k, warmup=warmup,
                                  profile=prof, timeout=timeout)
        if r.error:
            log.warning("bench: %s on %d core(s): %s", config, k, r.error)
        return r

    for config in configs:
        n = min(n_docs, slow_docs) if config in SLOW and slow_docs else n_docs
        result.results.append(one(config, n))
        if config == "ours_batched":
            result.results += [one(config, n_docs, k) for k in cores if k > 1]
    mem_config = "ours_batched" if "ours_batched" in configs else "ours"
    if mem_config in configs:
        sizes = sorted(set(memory_sizes if memory_sizes is not None else (min(1000, n_docs), n_docs)))
        for size in sizes:
            done = result.get(mem_config) if size == n_docs else None
            result.memory.append(done or one(mem_config, size))
    if noop:
        result.noop_run_s, result.noop_note = time_noop_run(corpus_dir, work)
    else:
        result.noop_note = "not timed in this run"
    result.wide_ms_per_doc, result.wide_note = time_wide_view(corpus_dir)
    if step_rounds and _throughput_missed(result):
        result.steps, result.steps_note = time_steps(corpus_dir, step_rounds, timeout)
    return result


def _best_ours(result: BenchResult) -> ConfigResult | None:
    return max((r for r in (result.get("ours"), result.get("ours_batched")) if r),
               key=lambda r: r.docs_per_s, default=None)


def _throughput_missed(result: BenchResult) -> bool:
    best = _best_ours(result)
    vs = best and result.ratio(best.config, "naive")
    return bool((best and best.docs_per_s < TARGET_DOCS_PER_S) or (vs and vs < TARGET_VS_NAIVE))


def time_steps(corpus_dir: str | Path, rounds: int, timeout: float | None = None) -> tuple[dict[str, float], str]:
    """ms per document of each pipeline step, in a fresh interpreter (``pipeline.bench.components``)."""
    cmd = [sys.executable, "-m", "pipeline.bench.components", "--json", "--rounds", str(rounds),
           "--corpus", str(corpus_dir)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {}, f"step timing ran past {timeout} s"
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {}, f"step timing failed: {tail}"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["ms_per_doc"], f"best of {out['rounds']} passes over {out['docs']} gold and corpus documents"


# -- report -------------------------------------------------------------------------
def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def format_report(result: BenchResult, *, top: int = 0) -> str:
    """The printed report; ``top`` > 0 appends each profile's top entries."""
    m = result.machine
    lines = [
        f"carmine bench: {result.n_docs} documents cycled from {result.n_sources} corpus abstracts "
        f"(seed {result.seed}, batch {result.batch_size})",
        f"machine: {m.get('cpu_count')} cores, Python {m.get('python')}, {m.get('platform')}; {m.get('date')}",
        "",
        f"{'configuration':<22} {'cores':>5} {'docs':>6} {'seconds':>8} {'docs/s':>9} {'words/s':>10} "
        f"{'peak MB':>8}  what",
    ]
    for r in result.results:
        if not r.ok:
            lines.append(f"{r.config:<22} {r.cores:>5} {'':>6} {'':>8} {'n/a':>9} {'n/a':>10} {'':>8}  {r.error}")
            continue
        peak = max(r.peak_rss_mb, r.children_peak_rss_mb)
        lines.append(f"{r.config:<22} {r.cores:>5} {r.docs:>6} {r.seconds:>8.2f} {r.docs_per_s:>9,.0f} "
                     f"{r.words_per_s:>10,.0f} {peak:>8.0f}  {r.label}")
    lines.append("")
    for ours in ("ours", "ours_batched"):
        vs_naive, vs_tok = result.ratio(ours, "naive"), result.ratio(ours, "tokenizer")
        if vs_naive is None and vs_tok is None:
            continue
        fmt = lambda x: "n/a" if x is None else f"{x:.3g}x"  # noqa: E731
        lines.append(f"ratio {ours}/naive (b)/(a): {fmt(vs_naive)}   {ours}/tokenizer (b)/(c): {fmt(vs_tok)}")
    tok = result.ratio("ours_spacy_tokenizer", "ours")
    if tok is not None:
        lines.append(f"tokenization path: ours with spaCy's tokenizer / ours with scispaCy's (default): {tok:.2f}x")
    tok_alone = result.ratio("tokenizer", "tokenizer_scispacy")
    if tok_alone is not None:
        lines.append(f"tokenizers alone: spaCy's / scispaCy's: {tok_alone:.2f}x")
    for k, s in sorted(result.scaling().items()):
        lines.append(f"scaling ours_batched 1 -> {k} cores: {s:.2f}x ({s / k:.0%} parallel efficiency)")
    if result.memory:
        mem = ", ".join(f"{r.docs} docs: {r.peak_rss_mb:.0f} MB (after set-up {r.setup_rss_mb:.0f} MB)"
                        for r in result.memory if r.ok)
        lines.append(f"peak memory of {result.memory[0].config}: {mem}")
    noop = "n/a" if result.noop_run_s is None else f"{result.noop_run_s:.2f} s"
    lines.append(f"no-op `python -m pipeline run`: {noop} ({result.noop_note})")
    wide = "n/a" if result.wide_ms_per_doc is None else f"{result.wide_ms_per_doc:.2f} ms per document"
    lines.append(f"wide view of the evidence table: {wide} ({result.wide_note})")
    lines.append("")
    best = _best_ours(result)
    vs = best and result.ratio(best.config, "naive")
    lines.append("targets:")
    lines.append(f"  >= {TARGET_DOCS_PER_S:,.0f} abstracts/s on one core: "
                 f"{_mark(best.docs_per_s >= TARGET_DOCS_PER_S if best else None)}"
                 + (f" ({best.config}: {best.docs_per_s:,.0f})" if best else ""))
    lines.append(f"  >= {TARGET_VS_NAIVE:.0f}x naive scispaCy: {_mark(vs >= TARGET_VS_NAIVE if vs else None)}"
                 + (f" ({vs:.1f}x)" if vs else ""))
    if _throughput_missed(result):
        lines += ["  " + line for line in limits(result)]
    lines.append(f"  no-op run <= {TARGET_NOOP_S:.0f} s: "
                 f"{_mark(result.noop_run_s <= TARGET_NOOP_S if result.noop_run_s is not None else None)}")
    ok_mem = [r for r in result.memory if r.ok]
    if len(ok_mem) >= 2:
        growth = ok_mem[-1].peak_rss_mb - ok_mem[0].peak_rss_mb
        lines.append(f"  memory flat in corpus size: {_mark(growth <= 0.1 * ok_mem[0].peak_rss_mb)} "
                     f"({ok_mem[0].docs} -> {ok_mem[-1].docs} docs: {growth:+.0f} MB)")
    if top:
        lines += ["", *profile_tops(result, top)]
    return "\n".join(lines)


#: the steps that scispaCy's tokenization path costs whatever the rules do (``make_doc`` runs the tokenizer)
_FLOOR_STEPS = ("make_doc (zones, guard, tokenizer)", "abbreviation_detector")


def limits(result: BenchResult, top: int = 8) -> list[str]:
    """What limits our throughput: the slowest pipeline steps, and the ceiling the tokenization path
    alone would leave (the lines printed under a missed target)."""
    if not result.steps:
        why = result.steps_note or "not timed in this run"
        return [f"(what limits it: step timing n/a, {why}; `python -m pipeline.bench.components` times each step)"]
    total = sum(result.steps.values())
    floor = sum(result.steps.get(s, 0.0) for s in _FLOOR_STEPS)
    out = [f"what limits it: {total:.2f} ms per document in the pipeline steps ({result.steps_note}):"]
    for name, ms in list(result.steps.items())[:top]:
        out.append(f"  {name:<36} {ms:6.3f} ms  {ms / total:4.0%}")
    rest = list(result.steps.values())[top:]
    if rest:
        out.append(f"  {f'{len(rest)} more steps':<36} {sum(rest):6.3f} ms  {sum(rest) / total:4.0%}")
    rules = total - floor
    out.append(f"  tokenization path (make_doc + abbreviations) {floor:.2f} ms: at most {1000 / floor:,.0f} docs/s; "
               f"the rule components {rules:.2f} ms" if floor else f"  the rule components {rules:.2f} ms")
    need = 1000 / TARGET_DOCS_PER_S
    out.append(f"  the target needs <= {need:.2f} ms per document in all; what was tried, step by step: "
               "docs/benchmarks.md")
    return out


def profile_tops(result: BenchResult, top: int = 15) -> list[str]:
    """The ``top`` entries (by cumulative time) of each configuration's profile."""
    import io
    import pstats

    out: list[str] = []
    for r in result.results:
        if r.profile and Path(r.profile).exists():
            buf = io.StringIO()
            pstats.Stats(r.profile, stream=buf).strip_dirs().sort_stats("tottime").print_stats(top)
            body = buf.getvalue()
            start = body.find("   ncalls")
            out += [f"profile of {r.config} (by own time):", body[start:].rstrip(), ""]
    return out
