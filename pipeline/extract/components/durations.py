"""``carmine_durations``: time spans of the treatment course (GUIDE "Durations").

Each rule of ``configs/patterns/durations.jsonl`` names its ``measure``
(``follow_up``, ``response_duration``, ``time_to_response``, ``survival``,
``time_to_relapse``, ``prior_remission``, ``other``) and captures ``value`` and
``unit``; optional groups set the qualifier: ``median`` -> ``"median"``, ``gt`` ->
``">"``, ``within`` ("within 1 month") -> ``"<="``, ``ongoing`` with ``todate`` ("ongoing
for 9 months to date") -> ``"ongoing"``. A remission that ended "before a relapse"
(group ``prior``) is ``prior_remission``. Rules marked ``single_patient`` apply only to
case reports ("leukemia-free survival > 2 years" of one patient is how long the
remission lasted). Numbers in words count ("four months").

Writes ``durations`` findings with value ``{"measure", "value", "unit", "qualifier"}``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.components.base import Finding, add_finding, is_background, text_of
from pipeline.extract.lexicon import load_resources
from pipeline.extract.numbers import parse_number, parse_unit


class CarmineDurations:
    def __init__(self, name: str, configs: str | None) -> None:
        self.name = name
        self.rules = load_resources(configs).patterns.rules("durations")

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        taken: list[tuple[int, int]] = []
        for rule in self.rules:
            for m in rule["rx"].finditer(text):
                if is_background(doc, m.start()):
                    continue
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                groups = m.groupdict()
                if groups.get("day"):
                    value, unit = parse_number(groups["day"]), "day"
                else:
                    value, unit = parse_number(groups.get("value") or ""), parse_unit(groups.get("unit") or "")
                if value is None or unit is None:
                    continue
                measure = rule["measure"]
                qualifier = None
                if groups.get("median"):
                    qualifier = "median"
                elif groups.get("gt"):
                    qualifier = ">"
                elif (groups.get("within") or "").lower() == "within":
                    qualifier = "<="
                elif groups.get("todate") or (groups.get("ongoing") or "").lower() == "ongoing":
                    qualifier = "ongoing"
                if groups.get("prior"):
                    measure, qualifier = "prior_remission", None
                detail = {"matched": m.group(0)}
                if rule.get("single_patient"):
                    detail["single_patient_only"] = True
                value_dict = {"measure": measure, "value": value, "unit": unit, "qualifier": qualifier}
                add_finding(doc, Finding("durations", value_dict, m.start(), m.end(), f"{self.name}.{rule['id']}",
                                         0.8, detail=detail))
                taken.append(m.span())
        return doc


@Language.factory(
    "carmine_durations",
    assigns=["doc._.carmine_findings", "doc.spans"],
    default_config={"configs": None},
)
def make_carmine_durations(nlp: Language, name: str, configs: str | None) -> CarmineDurations:
    return CarmineDurations(name, configs)
