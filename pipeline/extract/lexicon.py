"""Lexicons and patterns: data files under ``configs/`` compiled into regular expressions.

Lexicon rows (``configs/lexicons/*.jsonl``) look like::

    {"label": "T-ALL", "synonyms": ["T-cell acute lymphoblastic leukemia"],
     "abbreviations": ["T-ALL"], "ncit": "C3183", "mondo": ""}

``label`` is the GUIDE's canonical value; ``compose`` (lists of alternative words, one taken from
each in order) spells more synonyms. ``synonyms`` match case-insensitively, with
spaces and hyphens interchangeable, British spellings (leukaemia, tumour,
haematopoietic, allogenic) and a plural ``s``; ``abbreviations`` match case-sensitively and
exactly. Any other keys (ontology identifiers, ``implies``...) travel with the label.

Pattern rows (``configs/patterns/*.jsonl``) are ``{"id", "regex", ...}``; ``{NAME}`` in
a regex is replaced by the macro ``NAME`` of ``configs/patterns/macros.jsonl`` (macros
may use earlier macros). Extra keys (``label``, ``confidence``, ``qualifier``...) are the
rule's parameters.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.extract.firstchar import WordStart, WordStartRule, with_first_char, word_start_rule
from pipeline.resources import config_dir

LEXICONS = ("antigens", "diseases", "cell_types", "vectors", "gene_editing", "responses", "toxicities",
            "transplants", "products")
#: pattern files in load order: ``atomic`` and ``macros`` define macros ({NAME}) the later files compose
PATTERN_FILES = ("atomic", "macros", "detectors", "qualifiers", "binding", "measures", "toxicity", "response",
                 "counts", "expansion", "study_design", "context")
MACRO_FILES = frozenset({"atomic", "macros"})

_SEP = r"[\s\-‐‑–]?"
_COMPOUND_LEFT = re.compile(r"[A-Za-z0-9][-‐‑]$")
_COMPOUND_RIGHT = re.compile(r"[-‐‑][A-Za-z0-9]")
#: characters that Python's case-insensitive matching treats specially (dotless i, long s, micro
#: sign, final sigma...): a text holding one is matched by the original IGNORECASE pattern
try:
    from re._casefix import _EXTRA_CASES as _EXTRA  # CPython >= 3.11

    _EQUIV = frozenset(chr(c) for k, v in _EXTRA.items() for c in (k, *v))
except ImportError:  # pragma: no cover - other Pythons: every cased non-ASCII character is unsafe
    _EQUIV: frozenset[str] | None = None  # type: ignore[no-redef]
#: the characters a lexicon match may not follow or precede (``(?<![A-Za-z0-9])``), and lower-cased
_WORD = string.ascii_letters + string.digits
_LOWER_WORD = string.ascii_lowercase + string.digits
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SAFE: dict[str, bool] = {}
_UPPER_ESCAPE = re.compile(r"\\[A-Z]")
_SPELLING = (
    ("leukemia", "leuka?emia"), ("tumor", "tumou?r"), ("hematopoietic", "ha?ematopoietic"),
    ("hematologic", "ha?ematologic"), ("allogeneic", "allogene?ic"), ("'", "['’]"), ("’", "['’]"),
)
_SPELLING_OF = {re.escape(plain): variant for plain, variant in _SPELLING}
_SPELLING_RX = re.compile("|".join(re.escape(k) for k in _SPELLING_OF))


#: the verbs authors misspell most ("achived", "acheived", "recieved", "occured"): a pattern that names the verb
#: reads its common misspellings too, so no rule has to list them
_MISSPELLINGS = {"achiev": "achi?e?i?v", "receiv": "rec(?:ei|ie)v", "occurr": "occurr?"}
#: one pass, and never a second time: a macro already rewritten ("occurr?") is left as it is where a later
#: pattern expands it
_MISSPELLING_RX = re.compile(r"achiev|receiv|occurr(?!\?)")


def _misspelt(regex: str) -> str:
    """``regex`` reading the common misspellings of the verbs it names (:data:`_MISSPELLINGS`)."""
    return _MISSPELLING_RX.sub(lambda m: _MISSPELLINGS[m.group(0)], regex)


def _safe_char(ch: str) -> bool:
    low = ch.lower()
    if len(low) != 1:
        return False
    if _EQUIV is None:
        return low == ch == ch.upper()
    return ch not in _EQUIV and low not in _EQUIV


def lowered(text: str) -> str | None:
    """``text.lower()`` when matching a lower-cased pattern over it case-sensitively finds exactly
    what the IGNORECASE pattern finds over ``text`` (same length, no special case folding), else None.

    ASCII text always qualifies; a non-ASCII letter qualifies when it lower-cases to one
    character and takes no part in Python's extra case equivalences (``ı``, ``ſ``, ``µ``/``μ``, ``ς``...).
    """
    if text.isascii():
        return text.lower()
    for ch in set(_NON_ASCII.findall(text)):
        ok = _SAFE.get(ch)
        if ok is None:
            ok = _SAFE[ch] = _safe_char(ch)
        if not ok:
            return None
    low = text.lower()
    return low if len(low) == len(text) else None


_TOKEN = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\(\?:|.", re.S)


def _literal_tokens(rx: str) -> tuple[list[str], str]:
    """The leading literal characters of ``rx`` (each a token: ``c`` or an escaped ``\\-``), with no
    quantifier after them, and the rest of the regex."""
    out: list[str] = []
    pos = 0
    while pos < len(rx):
        m = _TOKEN.match(rx, pos)
        assert m is not None
        tok = m.group(0)
        literal = (len(tok) == 1 and tok.isalnum()) or (len(tok) == 2 and tok[0] == "\\" and not tok[1].isalnum())
        if not literal or rx[m.end():m.end() + 1] in ("?", "*", "+", "{"):
            break
        out.append(tok)
        pos = m.end()
    return out, rx[pos:]


def _trie(items: list[tuple[list[str], str]]) -> str:
    """``(?:a|b|...)`` for the alternatives ``items`` (leading literal tokens, rest), with the
    alternatives that share a leading literal grouped under it: ``(?:c(?:d19|d22)|b(?:cma))``.

    The same matches as the flat alternation, in the same order of preference: alternatives with
    different first characters cannot match at the same position, and within a group the original
    order is kept. The regex engine then tests one character per group (not every alternative) at
    each position. A level where some alternative has no leading literal is left flat.
    """
    if any(not lits for lits, _ in items):
        return "(?:" + "|".join("".join(lits) + rest for lits, rest in items) + ")"
    groups: dict[str, list[tuple[list[str], str]]] = {}
    for lits, rest in items:
        groups.setdefault(lits[0], []).append((lits[1:], rest))
    alts = []
    for first, members in groups.items():
        if len(members) == 1:
            lits, rest = members[0]
            alts.append(first + "".join(lits) + rest)
        else:
            alts.append(first + _trie(members))
    return "(?:" + "|".join(alts) + ")"


def _literal_trie(forms: list[str]) -> str | None:
    """:func:`_trie` of regexes ``forms`` (None unless each starts with a literal character)."""
    items = [_literal_tokens(f) for f in forms]
    if any(not lits for lits, _ in items):
        return None
    return _trie(items)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines config file; ConfigError names the file and line of a bad row."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ConfigError(f"{path}:{n}: expected a JSON object, found invalid JSON ({e})") from None
            if not isinstance(row, dict):
                raise ConfigError(f"{path}:{n}: expected a JSON object, found {type(row).__name__}")
            rows.append(row)
    return rows


def synonym_regex(term: str, *, plural: bool = True) -> str:
    """A forgiving regex for one synonym (see module docstring)."""
    out = re.escape(term)
    out = re.sub(r"(?:\\ |\\-|-)", lambda _m: _SEP, out)
    # one pass: a variant's own characters are never rewritten again ("'" -> "['’]" must not then see its "’")
    out = _SPELLING_RX.sub(lambda m: _SPELLING_OF[m.group(0)], out)
    return out + ("(?:e?s)?" if plural and term[-1:].isalpha() else "")


def composed(parts: list[list[str]], where: str = "") -> list[str]:
    """The synonyms a ``compose`` row spells: one word from each list, in order (``""`` leaves a slot out).

    ``[["autologous", "auto"], ["", "stem cell", "hematopoietic cell"], ["transplant", "transplantation"]]``
    is "autologous transplant", "auto stem cell transplantation" ... (12 forms): the kind of a term, its
    optional source and its head written once each, not as every combination by hand."""
    if not isinstance(parts, list) or not all(isinstance(p, list) and p and all(isinstance(w, str) for w in p)
                                              for p in parts):
        raise ConfigError(f"{where}: 'compose' must be a list of non-empty lists of strings")
    out = [""]
    for slot in parts:
        out = [f"{a} {b}".strip() if b else a for a in out for b in slot]
    return [f for f in dict.fromkeys(out) if f]


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon match: ``text[start:end]`` is a mention of ``label``."""

    lexicon: str
    label: str
    start: int
    end: int
    synonym: str


@dataclass(slots=True)
class Lexicon:
    """One lexicon file, compiled: ``find(text)`` gives non-overlapping, longest-first matches."""

    name: str
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    _loose: re.Pattern[str] | None = None
    #: the case-sensitive abbreviations, tried after a non-word character (``firstchar.WordStart``)
    _exact: WordStart | None = None
    _by_form: dict[str, str] = field(default_factory=dict)
    _loose_forms: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    #: ``_loose`` lower-cased, case-sensitive, as a literal trie tried after a non-word character: run
    #: over ``lowered(text)``
    _loose_low: WordStart | None = None

    @classmethod
    def from_rows(cls, name: str, rows: list[dict[str, Any]], where: str = "") -> Lexicon:
        lex = cls(name)
        loose: list[tuple[str, str]] = []
        exact: list[str] = []
        for i, row in enumerate(rows, 1):
            label = row.get("label")
            if not isinstance(label, str) or not label:
                raise ConfigError(f"{where}: row {i}: expected a non-empty 'label', found {label!r}")
            lex.rows[label] = row
            for syn in [*row.get("synonyms", []), *composed(row.get("compose", []), f"{where}: row {i}")]:
                loose.append((syn, label))
                lex._by_form[syn.casefold()] = label
            for abbr in row.get("abbreviations", []):
                exact.append(abbr)
                lex._by_form[abbr] = label
        loose.sort(key=lambda p: -len(p[0]))
        exact.sort(key=len, reverse=True)
        bound_l, bound_r = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
        if loose:
            forms = [synonym_regex(s) for s, _ in loose]
            alts = "|".join(f"(?:{f})" for f in forms)
            lex._loose = re.compile(f"{bound_l}(?:{alts}){bound_r}", re.IGNORECASE)
            low_forms = [f.lower() for f in forms]
            trie = _literal_trie(low_forms)
            # a pattern character with extra case equivalents (κ, ϰ, Κ) only matches text holding one of
            # them, and such text is never lowered (see lowered())
            if trie is not None and _EQUIV is not None and not any(_UPPER_ESCAPE.search(f) for f in forms):
                lex._loose_low = WordStart(_LOWER_WORD, f"{trie}(?![a-z0-9])")
        if exact:
            forms = [re.escape(a) for a in exact]
            # "PD-1", "PD-L1": a short form followed by a dash and a number names something else
            trie = _literal_trie(forms) or f"(?:{'|'.join(forms)})"
            lex._exact = WordStart(_WORD, f"{trie}{bound_r}(?![-‐‑](?:\\d|L\\d))")
        lex._loose_forms = [(re.compile(f"^(?:{synonym_regex(s)})$", re.IGNORECASE), lab) for s, lab in loose]
        return lex

    def label_of(self, form: str) -> str | None:
        """The label of a matched surface form."""
        if form in self._by_form:
            return self._by_form[form]
        folded = form.casefold()
        if folded in self._by_form:
            return self._by_form[folded]
        for rx, label in self._loose_forms:
            if rx.match(form):
                return label
        return None

    def find(self, text: str, offset: int = 0, low: str | None = None) -> list[Term]:
        """Matches in ``text``; ``low`` is ``lowered(text)`` when the caller has it (computed if not)."""
        found: list[tuple[int, int]] = []
        if self._exact is not None:
            for s, e in self._exact.spans(text):
                if _COMPOUND_LEFT.search(text, max(0, s - 2), s) and _COMPOUND_RIGHT.match(text, e):
                    continue  # inside a hyphenated name: "CD20-SD-CART" is no stable disease
                found.append((s, e))
        if self._loose_low is not None:
            if low is None:
                low = lowered(text)
            if low is not None:
                found.extend(self._loose_low.spans(low))
            else:
                found.extend(m.span() for m in self._loose.finditer(text))  # type: ignore[union-attr]
        elif self._loose is not None:
            found.extend(m.span() for m in self._loose.finditer(text))
        found.sort(key=lambda s: (s[0], -s[1]))
        out: list[Term] = []
        last = -1
        for s, e in found:
            if s < last:
                continue
            form = text[s:e]
            label = self.label_of(form)
            if label is None:
                continue
            out.append(Term(self.name, label, s + offset, e + offset, form))
            last = e
        return out

    def row(self, label: str) -> dict[str, Any]:
        return self.rows.get(label, {})


@dataclass(slots=True)
class Patterns:
    """All pattern files: ``rules(file)`` gives rows with a compiled ``rx``."""

    macros: dict[str, str]
    files: dict[str, list[dict[str, Any]]]

    def rules(self, name: str) -> list[dict[str, Any]]:
        return self.files[name]

    def rule(self, name: str, rule_id: str) -> dict[str, Any]:
        for row in self.files[name]:
            if row["id"] == rule_id:
                return row
        raise ConfigError(f"configs/patterns/{name}.jsonl: expected a rule with id {rule_id!r}, found none")

    def rx(self, name: str, rule_id: str) -> re.Pattern[str]:
        return self.rule(name, rule_id)["rx"]


def expand_macros(regex: str, macros: dict[str, str], where: str) -> str:
    """``regex`` with each ``{NAME}`` replaced by its macro; an unknown name is a ConfigError naming ``where``."""
    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in macros:
            raise ConfigError(f"{where}: unknown macro {{{key}}} (known: {', '.join(sorted(macros))})")
        return macros[key]

    return re.sub(r"\{([A-Z][A-Z0-9_]*)\}", sub, regex)


@dataclass(slots=True)
class Resources:
    lexicons: dict[str, Lexicon]
    patterns: Patterns


def _term_macro(lex: Lexicon) -> str:
    forms = []
    for row in lex.rows.values():
        forms += [synonym_regex(s) for s in sorted(row.get("synonyms", []), key=len, reverse=True)]
        forms += [re.escape(a) for a in row.get("abbreviations", [])]
    return "(?:" + "|".join(forms) + ")"


@lru_cache(maxsize=4)
def load_resources(configs: str | None = None) -> Resources:
    """Load and compile every lexicon and pattern file once per process (per configs folder)."""
    root = Path(configs) if configs else config_dir()
    lexicons = {}
    for name in LEXICONS:
        path = root / "lexicons" / f"{name}.jsonl"
        if not path.exists():
            raise ConfigError(f"{path}: expected lexicon file is missing")
        lexicons[name] = Lexicon.from_rows(name, read_jsonl(path), where=str(path))
    macros: dict[str, str] = {}
    # lexicon-derived macros: {CRS_TERM}, {ICANS_TERM}, {RESP_TERM}, {PRODUCT_TERM}
    tox = lexicons["toxicities"]
    for label in tox.rows:
        sub = Lexicon.from_rows(label, [tox.row(label)])
        macros[f"{label.upper()}_TERM"] = _term_macro(sub)
    macros["RESP_TERM"] = _term_macro(lexicons["responses"])
    macros["PRODUCT_TERM"] = _term_macro(lexicons["products"])  # "tisa-cel", "Kymriah"
    files: dict[str, list[dict[str, Any]]] = {}
    for name in PATTERN_FILES:
        path = root / "patterns" / f"{name}.jsonl"
        if not path.exists():
            raise ConfigError(f"{path}: expected pattern file is missing")
        rows = read_jsonl(path)
        for i, row in enumerate(rows, 1):
            where = f"{path}:{i}"
            if "id" not in row or "regex" not in row:
                raise ConfigError(f"{where}: expected keys 'id' and 'regex', found {sorted(row)}")
            expanded = _misspelt(expand_macros(row["regex"], macros, where))
            if name in MACRO_FILES:
                macros[row["id"]] = expanded
                continue
            flags = 0 if row.get("case_sensitive") else re.IGNORECASE
            try:
                row["rx"] = re.compile(expanded, flags)
            except re.error as e:
                raise ConfigError(f"{where}: regex of rule {row['id']!r} does not compile: {e}") from None
            row["gate"] = gate_for(row["rx"])
            row["fast"] = case_folded(row["rx"])
            if "lead" in row:  # a second regex read right before each match (patients: the count)
                row["lead_rx"] = re.compile(expand_macros(row["lead"], macros, where), flags)
                row["lead_tail"] = end_literal(row["lead_rx"])
            if "starts" in row:  # where every match of the rule begins: the rule is tried only there
                row["starts_rx"] = re.compile(expand_macros(row["starts"], macros, where))
            if "unless_before" in row and name == "detectors":  # words that must not end right before a match
                row["unless_before_rx"] = re.compile(expand_macros(row["unless_before"], macros, where), flags)
        files[name] = rows
    return Resources(lexicons, Patterns(macros, files))


def config_files(configs: str | None = None) -> list[Path]:
    root = Path(configs) if configs else config_dir()
    calibration = [root / "calibration.json"] if (root / "calibration.json").exists() else []
    return [root / "lexicons" / f"{n}.jsonl" for n in LEXICONS] + [
        root / "patterns" / f"{n}.jsonl" for n in PATTERN_FILES
    ] + calibration


def fingerprint_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


# -- literal gates: skip a regex over a text that cannot hold a match ----------------------------
_MIN_GATE = 2
_MAX_GATE = 40


def _required(items: list[tuple[Any, Any]], ignorecase: bool) -> set[str] | None:
    """Strings one of which every match of the parsed sequence ``items`` contains (None: no such
    set found). Literal runs and the required sets of sub-patterns are candidates; the one whose
    shortest string is longest wins."""
    from re import _constants as c  # type: ignore[attr-defined]

    best: set[str] | None = None

    def consider(cand: set[str] | None) -> None:
        nonlocal best
        if not cand or len(cand) > _MAX_GATE:
            return
        if best is None or (min(map(len, cand)), -len(cand)) > (min(map(len, best)), -len(best)):
            best = cand

    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider({"".join(run).lower() if ignorecase else "".join(run)})
            run = []
        if op is c.SUBPATTERN:
            _group, add, delete, sub = av
            if not add and not delete:
                consider(_required(list(sub), ignorecase))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            if lo >= 1:
                consider(_required(list(sub), ignorecase))
        elif op is c.ATOMIC_GROUP:
            consider(_required(list(av), ignorecase))
        elif op is c.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                req = _required(list(alt), ignorecase)
                if req is None:
                    union = set()
                    break
                union |= req
            consider(union or None)
    return best


@dataclass(frozen=True, slots=True)
class Gate:
    """A necessary condition for ``rx`` to match anywhere in a text: the text holds one of
    ``literals`` (compared lower-cased for an IGNORECASE regex, on ``lowered(text)``)."""

    literals: tuple[str, ...]
    ignorecase: bool

    def open(self, text: str, low: str | None) -> bool:
        if self.ignorecase:
            if low is None:  # case folding not one-to-one: no shortcut
                return True
            return any(lit in low for lit in self.literals)
        return any(lit in text for lit in self.literals)


def gate_for(rx: re.Pattern[str]) -> Gate | None:
    """The :class:`Gate` of a compiled regex, or None when no literal of 3+ characters is required."""
    from re import _parser  # type: ignore[attr-defined]

    ignorecase = bool(rx.flags & re.IGNORECASE)
    try:
        parsed = _parser.parse(rx.pattern, rx.flags)
    except Exception:  # pragma: no cover - compiled already, so it parses
        return None
    if parsed.state.flags & re.VERBOSE:
        return None
    req = _required(list(parsed), ignorecase)
    if not req or min(map(len, req)) < _MIN_GATE:
        return None
    return Gate(tuple(sorted(req)), ignorecase)


# -- case-folded rules: an IGNORECASE regex run case-sensitively over the lower-cased text ------
_GROUP_NAME = re.compile(r"\(\?P[<=][^>)]*[>)]")
_MIXED_RANGE = re.compile(r"[A-Z]-[a-z]|[a-z]-[A-Z]")
_last: list[Any] = [None, None]


def lowered_cached(text: str) -> str | None:
    """``lowered(text)``, remembered for the last text seen (the rules of one Doc run in a row)."""
    if _last[0] is not text:
        _last[0], _last[1] = text, lowered(text)
    return _last[1]


def _lower_regex(pattern: str) -> str | None:
    """``pattern`` with its literal characters lower-cased (escapes, group names kept), or None
    when that could change its meaning (``\\N{...}`` names, a range from one case to the other)."""
    if "\\N" in pattern or _MIXED_RANGE.search(pattern):
        return None
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        m = _GROUP_NAME.match(pattern, i)
        if m:
            out.append(m.group(0))
            i = m.end()
            continue
        out.append(ch.lower())
        i += 1
    return "".join(out)


class CaseFolded:
    """An IGNORECASE rule that finds its matches on ``lowered(text)`` with a lower-cased,
    case-sensitive copy of itself (Python's ``re`` tests literals far faster without IGNORECASE),
    then re-matches the original regex at each found position, so callers get the original
    text's groups. Same matches as ``rx`` (text that ``lowered`` refuses goes to ``rx``)."""

    __slots__ = ("low", "rx")

    def __init__(self, rx: re.Pattern[str], low: re.Pattern[str] | WordStartRule) -> None:
        self.rx, self.low = rx, low

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        low = lowered_cached(text)
        if low is None:
            yield from self.rx.finditer(text, pos, endpos)
            return
        for m in self.low.finditer(low, pos, endpos):
            again = self.rx.match(text, m.start(), endpos)
            if again is None or again.end() != m.end():  # pragma: no cover - equivalence broken
                raise AssertionError(f"case-folded rule {self.rx.pattern[:60]!r} diverged at {m.start()}")
            yield again

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        low = lowered_cached(text)
        if low is None:
            return self.rx.search(text, pos, endpos)
        m = self.low.search(low, pos, endpos)
        return None if m is None else self.rx.match(text, m.start(), endpos)


def _where_it_begins(rx: re.Pattern[str]) -> re.Pattern[str] | WordStartRule:
    """``rx`` tried only where a match can begin: after a non-word character for a rule that opens on a
    word start (:func:`pipeline.extract.firstchar.word_start_rule`), else behind its first-character
    lookahead (:func:`pipeline.extract.firstchar.with_first_char`)."""
    return word_start_rule(rx) or with_first_char(rx)


def case_folded(rx: re.Pattern[str]) -> re.Pattern[str] | WordStartRule | CaseFolded:
    """:class:`CaseFolded` for an IGNORECASE regex where it applies, else ``rx`` itself; either
    tried only where a match can begin (:func:`_where_it_begins`)."""
    if not rx.flags & re.IGNORECASE:
        return _where_it_begins(rx)
    if _EQUIV is None:
        return rx
    lowered_pattern = _lower_regex(rx.pattern)
    if lowered_pattern is None:
        return rx
    try:
        low = re.compile(lowered_pattern, rx.flags & ~re.IGNORECASE)
    except re.error:  # pragma: no cover
        return rx
    if low.groupindex != rx.groupindex or low.groups != rx.groups:  # pragma: no cover
        return rx
    return CaseFolded(rx, _where_it_begins(low))


# -- end literals: a regex anchored at the end of its window -----------------------------------
def end_literal(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """For a regex ending ``<literal>\\s*$`` or ``<literal>\\s+$`` (no MULTILINE): a pattern matching
    that literal alone, with the regex's flags. A window whose text, right-stripped of whitespace, does
    not end with it (``tail.fullmatch(window.rstrip()[-1:])``) holds no match; None otherwise."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    if rx.flags & (re.MULTILINE | re.VERBOSE):
        return None
    items = list(_parser.parse(rx.pattern, rx.flags))
    if len(items) < 3 or items[-1] != (c.AT, c.AT_END):
        return None
    op, av = items[-2]
    if op not in (c.MAX_REPEAT, c.MIN_REPEAT) or av[0] > 1 or av[1] != c.MAXREPEAT or \
            list(av[2]) != [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])]:
        return None
    op, av = items[-3]
    if op is not c.LITERAL or chr(av).isspace():
        return None
    return re.compile(re.escape(chr(av)), rx.flags & re.IGNORECASE)
