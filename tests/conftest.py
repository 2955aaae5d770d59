"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest
from scrape_server import running_server


@pytest.fixture
def server():
    """The local HTTP test server (127.0.0.1) serving saved pages and API answers, faults included."""
    with running_server() as s:
        yield s


@pytest.fixture(scope="session")
def extractor():
    """One extractor for every test that does not build its own (building the pipeline takes seconds)."""
    from pipeline.extract import Extractor, build_nlp

    return Extractor(build_nlp())
