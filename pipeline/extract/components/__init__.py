"""The pipeline's foundation components, one per module: ``carmine_sentencizer``,
``carmine_abbreviations`` (scispaCy's detector, wrapped), ``carmine_terms`` (lexicon matching),
plus ``carmine_concepts`` (lexicon concepts: cell type, disease, antigen, vector, editing, source,
transplant).

The generic layers live beside this package: ``pipeline.extract.detectors``,
``pipeline.extract.qualifiers`` and ``pipeline.extract.assemblers``.
"""

from pipeline.extract import assemblers, detectors, qualifiers  # noqa: F401  (registration side effects)
from pipeline.extract.components import (  # noqa: F401  (registration side effects)
    abbreviations,
    concepts,
    sentencizer,
    terms,
)
