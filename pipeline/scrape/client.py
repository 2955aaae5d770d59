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
and a loop is named as a loop. Every hop must be http(s), a redirect may only go to a
configured host (:meth:`PoliteClient.check_destination`), and no request is sent to an
address that resolves to a private, loopback, link-local or reserved network unless the
configuration names that address itself (the tests' 127.0.0.1). Bodies are read as a
stream under three limits (``limits`` in ``configs/scrape.yaml``): decoded size, time for
the whole response, and decompression ratio; a response over one is refused
(:class:`LimitExceeded`) and never stored. hishel is not used: the capture store is our cache, and
conditional requests are built from its log (see :mod:`pipeline.scrape.runner`).
"""

from __future__ import annotations

import asyncio
import email.utils
import importlib.util
import ipaddress
import logging
import socket
import time
from collections.abc import Awaitable, Callable
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


class LimitExceeded(FetchError):
    """A response went over a size, time or decompression limit (never retried, never stored)."""


class Refused(FetchError):
    """A request or redirect to a scheme, host or address we do not go to (checked before connecting)."""


#: ``resolver(host, port)`` -> the IP addresses a connection to ``host`` would use.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for ``host`` (what httpx would connect to)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def unsafe_address(address: str) -> str | None:
    """Why ``address`` is no place for a scraper to connect to (private, loopback...), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


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


#: redirects of a robots.txt followed (RFC 9309 asks for at least five)
ROBOTS_REDIRECTS = 5


def _robots_text(resp: httpx.Response) -> str:
    """A robots.txt as text, whatever charset its header claims (``charset=undefined`` included)."""
    from pipeline.scrape.runner import choose_charset

    declared = resp.headers.get("content-type", "").partition("charset=")[2].split(";")[0].strip(' "') or None
    charset, _ = choose_charset(resp.content, declared, "text/plain")
    return resp.content.decode(charset or "utf-8", errors="replace")


def describe(exc: BaseException) -> str:
    """A one-line reason for a transport failure."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


class PoliteClient:
    """Use as ``async with PoliteClient(cfg) as client: await client.get(url)``."""

    def __init__(self, cfg: ScrapeConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 resolver: Resolver | None = None) -> None:
        self.cfg = cfg
        self._resolver = resolver or system_resolver
        self._resolved: dict[tuple[str, int], list[str]] = {}
        self.limits = cfg.limits
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
        await self.check_address(url)
        async with self._sem:
            await self._limiter(_host(url)).acquire()
            self.requests += 1
            total = float(self.limits["response_seconds"])
            try:
                async with asyncio.timeout(total):
                    return await self._read_limited(url, headers)
            except TimeoutError:
                raise self._limit(url, f"the response took longer than {total:g} s in all "
                                       "(limits.response_seconds)") from None

    def _limit(self, url: str, why: str) -> LimitExceeded:
        log.warning("refused the response of %s: %s; nothing stored", url, why)
        return LimitExceeded(f"response refused: {why}")

    async def _read_limited(self, url: str, headers: dict[str, str] | None) -> httpx.Response:
        """GET ``url`` and read its body as a stream, under the size and decompression limits.

        The body is decoded (gzip, deflate, br) chunk by chunk and counted as it grows: a
        body over ``limits.max_body_bytes`` decoded, or one that decodes to more than
        ``limits.max_decompression_ratio`` times the bytes received (a gzip bomb; checked
        once past ``limits.ratio_check_after_bytes``), is cut off at that point.
        """
        max_body = int(self.limits["max_body_bytes"])
        ratio = float(self.limits["max_decompression_ratio"])
        ratio_after = int(self.limits["ratio_check_after_bytes"])
        request = self._client.build_request("GET", url, headers=headers)
        resp = await self._client.send(request, stream=True)
        try:
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and not resp.headers.get("content-encoding") and int(declared) > max_body:
                raise self._limit(url, f"Content-Length {declared} is over {max_body} bytes (limits.max_body_bytes)")
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                received = max(resp.num_bytes_downloaded, 1)
                if size > ratio_after and size > ratio * received:
                    raise self._limit(url, f"{received} bytes received decode to {size} or more "
                                           f"(over {ratio:g} times; limits.max_decompression_ratio)")
                if size > max_body:
                    raise self._limit(url, f"the decoded body is over {max_body} bytes (limits.max_body_bytes)")
                chunks.append(chunk)
        finally:
            await resp.aclose()
        # the body is decoded already: a plain response without the content coding
        plain = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")]
        return httpx.Response(resp.status_code, headers=plain, content=b"".join(chunks), request=request,
                              extensions=resp.extensions)

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
        except (httpx.HTTPError, FetchError):
            return  # reachable but flaky, or refused: the request proper says why
        if resp.status_code < 500 and not resp.has_redirect_location:
            self._accept_robots(parts.netloc, resp)

    def _accept_robots(self, host: str, resp: httpx.Response | None, failure: str = "") -> Protego | None:
        if resp is not None and resp.status_code == 200:
            rules = Protego.parse(_robots_text(resp))
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
            url = f"{parts.scheme}://{host}/robots.txt"
            try:
                resp, _ = await self._get_with_retries(url, None)
                # RFC 9309 2.3.1.2: follow the robots.txt's redirects (at least five); we follow
                # them within the same host only, as a page's own redirects must stay on known hosts
                for _ in range(ROBOTS_REDIRECTS):
                    if not resp.has_redirect_location:
                        break
                    target = urljoin(url, resp.headers.get("location", ""))
                    where = urlsplit(target)
                    if where.scheme not in ("http", "https") or where.hostname != parts.hostname:
                        return self._accept_robots(host, None, f"robots.txt of {host} redirects to another "
                                                               f"host ({target}), not followed")
                    url = target
                    resp, _ = await self._get_with_retries(url, None)
                else:
                    if resp.has_redirect_location:
                        return self._accept_robots(host, None, f"robots.txt of {host} redirects more than "
                                                               f"{ROBOTS_REDIRECTS} times")
            except FetchError as e:
                return self._accept_robots(host, None, f"robots.txt of {host} unreachable ({e})")
            return self._accept_robots(host, resp)

    # -- where we go ---------------------------------------------------------------------
    def _trusted_hosts(self) -> set[str]:
        """Hosts we are configured to fetch from: the sources' bases and ``http.redirect_hosts``."""
        hosts = {urlsplit(self.cfg.base(s)).hostname or "" for s in self.cfg.raw["bases"]}
        return hosts | {h.lower() for h in self.cfg.http.get("redirect_hosts") or []}

    def _private_allowed(self, host: str) -> bool:
        """A private/loopback address is allowed only where the configuration names it literally
        (a base at ``http://127.0.0.1:8000`` in tests) or lists the host in ``http.private_hosts``."""
        named = {urlsplit(self.cfg.base(s)).hostname for s in self.cfg.raw["bases"]}
        named = {h for h in named if h and _is_ip(h)}
        return host in named or host in {h.lower() for h in self.cfg.http.get("private_hosts") or []}

    def check_redirect(self, source: str, target: str, first: str) -> None:
        """Refuse a redirect from ``source`` to ``target`` unless it is http(s) to a known host.

        Known: the host first requested, the configured bases' hosts and
        ``http.redirect_hosts`` (a publisher's journal domains).
        """
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            raise Refused(f"redirect from {source} to {target} refused: only http(s) URLs are followed, "
                          f"not {parts.scheme or 'a URL without scheme'}:")
        host = (parts.hostname or "").lower()
        if not host:
            raise Refused(f"redirect from {source} to {target} refused: the URL names no host")
        if host not in self._trusted_hosts() | {urlsplit(first).hostname or ""}:
            raise Refused(f"redirect from {source} to {target} refused: {host} is not a configured host "
                          "(bases, http.redirect_hosts)")

    async def check_address(self, url: str) -> None:
        """Refuse ``url`` before any connection if its host resolves to a private, loopback,
        link-local or reserved address (unless configured, see :meth:`_private_allowed`)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Refused(f"{url}: only http(s) URLs are fetched")
        host = (parts.hostname or "").lower()
        if not host:
            raise Refused(f"{url}: the URL names no host")
        if self._private_allowed(host):
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if _is_ip(host):
            addresses = [host]
        elif (host, port) in self._resolved:
            addresses = self._resolved[(host, port)]
        else:
            try:
                addresses = await self._resolver(host, port)
            except OSError as e:  # socket.gaierror: what httpx itself would report
                raise httpx.ConnectError(f"cannot resolve {host}: {e}") from e
            self._resolved[(host, port)] = addresses
        for address in addresses:
            if why := unsafe_address(address):
                log.warning("refused %s: %s resolves to %s, a %s address", url, host, address, why)
                raise Refused(f"{url} refused: {host} resolves to {address}, a {why} address "
                              "(allowed only when configured: http.private_hosts)")

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
            try:
                await self.check_address(url)  # before robots.txt: no request at all to a refused address
            except httpx.ConnectError as e:
                raise FetchError(describe(e)) from e
            await self.check_robots(url)
            resp, attempts = await self._get_with_retries(url, headers)
            if not resp.has_redirect_location:
                return Fetched(url=url, response=resp, attempts=attempts, hops=hops)
            target = urljoin(url, resp.headers.get("location", ""))
            try:
                self.check_redirect(url, target, hops[0])
            except Refused as e:
                log.warning("%s", e)
                raise
            if target in hops:
                raise FetchError(f"redirect loop: {' -> '.join([*hops, target])}")
            hops.append(target)
            url = target
        raise FetchError(f"more than {self.cfg.http['max_redirects']} redirects: {' -> '.join(hops)}")
