"""One writer at a time per corpus: a lock file, ``corpus/.carmine.lock``.

The rebuild (``run``, also after a fetch), ``review`` and ``review-import`` read the
table, decide, and write it or the logs beside it; two of them at once could record a
superseded row twice or import decisions against a table that is being replaced. Each
takes the corpus lock (the ``filelock`` library: an OS-level lock, released by the
kernel when the process dies, so a killed run never leaves the corpus locked).

A second command either waits, saying so once on stderr, or exits at once with
:class:`~pipeline.errors.CorpusBusyError` (``wait=False``, the CLI's ``--no-wait``).
On taking the lock, temporary files that a killed writer left behind are removed
(:func:`pipeline.fsutil.remove_stale_temp`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.errors import CorpusBusyError
from pipeline.fsutil import remove_stale_temp

log = logging.getLogger(__name__)

LOCK_NAME = ".carmine.lock"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def lock_path(corpus_dir: str | os.PathLike[str]) -> Path:
    return Path(corpus_dir) / LOCK_NAME


@contextmanager
def corpus_lock(
    corpus_dir: str | os.PathLike[str], *, what: str = "rebuild", wait: bool = True,
    timeout: float | None = None, notify: Callable[[str], None] = _say,
) -> Iterator[Path]:
    """Hold the corpus lock for the block (``what`` names the command in messages).

    ``wait``: wait for another holder (``timeout`` seconds at most, None: as long as it
    takes), telling ``notify`` once; else raise CorpusBusyError at once.
    """
    path = lock_path(corpus_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise CorpusBusyError(
                f"{path}: another carmine command is writing this corpus; {what} not started "
                "(run it again when the other one has finished, or without --no-wait to wait)"
            ) from None
        notify(f"{path}: another carmine command is writing this corpus; {what} waits for it to finish")
        try:
            lock.acquire(timeout=-1 if timeout is None else timeout)
        except Timeout:
            raise CorpusBusyError(
                f"{path}: another carmine command still holds this corpus after {timeout:g} s; {what} not started"
            ) from None
    try:
        removed = remove_stale_temp(Path(corpus_dir))
        if removed:
            log.info("removed %d temporary files left by an interrupted run: %s", len(removed),
                     ", ".join(str(p) for p in removed))
        yield path
    finally:
        lock.release()
