"""Choose the reader for a capture by sniffing its content."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.document import Document
from pipeline.errors import ReaderError
from pipeline.readers.citation import is_citation_export, read_citation_export
from pipeline.readers.europepmc import is_europepmc_record, read_europepmc_record
from pipeline.readers.jats import is_jats, read_jats
from pipeline.readers.journals import complete_metadata
from pipeline.readers.pagetext import read_page_text

Reader = Callable[..., Document]


def _is_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<head" in head and "<body" in text[:20000].lower())


def _read_html(text: str, **kw) -> Document:
    from pipeline.readers.html import read_html  # bs4 is only imported for HTML captures

    return read_html(text, **kw)


#: (format name, test, reader), tried in order; page text is the fallback.
FORMATS: list[tuple[str, Callable[[str], bool], Reader]] = [
    ("jats", is_jats, read_jats),
    ("html", _is_html, _read_html),
    ("europepmc_json", is_europepmc_record, read_europepmc_record),
    ("citation_export", is_citation_export, read_citation_export),
]


def sniff_format(text: str) -> str:
    for name, test, _ in FORMATS:
        if test(text):
            return name
    return "page_text"


def read_text(text: str, *, doc_id: str | None = None, source: str = "unknown", url: str | None = None) -> Document:
    """Parse ``text`` (any supported format) into a Document.

    Raises :class:`ReaderError` only when nothing at all can be read; a capture cut off
    mid-way is read as far as it goes and flagged ``truncated``.
    """
    if not text or not text.strip():
        raise ReaderError(doc_id or "<text>", "the capture is empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for _name, test, reader in FORMATS:
        if test(text):
            doc = reader(text, doc_id=doc_id, source=source)
            break
    else:
        doc = read_page_text(text, doc_id=doc_id, source=source)
    if url and not doc.url:
        doc.url = url
    if not doc.url and doc.id.startswith("10."):
        doc.url = f"https://doi.org/{doc.id}"  # a stable link when the capture named no page
    if not doc.id:
        raise ReaderError(doc_id or "<text>", "no document id given and no DOI found in the text")
    return complete_metadata(doc)


def read_capture(body: bytes, *, where: str, doc_id: str | None = None, source: str = "unknown",
                 url: str | None = None, charset: str | None = None) -> Document:
    """Decode a raw capture and parse it; ``where`` names it in error messages."""
    text = decode(body, charset=charset, where=where)
    try:
        return read_text(text, doc_id=doc_id, source=source, url=url)
    except ReaderError as e:
        raise ReaderError(where, e.reason) from None
    except Exception as e:  # a reader bug must still name the capture
        raise ReaderError(where, f"{type(e).__name__}: {e}") from e


def decode(body: bytes, *, charset: str | None = None, where: str = "<bytes>") -> str:
    """Bytes to text: the declared charset, else UTF-8 (with BOM), else a detected one."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    for enc in filter(None, [charset, "utf-8"]):
        try:
            return body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        raise ReaderError(where, "cannot decode the capture: not UTF-8 and no charset detected")
    return str(best)
