"""What the extractor produces: the GUIDE's fields for one document, with evidence.

``Extraction.fields`` is exactly the schema of ``../shared/gold/GUIDE.md`` (every field
present; ``[]`` or ``None`` when nothing is stated). ``Extraction.evidence`` holds one
:class:`Evidence` per extracted value, pointing into ``Document.text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Any

SCALAR_FIELDS = ("study_design", "n_patients")
SET_FIELDS = ("cell_type", "disease", "target_antigen", "vector", "gene_editing", "cell_source", "transplant")
OBS_FIELDS = ("crs", "icans", "response", "durations", "patients", "expansion_peak")
FIELDS = SCALAR_FIELDS + SET_FIELDS + OBS_FIELDS


def empty_fields() -> dict[str, Any]:
    """A GUIDE record with nothing stated."""
    return {f: (None if f in SCALAR_FIELDS else []) for f in FIELDS}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where one extracted value came from.

    ``value`` is the value exactly as it appears in ``fields`` (a label string, an int,
    or an observation dict). ``subject`` is ``study`` (the study as a whole), ``cohort``
    (a cohort or arm, e.g. ``cohort`` or ``cohort:EMM``) or a patient (``P1``, ``P2``...).
    ``start``/``end`` are offsets of the matched words in ``Document.text``;
    ``sent_start``/``sent_end`` those of the sentence holding them.
    """

    field: str
    value: Any
    subject: str
    start: int
    end: int
    sentence: str
    sent_start: int
    sent_end: int
    extractor: str
    confidence: float
    #: extra normalized detail (grading scale, comparator, matched synonym...)
    detail: dict[str, Any] = dc_field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Extraction:
    doc_id: str
    fields: dict[str, Any]
    evidence: list[Evidence] = dc_field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``annotate`` output line: ``{"id", "fields", "evidence"}``."""
        return {"id": self.doc_id, "fields": self.fields, "evidence": [e.to_dict() for e in self.evidence]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        return cls(data["id"], data["fields"], [Evidence(**e) for e in data.get("evidence", [])])
