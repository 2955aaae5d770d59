"""Field assemblers: bind detected values to the GUIDE's fields by context (see each module)."""

from pipeline.extract.assemblers import binding, counts, durations, patients, response, toxicity  # noqa: F401  (registration)
