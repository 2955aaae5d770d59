"""The pipeline's foundation components, one per module: ``carmine_sentencizer``,
``carmine_abbreviations`` (scispaCy's detector, wrapped), ``carmine_terms`` (lexicon matching),
plus the field components not yet split into layers (``carmine_concepts``,
``carmine_expansion``).

The generic layers live beside this package: ``pipeline.extract.detectors``,
``pipeline.extract.qualifiers`` and ``pipeline.extract.assemblers``.
"""

from pipeline.extract import assemblers, detectors, qualifiers  # noqa: F401  (registration side effects)
from pipeline.extract.components import (  # noqa: F401  (registration side effects)
    abbreviations,
    concepts,
    expansion,
    sentencizer,
    terms,
)
