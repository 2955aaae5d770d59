"""Where the project's data files live.

Lexicons, patterns and vocabularies are data under ``configs/`` at the top of the
repository. A built wheel carries them as package data (``pipeline/configs``, see
``[tool.hatch.build.targets.wheel.force-include]``); an editable install reads the
repository's ``configs/`` directly. ``CARMINE_CONFIGS`` overrides both, so a curator
can point the pipeline at an edited copy.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.errors import ConfigError


@lru_cache(maxsize=4)
def config_dir(override: str | None = None) -> Path:
    """The configs folder: ``override``, ``$CARMINE_CONFIGS``, package data, or the checkout's."""
    chosen = override or os.environ.get("CARMINE_CONFIGS")
    if chosen:
        path = Path(chosen)
        if not path.is_dir():
            raise ConfigError(f"{path}: configs folder not found (from CARMINE_CONFIGS or --configs)")
        return path
    packaged = Path(str(resources.files("pipeline"))) / "configs"
    if packaged.is_dir():
        return packaged
    checkout = Path(str(resources.files("pipeline"))).parent / "configs"
    if checkout.is_dir():
        return checkout
    raise ConfigError("configs folder not found: set CARMINE_CONFIGS to the project's configs/ folder")


def config_path(name: str) -> Path:
    """A file under the configs folder; ConfigError names it if it is missing."""
    path = config_dir() / name
    if not path.exists():
        raise ConfigError(f"{path}: expected config file is missing")
    return path
