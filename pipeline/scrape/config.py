"""The scraper's settings: ``configs/scrape.yaml`` and ``configs/discovery.yaml``.

:func:`load_config` reads both and deep-merges a caller's overrides on top, so a test
(or a curator) changes only what differs, e.g. ``{"bases": {"frontiers": "http://127.0.0.1:8000"}}``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from pipeline.errors import ConfigError
from pipeline.resources import config_path

SOURCES = ("frontiers", "europepmc", "crossref")
#: ``limits`` of scrape.yaml, where a caller's settings leave one out
DEFAULT_LIMITS: dict[str, Any] = {"max_body_bytes": 20_000_000, "response_seconds": 120.0,
                                  "max_decompression_ratio": 100.0, "ratio_check_after_bytes": 1_000_000}


def _merge(base: dict, over: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_yaml(name: str) -> dict:
    path = config_path(name)
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top, found {type(data).__name__}")
    return data


@dataclass(frozen=True)
class ScrapeConfig:
    """Validated settings. ``raw`` keeps the merged mapping for sources' own keys."""

    raw: dict[str, Any]

    # -- identity -----------------------------------------------------------------
    @property
    def contact(self) -> str:
        return self.raw["contact"]

    @property
    def user_agent(self) -> str:
        return self.raw["user_agent"].replace("{contact}", self.contact)

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt groups are matched against (``carmine``)."""
        return self.user_agent.split("/", 1)[0].split()[0]

    # -- where ----------------------------------------------------------------------
    def base(self, source: str) -> str:
        return self.raw["bases"][source].rstrip("/")

    # -- transport ------------------------------------------------------------------
    @property
    def http(self) -> dict[str, Any]:
        return self.raw["http"]

    @property
    def limits(self) -> dict[str, Any]:
        """Per-response limits (``limits`` in scrape.yaml), defaults filled in."""
        return {**DEFAULT_LIMITS, **(self.raw.get("limits") or {})}

    @property
    def retry(self) -> dict[str, Any]:
        return self.raw["retry"]

    @property
    def robots(self) -> dict[str, Any]:
        return self.raw["robots"]

    def rate_for(self, host: str) -> float:
        """Requests per second allowed to ``host`` (before any robots.txt Crawl-delay)."""
        limits = self.raw["rate_limit"]
        return float((limits.get("per_host") or {}).get(host, limits["default"]))

    # -- discovery --------------------------------------------------------------------
    @property
    def discovery(self) -> dict[str, Any]:
        return self.raw["discovery"]

    @property
    def queue_file(self) -> str:
        return self.raw.get("queue_file", "fetch-queue.jsonl")


def _require(data: dict, dotted: str, kind: type | tuple[type, ...], where: str) -> None:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{where}: expected key {dotted!r}, not found")
        node = node[part]
    if not isinstance(node, kind):
        raise ConfigError(f"{where}: {dotted!r} should be {kind}, found {type(node).__name__} {node!r}")


def load_config(overrides: Mapping[str, Any] | ScrapeConfig | None = None) -> ScrapeConfig:
    """Settings from ``configs/`` with ``overrides`` merged on top (a ScrapeConfig is returned as is).

    ``overrides["discovery"]`` is merged into ``discovery.yaml``'s settings.
    """
    if isinstance(overrides, ScrapeConfig):
        return overrides
    data = _read_yaml("scrape.yaml")
    data["discovery"] = _read_yaml("discovery.yaml")
    data = _merge(data, overrides or {})
    where = "configs/scrape.yaml"
    checks: list[tuple[str, type | tuple[type, ...]]] = [
        ("contact", str), ("user_agent", str), ("http.max_concurrency", int),
        ("http.max_redirects", int), ("http.timeout", dict), ("rate_limit.default", (int, float)),
        ("retry.attempts", int), ("retry.statuses", list), ("retry.backoff_initial", (int, float)),
        ("retry.backoff_max", (int, float)), ("retry.jitter", (int, float)),
        ("retry.retry_after_max", (int, float)), ("robots.obey", bool),
    ]
    for key, kind in checks:
        _require(data, key, kind, where)
    for key, value in {**DEFAULT_LIMITS, **(data.get("limits") or {})}.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{where}: 'limits.{key}' should be a positive number, found {value!r}")
    for key in ("redirect_hosts", "private_hosts"):
        hosts = data["http"].get(key) or []
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            raise ConfigError(f"{where}: 'http.{key}' should be a list of host names, found {hosts!r}")
    if "@" not in data["contact"]:
        raise ConfigError(f"{where}: 'contact' should be an e-mail address, found {data['contact']!r}")
    for source in SOURCES:
        _require(data, f"bases.{source}", str, where)
        if urlsplit(data["bases"][source]).scheme not in ("http", "https"):
            raise ConfigError(f"{where}: bases.{source} should be an http(s) URL, found {data['bases'][source]!r}")
    _require(data, "discovery.terms", list, "configs/discovery.yaml")
    if data["retry"]["attempts"] < 1 or data["http"]["max_concurrency"] < 1:
        raise ConfigError(f"{where}: retry.attempts and http.max_concurrency should be at least 1")
    return ScrapeConfig(data)
