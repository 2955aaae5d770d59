"""Write files so that a crash never leaves one half-written.

Everything is written to a temporary file beside its destination and renamed into
place (``os.replace`` is atomic on POSIX file systems); on any error the temporary file
is removed and the previous version of the destination stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

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
