"""Scraper limits and safety (issue 15, items 6-9 and 21): every test runs against the local
server on 127.0.0.1, or against no server at all (a resolver stub and a transport that
fails the test if it is ever asked to connect): no traffic goes anywhere else.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import time

import httpx
import pytest
from scrape_server import FIXTURES, fast_config

from pipeline.scrape import fetch, load_config
from pipeline.scrape.client import PoliteClient, Refused, unsafe_address
from pipeline.scrape.runner import choose_charset
from pipeline.store import CaptureStore

DOI = "10.3389/fimmu.2025.9900001"
PAGE = f"/journals/immunology/articles/{DOI}/full"
BODY = (FIXTURES / "frontiers-current.html").read_bytes()




def run(server, corpus, **kw):
    config = fast_config(server.url, **kw.pop("config", {}))
    return fetch(corpus, config=config, progress=False, **kw)


def captures(corpus) -> int:
    return len(list(CaptureStore(corpus).records()))


# -- item 6: charset=undefined ----------------------------------------------------------------
@pytest.mark.parametrize("where", ["header", "meta", "both"])
def test_charset_undefined_falls_back_to_detection(server, tmp_path, where):
    body = BODY.replace(b"<head>", b'<head><meta charset="undefined">', 1) if where != "header" else BODY
    ctype = "text/html; charset=undefined" if where != "meta" else "text/html"
    server.page(PAGE, body, ctype)
    summary = run(server, tmp_path, dois=[DOI])
    assert [o.key for o in summary.new] == [DOI]
    (rec,) = CaptureStore(tmp_path).records()
    assert rec.charset == "utf-8"
    if where != "meta":
        assert rec.extra["declared_charset"] == "undefined"


def test_choose_charset_never_returns_a_codec_that_cannot_decode():
    charset, notes = choose_charset("é".encode("cp1252") * 50, "undefined", "text/html")
    assert charset not in (None, "undefined") and notes["declared_charset"] == "undefined"


def test_a_page_that_crashes_the_run_does_not_crash_every_later_fetch(server, tmp_path, monkeypatch):
    from pipeline.scrape import runner

    def boom(self, *args, **kwargs):
        raise RuntimeError("a reader bug")

    monkeypatch.setattr(runner._Run, "_store_page", boom)
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "unexpected error: RuntimeError: a reader bug" in failed.reason
    monkeypatch.undo()
    # the page is still in the plan; the next run (no arguments) resumes it and succeeds
    again = run(server, tmp_path)
    assert [o.key for o in again.new] == [DOI]


# -- item 7: size, time and decompression limits ---------------------------------------------
def test_a_body_over_the_size_limit_is_refused_and_not_stored(server, tmp_path, caplog):
    server.page(PAGE, BODY + b" " * 50_000)
    summary = run(server, tmp_path, dois=[DOI], config={"limits": {"max_body_bytes": 40_000}})
    (failed,) = summary.failed
    assert "over 40000 bytes (limits.max_body_bytes)" in failed.reason
    assert captures(tmp_path) == 0
    assert "nothing stored" in caplog.text
    assert len(server.requests_to(PAGE)) == 1  # never retried


def test_a_gzip_bomb_is_cut_off_by_the_decompression_ratio(server, tmp_path):
    bomb = gzip.compress(b"\0" * 60_000_000, compresslevel=9)  # 60 MB from ~60 KB
    server.page(PAGE, bomb, "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})
    started = time.monotonic()
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "limits.max_decompression_ratio" in failed.reason
    assert time.monotonic() - started < 10
    assert captures(tmp_path) == 0


def test_a_gzip_bomb_under_a_lax_ratio_still_meets_the_size_cap(server, tmp_path):
    bomb = gzip.compress(b"\0" * 60_000_000, compresslevel=9)
    server.page(PAGE, bomb, "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})
    summary = run(server, tmp_path, dois=[DOI], config={"limits": {"max_decompression_ratio": 1e9}})
    (failed,) = summary.failed
    assert "limits.max_body_bytes" in failed.reason
    assert captures(tmp_path) == 0


def test_a_gzipped_page_within_limits_is_stored_decoded(server, tmp_path):
    server.page(PAGE, gzip.compress(BODY), "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})
    summary = run(server, tmp_path, dois=[DOI])
    (new,) = summary.new
    assert CaptureStore(tmp_path).get(new.sha256) == BODY


def test_a_server_trickling_bytes_is_cut_off_by_the_response_time_limit(server, tmp_path):
    server.fault(PAGE, ("trickle", 0.2, 100))  # each byte well within the 0.5 s read timeout
    started = time.monotonic()
    summary = run(server, tmp_path, dois=[DOI], config={"limits": {"response_seconds": 1.0}})
    (failed,) = summary.failed
    assert "longer than 1 s in all (limits.response_seconds)" in failed.reason
    assert time.monotonic() - started < 5
    assert captures(tmp_path) == 0


@pytest.mark.parametrize("value", [0, -1, "big", True])
def test_limits_must_be_positive_numbers(value):
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match=r"limits\.max_body_bytes"):
        load_config({"limits": {"max_body_bytes": value}})


# -- item 8 and 21: where redirects may go ---------------------------------------------------
def test_a_redirect_to_another_host_is_refused_before_any_request(server, tmp_path, caplog):
    server.redirect(PAGE, "http://evil.example/steal")
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "refused: evil.example is not a configured host" in failed.reason
    assert captures(tmp_path) == 0
    assert "evil.example" in caplog.text


def test_a_redirect_to_a_file_url_names_the_scheme_not_an_empty_host(server, tmp_path):
    server.redirect(PAGE, "file:///etc/passwd")
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "to file:///etc/passwd refused: only http(s) URLs are followed, not file:" in failed.reason
    assert "robots.txt of  " not in failed.reason


def test_a_redirect_to_a_configured_host_is_followed(server, tmp_path):
    other = server.url.replace("127.0.0.1", "localhost")
    server.redirect(PAGE, f"{other}/elsewhere")
    server.page("/elsewhere", BODY)
    summary = run(server, tmp_path, dois=[DOI], config={"http": {"redirect_hosts": ["localhost"],
                                                                 "private_hosts": ["localhost"]}})
    assert [o.key for o in summary.new] == [DOI]


class NoConnection(httpx.AsyncBaseTransport):
    """A transport that records (and answers) requests: to prove a refusal came before any."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, text="<html>ok</html>", headers={"Content-Type": "text/html"})


def stub_resolver(table: dict[str, str]):
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return [table[host]]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def client_for(resolver, transport, **http):
    cfg = load_config({"bases": {"frontiers": "https://journal.test", "europepmc": "https://api.test/rest",
                                 "crossref": "https://crossref.test"}, "http": http,
                       "retry": {"attempts": 1}, "rate_limit": {"default": 1000.0}})
    return PoliteClient(cfg, transport=transport, resolver=resolver)


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.7", "127.0.0.1", "169.254.169.254", "::1",
                                     "fe80::1", "::ffff:10.0.0.1", "0.0.0.0"])
def test_a_host_resolving_to_a_private_address_is_refused_before_connecting(address):
    transport = NoConnection()
    resolver = stub_resolver({"journal.test": address})

    async def go():
        async with client_for(resolver, transport) as client:
            await client.get("https://journal.test/articles/x/full")

    with pytest.raises(Refused, match=rf"journal\.test resolves to {re.escape(address)}"):
        asyncio.run(go())
    assert transport.sent == []  # not even robots.txt
    assert resolver.asked == ["journal.test"]


def test_a_redirect_whose_target_resolves_to_a_private_address_is_refused():
    class Redirecting(NoConnection):
        async def handle_async_request(self, request):
            if request.url.host == "journal.test" and request.url.path != "/robots.txt":
                self.sent.append(str(request.url))
                return httpx.Response(302, headers={"Location": "https://api.test/internal"})
            return await super().handle_async_request(request)

    transport = Redirecting()
    resolver = stub_resolver({"journal.test": "93.184.216.34", "api.test": "169.254.169.254"})

    async def go():
        async with client_for(resolver, transport) as client:
            await client.get("https://journal.test/a")

    with pytest.raises(Refused, match=r"api\.test resolves to 169\.254\.169\.254, a link-local address"):
        asyncio.run(go())
    assert not any("api.test" in url for url in transport.sent)


def test_a_public_address_is_fetched_and_resolved_once():
    transport = NoConnection()
    resolver = stub_resolver({"journal.test": "93.184.216.34"})

    async def go():
        async with client_for(resolver, transport) as client:
            await client.get("https://journal.test/a")
            return await client.get("https://journal.test/b")

    fetched = asyncio.run(go())
    assert fetched.response.text == "<html>ok</html>"
    assert resolver.asked == ["journal.test"]
    assert transport.sent == ["https://journal.test/robots.txt", "https://journal.test/a", "https://journal.test/b"]


def test_private_hosts_lets_a_configured_name_through():
    transport = NoConnection()
    resolver = stub_resolver({"journal.test": "10.0.0.8"})

    async def go():
        async with client_for(resolver, transport, private_hosts=["journal.test"]) as client:
            return await client.get("https://journal.test/a")

    assert asyncio.run(go()).response.status_code == 200


@pytest.mark.parametrize(("address", "kind"), [("8.8.8.8", None), ("10.0.0.1", "private"), ("127.0.0.2", "loopback"),
                                               ("169.254.1.1", "link-local"), ("224.0.0.1", "multicast")])
def test_unsafe_address_names_the_kind(address, kind):
    assert unsafe_address(address) == kind


# -- item 9: a robots.txt that redirects ---------------------------------------------------
def test_a_robots_txt_redirect_within_the_host_is_followed(server, tmp_path):
    # twice: the offline probe reads robots.txt first (it does not keep a redirect), then the rules are read
    server.fault("/robots.txt", ("redirect", "/site/robots.txt"), ("redirect", "/site/robots.txt"))
    server.page("/site/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    summary = run(server, tmp_path, dois=[DOI])
    assert [o.key for o in summary.new] == [DOI]
    assert server.requests_to("/site/robots.txt")
    blocked = run(server, tmp_path, urls=[f"{server.url}/private/x"])
    (failed,) = blocked.failed
    assert "disallows /private/x" in failed.reason


def test_a_robots_txt_redirect_to_another_host_is_not_followed(server, tmp_path):
    server.fault("/robots.txt", ("redirect", "http://elsewhere.example/robots.txt"),
                 ("redirect", "http://elsewhere.example/robots.txt"))
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "redirects to another host (http://elsewhere.example/robots.txt)" in failed.reason


def test_robots_txt_with_charset_undefined_is_read(server, tmp_path):
    server.fault("/robots.txt", ("redirect", "/r.txt"), ("redirect", "/r.txt"))
    server.page("/r.txt", b"User-agent: *\nDisallow: /journals/\n", "text/plain; charset=undefined")
    summary = run(server, tmp_path, dois=[DOI])
    (failed,) = summary.failed
    assert "disallows /journals/" in failed.reason and server.requests_to("/r.txt")
