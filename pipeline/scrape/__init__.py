"""The polite, resumable scraper: new CAR cell therapy reports into ``corpus/`` as raw captures.

:func:`fetch` is the plain function behind ``carmine fetch``; tests call it directly.
Sources are adapters under :mod:`pipeline.scrape.sources` (Frontiers pages; Europe PMC
and Crossref discovery); politeness is configuration (``configs/scrape.yaml``), and what
to look for is too (``configs/discovery.yaml``). See ``docs/scraper.md``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable

from pipeline.scrape.config import ScrapeConfig, load_config
from pipeline.scrape.runner import FetchSummary, Outcome, afetch

__all__ = ["FetchSummary", "Outcome", "ScrapeConfig", "afetch", "fetch", "load_config"]


def fetch(corpus_dir: str | os.PathLike[str], *, dois: Iterable[str] = (), urls: Iterable[str] = (),
          discover: bool = False, html: bool = False, refresh: bool = False,
          config: ScrapeConfig | dict | None = None, limit: int | None = None,
          progress: bool = True) -> FetchSummary:
    """Capture articles into ``corpus_dir`` and say what happened.

    dois, urls: Frontiers articles to capture (DOIs or page URLs).
    discover: also search Europe PMC and Crossref for CAR-T/CAR-NK reports (``configs/discovery.yaml``).
    html: fetch the article page even when an index's answer already gave the abstract.
    refresh: request captured articles again (conditionally: unchanged ones cost a 304).
    config: overrides merged onto ``configs/scrape.yaml`` (``{"bases": {...}}``), or a ScrapeConfig.
    limit: at most this many discovered articles per discovery source.
    progress: show a tqdm progress bar on stderr.

    Never raises for a failed article (see ``summary.failed``) nor for a missing network
    (``summary.offline``); raises ConfigError for unusable settings.
    """
    return asyncio.run(afetch(corpus_dir, dois=tuple(dois), urls=tuple(urls), discover=discover, html=html,
                              refresh=refresh, config=config, limit=limit, progress=progress))
