"""A real HTTP server on 127.0.0.1 for the scraper's tests, with scripted faults.

It serves the fixture pages under ``tests/fixtures/scrape/`` the way the real sites
would: Frontiers article pages (``/articles/<doi>/full`` redirects to
``/journals/<journal>/articles/<doi>/full``, with ETag and Last-Modified, answering
304 to a matching conditional request), a Europe PMC search and a Crossref works
search (paged by cursor), and ``/robots.txt``.

Faults are scripted per path: ``server.fault(path, "reset", ("status", 503), ...)``
queues one action per request; when they are used up the path behaves normally.

Actions: ``("status", code[, headers])``, ``("redirect", location)`` (a 301), ``("slow", seconds)`` (then serve),
``"reset"`` (TCP RST, no answer), ``"short"`` (Content-Length larger than the body,
then close), ``"close"`` (close without answering), ``("trickle", seconds, n)`` (the
page's headers, then one byte of its body every ``seconds``, ``n`` bytes at most).
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "scrape"
LAST_MODIFIED = "Fri, 14 Mar 2025 09:00:00 GMT"

#: DOI -> (journal path, fixture file, content type) of the synthetic Frontiers pages.
PAGES = {
    "10.3389/fimmu.2025.9900001": ("immunology", "frontiers-current.html", "text/html; charset=utf-8"),
    "10.3389/fimmu.2021.9900002": ("immunology", "frontiers-older.html", "text/html; charset=utf-8"),
    "10.3389/fimmu.2025.9900003": ("immunology", "frontiers-provisional.html", "text/html; charset=utf-8"),
    "10.3389/fimmu.2025.9900004": ("immunology", "frontiers-noabstract.html", "text/html; charset=utf-8"),
    "10.3389/fonc.2025.9900005": ("oncology", "frontiers-cp1252.html", "text/html; charset=utf-8"),  # wrong charset
    "10.3389/fonc.2025.9900006": ("oncology", "frontiers-latin1.html", "text/html"),  # no charset
    "10.3389/fimmu.2024.9900007": ("immunology", "frontiers-current.html", "text/html; charset=utf-8"),
    "10.3389/fcell.2024.9900008": ("cell-and-developmental-biology", "frontiers-current.html", "text/html; charset=utf-8"),
}

Handler = Callable[[dict[str, list[str]]], tuple[int, dict[str, str], bytes]]


@dataclass
class Hit:
    path: str
    query: str
    headers: dict[str, str]
    at: float


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None


class ScrapeServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.handlers: dict[str, Handler] = {}
        self.faults: dict[str, list] = defaultdict(list)
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self.robots = (FIXTURES / "robots.txt").read_bytes()
        self._httpd: ThreadingHTTPServer | None = None
        self._install_defaults()

    # -- set-up --------------------------------------------------------------------
    def _install_defaults(self) -> None:
        for doi, (journal, name, ctype) in PAGES.items():
            final = f"/journals/{journal}/articles/{doi}/full"
            self.redirect(f"/articles/{doi}/full", final)
            self.page(final, (FIXTURES / name).read_bytes(), ctype)
        self.handlers["/europepmc/webservices/rest/search"] = self._europepmc
        self.handlers["/crossref/works"] = self._crossref

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", **kw) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        self.routes[path] = Route(body, content_type, etag=etag, last_modified=LAST_MODIFIED, **kw)

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        self.routes[path] = Route(b"", status=status, headers={"Location": location})

    def fault(self, path: str, *actions) -> None:
        with self._lock:
            self.faults[path].extend(a if isinstance(a, tuple) else (a,) for a in actions)

    @staticmethod
    def _json(name: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/json;charset=UTF-8"}, (FIXTURES / name).read_bytes()

    def _europepmc(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        cursor = query.get("cursorMark", ["*"])[0]
        pages = {"*": "europepmc-page1.json", "AoJwgKDyn5EDKDM5OTAwMDAy": "europepmc-page2.json"}
        return self._json(pages.get(cursor, "europepmc-page3.json"))

    def _crossref(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        cursor = query.get("cursor", ["*"])[0]
        return self._json("crossref-page1.json" if cursor == "*" else "crossref-page2.json")

    # -- running ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ScrapeServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                try:
                    server._serve(self)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def requests_to(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    # -- answering ---------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        with self._lock:
            self.hits.append(Hit(path, parts.query, {k.lower(): v for k, v in h.headers.items()}, time.monotonic()))
            action = self.faults[path].pop(0) if self.faults.get(path) else None
        if action is not None:
            kind = action[0]
            if kind == "reset":
                h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                h.connection.close()
                h.close_connection = True
                return
            if kind == "close":
                h.close_connection = True
                return
            if kind == "redirect":
                self._send(h, 301, {"Location": action[1], "Content-Type": "text/plain"}, b"")
                return
            if kind == "status":
                headers = action[2] if len(action) > 2 else {}
                self._send(h, action[1], {"Content-Type": "text/html", **headers}, b"<html><body>busy</body></html>")
                return
            if kind == "slow":
                time.sleep(action[1])
            if kind == "trickle":
                route = self.routes[path]
                h.send_response(200)
                h.send_header("Content-Type", route.content_type)
                h.send_header("Content-Length", str(len(route.body)))
                h.end_headers()
                for byte in route.body[: action[2]]:
                    h.wfile.write(bytes([byte]))
                    h.wfile.flush()
                    time.sleep(action[1])
                h.close_connection = True
                return
            if kind == "short":
                route = self.routes[path]
                h.send_response(200)
                h.send_header("Content-Type", route.content_type)
                h.send_header("Content-Length", str(len(route.body)))
                h.end_headers()
                h.wfile.write(route.body[: len(route.body) // 2])
                h.wfile.flush()
                h.close_connection = True
                return
        if path == "/robots.txt":
            self._send(h, 200, {"Content-Type": "text/plain"}, self.robots)
            return
        if path in self.handlers:
            self._send(h, *self.handlers[path](parse_qs(parts.query)))
            return
        route = self.routes.get(path)
        if route is None:
            self._send(h, 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>")
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.status == 200 and route.etag and h.headers.get("If-None-Match") == route.etag:
            self._send(h, 304, {"ETag": route.etag}, b"")
            return
        self._send(h, route.status, headers, route.body)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        if status != 304:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if status != 304:
            h.wfile.write(body)


def json_body(data) -> bytes:
    return json.dumps(data).encode()


# -- helpers the test modules share -------------------------------------------------------
class running_server:
    """``with running_server() as server:`` a started server, stopped afterwards."""

    def __enter__(self) -> ScrapeServer:
        self.server = ScrapeServer().start()
        return self.server

    def __exit__(self, *exc) -> None:
        self.server.stop()


def fast_config(server_url: str, **overrides) -> dict:
    """Settings pointing every source at the local server, with short timeouts and backoffs."""
    cfg = {
        "bases": {
            "frontiers": server_url,
            "europepmc": f"{server_url}/europepmc/webservices/rest",
            "crossref": f"{server_url}/crossref",
        },
        "http": {"timeout": {"connect": 1.0, "read": 0.5, "write": 1.0, "pool": 2.0}, "max_concurrency": 4},
        "rate_limit": {"default": 200.0, "per_host": {}},
        "retry": {"attempts": 3, "backoff_initial": 0.01, "backoff_max": 0.05, "jitter": 0.01, "retry_after_max": 2.0},
        # Crossref work records and Europe PMC records after each new page: off unless a test
        # asks (tests/test_crossref_work.py, tests/test_europepmc_record.py)
        "discovery": {"crossref": {"work_records": False}, "europepmc": {"doi_records": False}},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    return cfg
