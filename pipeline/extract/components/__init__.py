"""spaCy components of the carmine extraction pipeline, one per module.

Importing this package registers every factory (``carmine_sentencizer``,
``carmine_abbreviations``,
``carmine_terms``, ``carmine_concepts``, ``carmine_toxicity``, ``carmine_response``,
``carmine_durations``, ``carmine_patients``, ``carmine_expansion``, ``carmine_design``).
"""

from pipeline.extract.components import (  # noqa: F401  (registration side effects)
    abbreviations,
    concepts,
    design,
    durations,
    expansion,
    patients,
    response,
    sentencizer,
    terms,
    toxicity,
)
