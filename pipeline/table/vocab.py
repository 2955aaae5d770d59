"""Controlled vocabularies and ontology mappings, loaded from ``configs/vocab/*.csv``.

Each file holds one concept per row: ``label`` (the canonical, GUIDE spelling), optional
identifier columns (``ncit``, ``mondo``, ``hgnc_symbol``, ``hgnc_id``...), a ``name``
and ``synonyms`` (``|``-separated, matched case-insensitively). Curators extend them
without touching code; see ``configs/vocab/README.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pipeline.errors import ConfigError
from pipeline.resources import config_dir

VOCAB_DIR = "vocab"


@dataclass(frozen=True, slots=True)
class Concept:
    """One row of a vocabulary file."""

    label: str
    name: str = ""
    synonyms: tuple[str, ...] = ()
    #: the file's other columns (ncit, mondo, hgnc_symbol, hgnc_id, rank, days...), blanks omitted
    attrs: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One vocabulary file: concepts in file order, and a lookup by label or synonym."""

    name: str
    path: Path
    concepts: tuple[Concept, ...]
    _index: MappingProxyType

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.concepts)

    def __contains__(self, label: object) -> bool:
        return any(c.label == label for c in self.concepts)

    def get(self, label: str) -> Concept | None:
        """The concept whose label is exactly ``label``."""
        for concept in self.concepts:
            if concept.label == label:
                return concept
        return None

    def lookup(self, text: str) -> Concept | None:
        """The concept whose label or a synonym matches ``text`` (exact label first, then case-insensitive)."""
        exact = self.get(text)
        if exact is not None:
            return exact
        return self._index.get(_key(text))


def _key(text: str) -> str:
    return " ".join(str(text).replace("µ", "μ").split()).casefold()


def read_vocabulary(path: Path, name: str | None = None) -> Vocabulary:
    """Read one vocabulary CSV; ConfigError names the file and line of a bad row."""
    concepts: list[Concept] = []
    index: dict[str, Concept] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "label" not in reader.fieldnames:
            raise ConfigError(f"{path}: expected a header with a 'label' column, found {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            label = (row.get("label") or "").strip()
            if not label:
                raise ConfigError(f"{path}:{line}: expected a label, found an empty cell")
            if any(c.label == label for c in concepts):
                raise ConfigError(f"{path}:{line}: label {label!r} is declared twice")
            synonyms = tuple(s.strip() for s in (row.get("synonyms") or "").split("|") if s.strip())
            attrs = {
                k: v.strip()
                for k, v in row.items()
                if k not in ("label", "name", "synonyms") and k is not None and v and v.strip()
            }
            concept = Concept(label, (row.get("name") or "").strip(), synonyms, MappingProxyType(attrs))
            concepts.append(concept)
            for text in (label, *synonyms):
                other = index.get(_key(text))
                if other is not None and other.label != label:
                    raise ConfigError(
                        f"{path}:{line}: synonym {text!r} of {label!r} already names {other.label!r}"
                    )
                index[_key(text)] = concept
    return Vocabulary(name or path.stem, path, tuple(concepts), MappingProxyType(index))


@dataclass(frozen=True, slots=True)
class Vocabularies:
    """All vocabularies of a configs folder, by file stem (``diseases``, ``antigens``...)."""

    folder: Path
    by_name: MappingProxyType

    def __getitem__(self, name: str) -> Vocabulary:
        try:
            return self.by_name[name]
        except KeyError:
            raise ConfigError(f"{self.folder}/{name}.csv: expected vocabulary file is missing") from None

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def day_factors(self) -> dict[str, float]:
        """Unit label -> days (``units.csv``'s ``days`` column)."""
        return {c.label: float(c.get("days")) for c in self["units"].concepts if c.get("days")}


@lru_cache(maxsize=8)
def _load(folder: Path) -> Vocabularies:
    if not folder.is_dir():
        raise ConfigError(f"{folder}: vocabulary folder not found")
    by_name = {p.stem: read_vocabulary(p) for p in sorted(folder.glob("*.csv"))}
    return Vocabularies(folder, MappingProxyType(by_name))


def load_vocabularies(folder: str | Path | None = None) -> Vocabularies:
    """The vocabularies under ``folder`` (default: ``configs/vocab``); read once per folder."""
    path = Path(folder) if folder is not None else config_dir() / VOCAB_DIR
    return _load(path.resolve())
