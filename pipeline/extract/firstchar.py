"""First-character lookaheads: the same regex, tried only where a match can begin.

Python's ``re`` tries a pattern at every position of the text; a pattern that opens with
optional groups and alternatives ("(?:median of )?(?:more than )?(?:about )?<number> <unit>")
costs dozens of steps per position even where no match can start. :func:`first_chars` reads
the parsed pattern and returns the character class every match's first character belongs to
(None when it cannot tell: a pattern that can match the empty string, a negated class, ``.``);
:func:`with_first_char` prefixes the pattern with ``(?=[that class])``. The prefix rejects only
positions where the original cannot match, so the matches, their spans and groups are the same
(``tests/test_extract_speed.py`` compares them on every gold text).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}
_MAX_RANGE = 512


def _escape(code: int) -> str:
    ch = chr(code)
    return "\\" + ch if ch in "\\]^-[" else ch


def _seq(items: list[tuple[Any, Any]]) -> tuple[list[str] | None, bool]:
    """(class items of the first consumed character, whether the sequence can match empty)."""
    out: list[str] = []
    for item in items:
        first, nullable = _one(*item)
        if first is None:
            return None, False
        out += first
        if not nullable:
            return out, False
    return out, True


def _one(op: Any, av: Any) -> tuple[list[str] | None, bool]:
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return [_escape(av)], False
    if op is c.IN:
        items: list[str] = []
        for kind, val in av:
            if kind is c.LITERAL:
                items.append(_escape(val))
            elif kind is c.RANGE and val[1] - val[0] < _MAX_RANGE:
                items.append(f"{_escape(val[0])}-{_escape(val[1])}")
            elif kind is c.CATEGORY and str(val) in _CATEGORIES:
                items.append(_CATEGORIES[str(val)])
            else:  # a negated class, a wide range, a negated category
                return None, False
        return items, False
    if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
        return [], True  # zero width: the next item consumes the first character
    if op is c.SUBPATTERN:
        _group, add, delete, sub = av
        if add or delete:
            return None, False  # local flags (case) change what a literal means
        return _seq(list(sub))
    if op is c.ATOMIC_GROUP:
        return _seq(list(av))
    if op is c.BRANCH:
        out: list[str] = []
        nullable = False
        for alt in av[1]:
            first, empty = _seq(list(alt))
            if first is None:
                return None, False
            out += first
            nullable = nullable or empty
        return out, nullable
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, _hi, sub = av
        first, empty = _seq(list(sub))
        if first is None:
            return None, False
        return first, empty or lo == 0
    return None, False  # ANY, GROUPREF, NOT_LITERAL, ...


def first_chars(rx: re.Pattern[str]) -> str | None:
    """The class (``[...]``) of every match's first character, or None where it cannot tell
    (or the pattern is case-insensitive, where a literal stands for more than one character)."""
    from re import _parser  # type: ignore[attr-defined]

    if rx.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    parsed = _parser.parse(rx.pattern, rx.flags)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    first, nullable = _seq(list(parsed))
    if first is None or nullable or not first:
        return None
    return "[" + "".join(dict.fromkeys(first)) + "]"


_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
_MAX_PAIRS = 300
_Pair = tuple[tuple[str, ...], tuple[str, ...] | None]


def _pairs(items: list[tuple[Any, Any]], depth: int = 0) -> list[_Pair] | None:
    """``(first, second)`` for the parsed sequence ``items``: the class items of a match's first character
    and of the character after it (None: any, or none), one pair per way the sequence can begin; None
    where it cannot tell (as :func:`_seq`). Zero-width items are skipped: they only rule positions out."""
    from re import _constants as c  # type: ignore[attr-defined]

    if depth > 16:
        return None
    while items and items[0][0] in (c.AT, c.ASSERT, c.ASSERT_NOT):
        items = items[1:]
    if not items:
        return None  # the match may end here: no first character
    op, av = items[0]
    rest = items[1:]
    if op is c.LITERAL or op is c.IN:
        first, _ = _one(op, av)
        if first is None:
            return None
        second, nullable = _seq(rest)
        return [(tuple(first), None if second is None or nullable or not second else tuple(second))]
    if op is c.SUBPATTERN:
        _group, add, delete, sub = av
        return None if add or delete else _pairs(list(sub) + rest, depth + 1)
    if op is c.ATOMIC_GROUP:
        return _pairs(list(av) + rest, depth + 1)
    out: list[_Pair] = []
    if op is c.BRANCH:
        for alt in av[1]:
            found = _pairs(list(alt) + rest, depth + 1)
            if found is None:
                return None
            out += found
    elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        first, nullable = _seq(list(sub))
        if first is None or nullable:
            return None
        more = [] if hi == 1 else [(op, (max(lo - 1, 0), hi if hi == c.MAXREPEAT else hi - 1, sub))]
        once = _pairs(list(sub) + more + rest, depth + 1)  # one repetition, then the others or what follows
        if once is None:
            return None
        out += once
        if lo == 0:
            skipped = _pairs(rest, depth + 1)
            if skipped is None:
                return None
            out += skipped
    else:
        return None
    return out if len(out) <= _MAX_PAIRS else None


def first_pairs(rx: re.Pattern[str]) -> str | None:
    """An alternation of the first two characters every match begins with (``a[bc]|m[eo]|[\\d]``: a
    first character alone where any may follow), for a lookahead that rejects a position on two
    characters instead of one; None where it cannot tell or no pair narrows what :func:`first_chars`
    says (case-insensitive patterns, as there)."""
    from re import _parser  # type: ignore[attr-defined]

    if rx.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    parsed = _parser.parse(rx.pattern, rx.flags)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    pairs = _pairs(list(parsed))
    if not pairs or all(second is None for _, second in pairs):
        return None
    if any("\\s" in first or " " in first for first, _ in pairs):
        # a match may open on a space: spaces are everywhere, and the second test costs more than it saves
        return None
    groups: dict[tuple[str, ...], list[str] | None] = {}
    for first, second in pairs:
        if first not in groups:
            groups[first] = []
        seconds = groups[first]
        if seconds is None or second is None:
            groups[first] = None
        else:
            seconds.extend(second)
    alts = []
    for first, seconds in groups.items():
        head = f"[{''.join(dict.fromkeys(first))}]"
        alts.append(head if seconds is None else f"{head}[{''.join(dict.fromkeys(seconds))}]")
    return "|".join(alts)


def with_first_char(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` tried only where a match can begin (the same pattern when :func:`first_chars` cannot tell)."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    parsed = list(_parser.parse(rx.pattern, rx.flags))
    if parsed and parsed[0][0] in (c.LITERAL, c.IN):
        return rx  # re already skips to where its first literal or class stands
    cls = first_chars(rx)
    if cls is None:
        return rx
    pairs = first_pairs(rx)
    flags = _GLOBAL_FLAGS.match(rx.pattern)
    head = flags.group(0) if flags else ""
    body = rx.pattern[len(head):]
    try:
        fast = re.compile(f"{head}(?={cls}){'' if pairs is None else f'(?={pairs})'}(?:{body})", rx.flags)
    except re.error:  # pragma: no cover - a class we escaped wrongly: keep the original
        return rx
    if fast.groupindex != rx.groupindex or fast.groups != rx.groups:  # pragma: no cover
        return rx
    return fast


class WordStart:
    """``(?<![word]){body}``'s ``finditer`` spans, with the regex engine scanning for the character
    before a match instead of trying the pattern at every position.

    ``re`` runs a pattern whose first item is a character class as a tight loop over the text
    (only where the class matches does it try the rest); a lookbehind or lookahead first item is
    tried at every position. ``scan`` is ``[^word](?=[first]){body}``: it consumes the character
    before a match, so its matches are the original's shifted by one, and the explicit ``at`` match
    covers the positions where nothing is there to consume (the start of the text, and right after
    a match that ended on a non-word character). Same spans, same order of preference
    (``tests/test_extract_speed.py``). ``body`` must not match the empty string.
    """

    __slots__ = ("at", "scan", "word")

    def __init__(self, word: str, body: str, flags: int = 0) -> None:
        self.word = frozenset(word)
        cls = "".join(sorted(self.word))
        self.at = re.compile(f"(?<![{cls}]){body}", flags)
        first = first_chars(re.compile(body, flags))
        self.scan = re.compile(f"[^{cls}]{'' if first is None else f'(?={first})'}(?:{body})", flags)

    def spans(self, text: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        pos = 0
        word, at, scan = self.word, self.at, self.scan
        while True:
            if pos == 0 or text[pos - 1] not in word:
                m = at.match(text, pos)
                if m is not None:
                    out.append((pos, m.end()))
                    pos = m.end()
                    continue
            m = scan.search(text, pos)
            if m is None:
                return out
            out.append((m.start() + 1, m.end()))
            pos = m.end()


_WORD_CHAR = re.compile(r"\w")
_ASCII_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _word_class(items: list[str]) -> bool:
    """Every character of the class ``[items]`` (``_one``'s items) is a word character (``\\w``)."""
    for item in items:
        if item in ("\\d", "\\w"):
            continue
        if item == "\\s":
            return False
        chars = item.replace("\\", "")
        if len(chars) == 3 and chars[1] == "-":  # a range
            if any(not _WORD_CHAR.match(chr(c)) for c in range(ord(chars[0]), ord(chars[2]) + 1)):
                return False
        elif len(chars) != 1 or not _WORD_CHAR.match(chars):
            return False
    return True


def _at_word_start(items: list[tuple[Any, Any]]) -> bool:
    """Every match of the parsed sequence ``items`` begins where ``\\b`` holds, on a word character."""
    from re import _constants as c  # type: ignore[attr-defined]

    while items and items[0][0] in (c.ASSERT, c.ASSERT_NOT):
        items = items[1:]  # a lookaround before the boundary only rules out more positions
    if not items:
        return False
    op, av = items[0]
    if op is c.AT and av is c.AT_BOUNDARY:
        first, nullable = _seq(items[1:])
        return first is not None and bool(first) and not nullable and _word_class(first)
    if op is c.SUBPATTERN:
        _group, add, delete, sub = av
        return not add and not delete and _at_word_start(list(sub) + items[1:])
    if op is c.BRANCH:
        return all(_at_word_start(list(alt) + items[1:]) for alt in av[1])
    return False


class WordStartRule:
    """A case-sensitive regex whose every match begins at a word start (``\\b`` then a word character:
    "\\b(?:can|may|might)\\b", "\\bpatients?|\\bcases?"), searched like :class:`WordStart`: the engine
    scans for a character before a match (``[^A-Za-z0-9_](?=[first])(?:pattern)``: every character
    but the ASCII word characters, a bitmap test; the pattern's own ``\\b`` then checks that it is not
    a word character) instead of trying the pattern at every position, and each match found is the
    original pattern's own match there (same span, same groups). ``finditer`` and ``search`` take
    ``pos`` and ``endpos`` as ``re`` does; :func:`word_start_rule` says where it applies."""

    __slots__ = ("groupindex", "groups", "pattern", "rx", "scan")

    def __init__(self, rx: re.Pattern[str], scan: re.Pattern[str]) -> None:
        self.rx, self.scan = rx, scan
        self.pattern, self.groups, self.groupindex = rx.pattern, rx.groups, rx.groupindex

    def _next(self, text: str, pos: int, endpos: int) -> re.Match[str] | None:
        if pos == 0 or (pos <= len(text) and text[pos - 1] not in _ASCII_WORD):
            m = self.rx.match(text, pos, endpos)
            if m is not None:
                return m
        hit = self.scan.search(text, pos, endpos)
        return None if hit is None else self.rx.match(text, hit.start() + 1, endpos)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._next(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        while True:
            m = self._next(text, pos, endpos)
            if m is None:
                return
            yield m
            pos = m.end()  # never empty: a match holds at least its first word character

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.rx.match(text, pos, endpos)


def word_start_rule(rx: re.Pattern[str]) -> WordStartRule | None:
    """:class:`WordStartRule` for a case-sensitive, Unicode regex whose matches all begin at a word
    start, else None."""
    from re import _parser  # type: ignore[attr-defined]

    if rx.flags & (re.IGNORECASE | re.VERBOSE | re.ASCII | re.LOCALE) or _GLOBAL_FLAGS.match(rx.pattern):
        return None
    if not _at_word_start(list(_parser.parse(rx.pattern, rx.flags))):
        return None
    cls = first_chars(rx)
    scan = re.compile(f"[^A-Za-z0-9_]{'' if cls is None else f'(?={cls})'}(?:{rx.pattern})", rx.flags)
    if scan.groups != rx.groups:  # pragma: no cover
        return None
    return WordStartRule(rx, scan)
