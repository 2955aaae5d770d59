"""Write files so that a crash never leaves one half-written.

Everything is written to a temporary file beside its destination and renamed into
place (``os.replace`` is atomic on POSIX file systems); on any error the temporary file
is removed and the previous version of the destination stays as it was.

Temporary names are unique (``.<name>.<random>.tmp``, from :func:`tempfile.mkstemp`),
so two writers never share one; a writer killed with SIGKILL leaves its temporary file
behind, and :func:`remove_stale_temp` (called when a command takes the corpus lock)
removes such leftovers.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

#: The temporary names of :func:`atomic_target` (``.NAME.XXXXXXXX.tmp``) and the fixed
#: ``NAME.tmp`` names that earlier versions used.
TEMP_NAME = re.compile(r"^(\..+\.[A-Za-z0-9_]{8}\.tmp|[^.].*\.tmp)$")
#: Folders (relative to the corpus) only lock holders write to: a temporary file there is
#: stale whatever its age once the lock is held. Elsewhere (captures/, written by fetch
#: without the lock; the fetch queue) only files older than ``STALE_AFTER_S`` are removed.
LOCKED_DIRS = ("build", "review", "curation")
STALE_AFTER_S = 600.0

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_target(path: str | os.PathLike[str], mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``path`` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode & ~_UMASK)  # mkstemp creates 0600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", file_mode: int = 0o644) -> Iterator[IO[Any]]:
    """Open a temporary file for writing (text mode: UTF-8, ``\\n``) that replaces ``path`` on success."""
    with atomic_target(path, file_mode) as tmp:
        if "b" in mode:
            with open(tmp, mode) as fh:
                yield fh
        else:
            with open(tmp, mode, encoding="utf-8", newline="\n") as fh:
                yield fh


def remove_stale_temp(corpus_dir: Path, *, older_than_s: float = STALE_AFTER_S, now: float | None = None) -> list[Path]:
    """Remove temporary files a killed writer left under ``corpus_dir``; returns what was removed.

    Call it while holding the corpus lock (see :mod:`pipeline.lock`).
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    if not corpus_dir.is_dir():
        return removed
    for path in corpus_dir.rglob("*.tmp"):
        if not path.is_file() or not TEMP_NAME.match(path.name):
            continue
        rel = path.relative_to(corpus_dir).parts
        guarded = (len(rel) == 1 and not path.name.startswith(".fetch-queue")) or rel[0] in LOCKED_DIRS
        try:
            if guarded or now - path.stat().st_mtime > older_than_s:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # its writer just renamed it
            continue
    return removed
