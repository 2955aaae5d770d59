"""Settings of the review loop (``configs/curation.yaml``) and the value vocabularies.

Vocabularies come from ``configs/vocab/*.csv`` (a ``label`` column; see
``vocab_files`` in curation.yaml) where such a file exists, otherwise from the GUIDE
lists in curation.yaml (``guide_vocab``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError
from pipeline.resources import config_dir


@dataclass(frozen=True)
class Vocabulary:
    """The allowed labels of one field, with case-insensitive lookup and ids."""

    name: str
    labels: tuple[str, ...]
    source: str
    ids: dict[str, str] = field(default_factory=dict)
    #: casefolded synonym -> label (from the CSV's ``synonyms`` column, ``|``-separated)
    synonyms: dict[str, str] = field(default_factory=dict)

    def canonical(self, value: str) -> str | None:
        """The label for a label or synonym (case-insensitive), or None when unknown."""
        value = " ".join(value.split())
        if value in self.labels:
            return value
        folded = [lab for lab in self.labels if lab.casefold() == value.casefold()]
        if len(folded) == 1:
            return folded[0]
        return self.synonyms.get(value.casefold())

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self.labels


@dataclass(frozen=True)
class CurationSettings:
    configs: Path
    review_dir: str
    decisions_log: str
    review_state: str
    low_confidence_below: float
    new_documents: bool
    max_rows_per_file: int
    context_chars: int
    weights: dict[str, int]
    single_valued: dict[str, str]
    decisions: dict[str, str]
    vocabularies: dict[str, Vocabulary]
    duration_units: tuple[str, ...]
    duration_qualifiers: tuple[str, ...]
    expansion_units: tuple[str, ...]

    def vocab(self, field_name: str) -> Vocabulary | None:
        return self.vocabularies.get(field_name)


def _require(data: dict[str, Any], key: str, path: Path) -> Any:
    if key not in data:
        raise ConfigError(f"{path}: expected key '{key}', found only {sorted(data)}")
    return data[key]


def _read_vocab_csv(path: Path, field_name: str) -> Vocabulary:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "label" not in reader.fieldnames:
            raise ConfigError(f"{path}: expected a 'label' column, found {reader.fieldnames}")
        id_col = next((c for c in ("value_id", "id", "hgnc_id", "ncit") if c in reader.fieldnames), None)
        labels: list[str] = []
        ids: dict[str, str] = {}
        synonyms: dict[str, str] = {}
        for row in reader:
            label = (row.get("label") or "").strip()
            if label and label not in labels:
                labels.append(label)
                if id_col and (row.get(id_col) or "").strip():
                    ids[label] = ("NCIT:" if id_col == "ncit" else "") + row[id_col].strip()
                for syn in (row.get("synonyms") or "").split("|"):
                    if syn.strip():
                        synonyms.setdefault(syn.strip().casefold(), label)
    return Vocabulary(field_name, tuple(labels), str(path), ids, synonyms)


def load_settings(configs: Path | str | None = None) -> CurationSettings:
    """Read curation.yaml (and configs/vocab/) from ``configs`` or the project's configs."""
    root = Path(configs) if configs is not None else config_dir()
    path = root / "curation.yaml"
    if not path.exists():
        raise ConfigError(f"{path}: expected config file is missing")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    review = _require(data, "review", path)
    guide = _require(data, "guide_vocab", path)
    files = data.get("vocab_files", {}) or {}
    vocabularies: dict[str, Vocabulary] = {}
    for name, labels in guide.items():
        found = next((root / "vocab" / f for f in files.get(name, []) if (root / "vocab" / f).exists()), None)
        if found is not None:
            vocabularies[name] = _read_vocab_csv(found, name)
        else:
            vocabularies[name] = Vocabulary(name, tuple(str(x) for x in labels), f"{path}:guide_vocab")
    return CurationSettings(
        configs=root,
        review_dir=str(_require(data, "review_dir", path)),
        decisions_log=str(_require(data, "decisions_log", path)),
        review_state=str(_require(data, "review_state", path)),
        low_confidence_below=float(review.get("low_confidence_below", 0.7)),
        new_documents=bool(review.get("new_documents", True)),
        max_rows_per_file=int(review.get("max_rows_per_file", 1000)),
        context_chars=int(review.get("context_chars", 80)),
        weights={str(k): int(v) for k, v in (review.get("weights") or {}).items()},
        single_valued={str(k): str(v) for k, v in (data.get("single_valued") or {}).items()},
        decisions={str(k).casefold(): str(v) for k, v in _require(data, "decisions", path).items()},
        vocabularies=vocabularies,
        duration_units=tuple(data.get("duration_units", ("day", "week", "month", "year"))),
        duration_qualifiers=tuple(data.get("duration_qualifiers", ("ongoing", ">", "<", "<=", ">=", "median"))),
        expansion_units=tuple(data.get("expansion_units", ("copies/ug", "percent", "cells/ul"))),
    )
