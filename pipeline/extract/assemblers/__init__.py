"""Field assemblers: bind detected values to the GUIDE's fields by context (see each module)."""

from pipeline.extract.assemblers import (  # noqa: F401  (registration)
    binding,
    counts,
    design,
    durations,
    expansion,
    patients,
    response,
    toxicity,
)
