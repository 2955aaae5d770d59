"""A polite HTTP client: identifies itself, obeys robots.txt, throttles, retries, gives up cleanly.

Built from well-kept parts rather than hand-written loops:

* ``httpx.AsyncClient`` (HTTP/2 when ``h2`` is installed and the server offers it),
  with connect/read/write/pool timeouts from config;
* ``protego`` for robots.txt (fetched once per host; Crawl-delay lowers the rate);
* ``aiolimiter.AsyncLimiter`` per host (a leaky bucket of size 1: no bursts);
* ``tenacity`` for retries: exponential backoff with jitter, or the server's
  ``Retry-After`` on 429/503 when it sends one (a longer wait than
  ``retry.retry_after_max`` fails the request instead);
* an ``asyncio.Semaphore`` bounding the requests in flight.

Redirects are followed here, hop by hop, so that each hop is checked against robots.txt
and a loop is named as a loop. hishel is not used: the capture store is our cache, and
conditional requests are built from its log (see :mod:`pipeline.scrape.runner`).
"""

from __future__ import annotations

import asyncio
import email.utils
import importlib.util
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from aiolimiter import AsyncLimiter
from protego import Protego
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    wait_exponential_jitter,
)

from pipeline.errors import FetchError
from pipeline.scrape.config import ScrapeConfig

log = logging.getLogger(__name__)

#: Transport failures worth another try (timeouts, resets, truncated bodies, refused connections).
RETRY_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class Blocked(FetchError):
    """robots.txt forbids the URL (never retried)."""


class Offline(FetchError):
    """The first host cannot be reached at all (DNS or connection failure)."""


@dataclass(slots=True)
class Fetched:
    """A final (non-redirect) response and how it was obtained."""

    url: str
    response: httpx.Response
    #: tries of the final request (1 when it succeeded at once)
    attempts: int
    hops: list[str] = field(default_factory=list)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _host(url: str) -> str:
    return urlsplit(url).netloc


def describe(exc: BaseException) -> str:
    """A one-line reason for a transport failure."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


class PoliteClient:
    """Use as ``async with PoliteClient(cfg) as client: await client.get(url)``."""

    def __init__(self, cfg: ScrapeConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.cfg = cfg
        timeout = cfg.http["timeout"]
        self._client = httpx.AsyncClient(
            http2=bool(cfg.http.get("http2", True)) and importlib.util.find_spec("h2") is not None,
            headers={"User-Agent": cfg.user_agent, "From": cfg.contact},
            timeout=httpx.Timeout(connect=timeout["connect"], read=timeout["read"],
                                  write=timeout["write"], pool=timeout["pool"]),
            follow_redirects=False,
            transport=transport,
        )
        self._sem = asyncio.Semaphore(cfg.http["max_concurrency"])
        self._limiters: dict[str, AsyncLimiter] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_reason: dict[str, str] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self.requests = 0  # attempts sent, robots.txt included

    async def __aenter__(self) -> PoliteClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self._client.aclose()

    # -- throttling -------------------------------------------------------------------
    def _limiter(self, host: str, crawl_delay: float | None = None) -> AsyncLimiter:
        if host not in self._limiters or crawl_delay:
            rate = self.cfg.rate_for(host)
            if crawl_delay:
                rate = min(rate, 1.0 / crawl_delay)
            self._limiters[host] = AsyncLimiter(1, 1.0 / rate)
        return self._limiters[host]

    async def _send(self, url: str, headers: dict[str, str] | None) -> httpx.Response:
        async with self._sem:
            await self._limiter(_host(url)).acquire()
            self.requests += 1
            return await self._client.get(url, headers=headers)

    # -- retries ---------------------------------------------------------------------
    def _retrying(self, attempts: int | None = None) -> AsyncRetrying:
        r = self.cfg.retry
        backoff = wait_exponential_jitter(multiplier=r["backoff_initial"], max=r["backoff_max"], jitter=r["jitter"])
        statuses = frozenset(r["statuses"])

        def retry_after(state: RetryCallState) -> float | None:
            if state.outcome is None or state.outcome.failed:
                return None
            resp: httpx.Response = state.outcome.result()
            if resp.status_code in (429, 503):
                return parse_retry_after(resp.headers.get("retry-after"))
            return None

        def wait(state: RetryCallState) -> float:
            seconds = retry_after(state)
            return backoff(state) if seconds is None else seconds

        def stop(state: RetryCallState) -> bool:
            seconds = retry_after(state)
            too_long = seconds is not None and seconds > r["retry_after_max"]
            return too_long or state.attempt_number >= (attempts or r["attempts"])

        def before_sleep(state: RetryCallState) -> None:
            outcome = state.outcome
            assert outcome is not None
            failure = outcome.exception()
            why = describe(failure) if failure is not None else f"HTTP {outcome.result().status_code}"
            log.info("retry %d of %s in %.1f s (%s)", state.attempt_number, state.args[0],
                     state.next_action.sleep if state.next_action else 0.0, why)

        def give_last(state: RetryCallState) -> httpx.Response:
            assert state.outcome is not None
            return state.outcome.result()  # the last response, or its exception raised

        return AsyncRetrying(
            stop=stop, wait=wait, before_sleep=before_sleep, retry_error_callback=give_last,
            retry=retry_if_exception_type(RETRY_EXCEPTIONS) | retry_if_result(lambda resp: resp.status_code in statuses),
        )

    async def _get_with_retries(self, url: str, headers: dict[str, str] | None,
                                attempts: int | None = None) -> tuple[httpx.Response, int]:
        retrying = self._retrying(attempts)
        try:
            resp: httpx.Response = await retrying(self._send, url, headers)
        except RETRY_EXCEPTIONS as e:
            n = retrying.statistics.get("attempt_number", 1)
            raise FetchError(f"{describe(e)} (after {n} attempt{'s' * (n > 1)})") from e
        except httpx.HTTPError as e:
            raise FetchError(describe(e)) from e
        return resp, retrying.statistics.get("attempt_number", 1)

    # -- robots.txt --------------------------------------------------------------------
    async def probe(self, url: str) -> None:
        """Reach ``url``'s host once (its robots.txt); raise :class:`Offline` if it cannot be reached.

        Only a failure to connect at all (DNS, refused, connect timeout) means offline; any
        answer, even an error, means the network is there.
        """
        parts = urlsplit(url)
        try:
            resp = await self._send(f"{parts.scheme}://{parts.netloc}/robots.txt", None)
        except (httpx.ConnectError, httpx.ConnectTimeout) as e:
            raise Offline(f"cannot reach {parts.netloc}: {describe(e)}") from e
        except httpx.HTTPError:
            return  # reachable but flaky: the robots.txt fetch proper retries
        if resp.status_code < 500:
            self._accept_robots(parts.netloc, resp)

    def _accept_robots(self, host: str, resp: httpx.Response | None, failure: str = "") -> Protego | None:
        if resp is not None and resp.status_code == 200:
            rules = Protego.parse(resp.text)
            parsed: Protego | None = rules
            if delay := rules.crawl_delay(self.cfg.robots_agent):
                self._limiter(host, crawl_delay=float(delay))
        elif resp is not None and 400 <= resp.status_code < 500:
            parsed = Protego.parse("")  # no robots.txt: everything allowed
        else:
            parsed = None
            failure = failure or f"robots.txt of {host} answered HTTP {resp.status_code if resp else '?'}"
        if parsed is None and not self.cfg.robots.get("unreachable_means_disallow", True):
            parsed = Protego.parse("")
        self._robots[host] = parsed
        self._robots_reason[host] = failure
        return parsed

    async def _robots_for(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        host = parts.netloc
        lock = self._robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host in self._robots:
                return self._robots[host]
            try:
                resp, _ = await self._get_with_retries(f"{parts.scheme}://{host}/robots.txt", None)
            except FetchError as e:
                return self._accept_robots(host, None, f"robots.txt of {host} unreachable ({e})")
            return self._accept_robots(host, resp)

    async def check_robots(self, url: str) -> None:
        if not self.cfg.robots["obey"]:
            return
        rules = await self._robots_for(url)
        host = _host(url)
        if rules is None:
            raise Blocked(f"{self._robots_reason[host]}: treating {host} as disallowed (RFC 9309)")
        if not rules.can_fetch(url, self.cfg.robots_agent):
            raise Blocked(f"robots.txt of {host} disallows {urlsplit(url).path} for {self.cfg.robots_agent}")

    # -- the one public request ------------------------------------------------------------
    async def get(self, url: str, *, headers: dict[str, str] | None = None,
                  params: dict[str, str] | None = None) -> Fetched:
        """GET ``url`` politely, following redirects; raises FetchError (Blocked) with the reason."""
        if params:
            url = str(httpx.URL(url, params=params))
        hops = [url]
        for _ in range(self.cfg.http["max_redirects"] + 1):
            await self.check_robots(url)
            resp, attempts = await self._get_with_retries(url, headers)
            if not resp.has_redirect_location:
                return Fetched(url=url, response=resp, attempts=attempts, hops=hops)
            target = urljoin(url, resp.headers.get("location", ""))
            if target in hops:
                raise FetchError(f"redirect loop: {' -> '.join([*hops, target])}")
            hops.append(target)
            url = target
        raise FetchError(f"more than {self.cfg.http['max_redirects']} redirects: {' -> '.join(hops)}")
