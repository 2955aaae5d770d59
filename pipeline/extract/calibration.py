"""Calibrated confidence: each value's confidence is the measured precision of the rule that
produced it on the gold sets.

``carmine calibrate`` (``make calibrate``) extracts every document of the given gold files and
judges each evidence value with the scorer's own comparison (``score.py``'s ``keys`` and
``same``): a value is right when the gold of its document holds a matching key. Per rule
(``Evidence.extractor``) it counts right and wrong values and writes
``configs/calibration.json``: ``{"rules": {rule: {"right", "wrong", "precision"}}, ...}`` with
the precision smoothed towards the field's precision by a Beta prior (a rule seen twice says
little). The extractor reads the file once per process: a value's confidence is its rule's
precision, its field's where the rule was never measured, else the component's own constant.
"""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.resources import config_dir

#: pseudo-counts of the Beta prior that pulls a rarely seen rule towards its field's precision
PRIOR_WEIGHT = 4.0
FILE_NAME = "calibration.json"


def _scorer(path: str | Path) -> Any:
    spec = importlib.util.spec_from_file_location("carmine_gold_scorer", str(path))
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{path}: expected the gold scorer (score.py), found none")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def judge(scorer: Any, field: str, value: Any, gold: dict[str, Any]) -> bool:
    """Whether one extracted value of ``field`` matches the document's gold (scorer's keys)."""
    wrapped = value if field in ("study_design", "n_patients") else [value]
    mine = scorer.keys(field, wrapped)
    theirs = scorer.keys(field, gold.get(field))
    return bool(mine) and all(any(scorer.same(field, k, g) for g in theirs) for k in mine)


def measure(gold_paths: Iterable[str | Path], scorer_path: str | Path) -> dict[str, Any]:
    """Right/wrong counts per rule and per field over the gold files, with smoothed precisions."""
    from pipeline.extract.api import Extractor
    from pipeline.readers import read_text

    scorer = _scorer(scorer_path)
    extractor = Extractor()
    rules: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rule_field: dict[str, str] = {}
    fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sources = []
    for path in gold_paths:
        sources.append(str(path))
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            document = read_text(record["text"], doc_id=str(record["id"]))
            document.id = str(record["id"])
            extraction = extractor.extract(document)
            for ev in extraction.evidence:
                ok = judge(scorer, ev.field, ev.value, record["gold"])
                rules[ev.extractor][0 if ok else 1] += 1
                rule_field.setdefault(ev.extractor, ev.field)
                fields[ev.field][0 if ok else 1] += 1
    field_precision = {f: (r + 1) / (r + w + 2) for f, (r, w) in fields.items()}
    out_rules = {}
    for rule, (right, wrong) in sorted(rules.items()):
        prior = field_precision[rule_field[rule]]
        precision = (right + PRIOR_WEIGHT * prior) / (right + wrong + PRIOR_WEIGHT)
        out_rules[rule] = {"right": right, "wrong": wrong, "precision": round(precision, 3)}
    return {
        "about": "measured precision per rule on gold sets (carmine calibrate); confidence = precision",
        "gold": sources,
        "prior_weight": PRIOR_WEIGHT,
        "fields": {f: {"right": r, "wrong": w, "precision": round(field_precision[f], 3)}
                   for f, (r, w) in sorted(fields.items())},
        "rules": out_rules,
    }


def write(result: dict[str, Any], configs: str | None = None) -> Path:
    root = Path(configs) if configs else config_dir()
    path = root / FILE_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


@lru_cache(maxsize=4)
def load(configs: str | None = None) -> dict[str, Any]:
    """The calibration file of a configs folder ({} when none was written)."""
    path = (Path(configs) if configs else config_dir()) / FILE_NAME
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def confidence(rule: str, field: str, default: float, configs: str | None = None) -> float:
    """The measured precision of ``rule`` (of ``field`` where the rule was never measured)."""
    cal = load(configs)
    row = cal.get("rules", {}).get(rule)
    if row is not None:
        return float(row["precision"])
    row = cal.get("fields", {}).get(field)
    return float(row["precision"]) if row is not None else default
