"""Helpers the extraction phenomenon tests share: a GUIDE record from a text, observations as sortable keys."""

from __future__ import annotations

from pipeline.extract import Extractor
from pipeline.readers import read_text


def fields_of(extractor: Extractor, text: str) -> dict:
    """The GUIDE fields the extractor gives ``text`` (read as a bare abstract)."""
    return extractor.extract(read_text(text, doc_id="test")).fields


def by_key(observations: list[dict]) -> list[tuple]:
    """``crs``/``icans``/``response`` observations as (grade or category, n, pct), sorted."""
    return sorted((o.get("grade") or o.get("category"), o["n"], o["pct"]) for o in observations)


def durations_of(extractor: Extractor, text: str) -> list[tuple]:
    """``durations`` as (measure, value, unit, qualifier), sorted."""
    return sorted((d["measure"], d["value"], d["unit"], d["qualifier"]) for d in fields_of(extractor, text)["durations"])
