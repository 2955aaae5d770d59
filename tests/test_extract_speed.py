"""The speed paths give exactly what the plain ones give (issue 12: outputs must not change).

* ``carmine_abbreviations`` computes scispaCy's two matchers on the ORTH array: compared with
  scispaCy's ``AbbreviationDetector`` itself (same short forms, same long forms) on every gold
  document, and its bracket candidates with scispaCy's ``Matcher`` in order.
* ``detectors.base.scan`` and the qualifiers skip rules whose literal gate the text does not
  open: compared with the ungated scan on every gold text.
* The search forms of ``firstchar`` (first-character and first-two-character lookaheads, word-start
  scans of the lexicon tries and of the rules that open on ``\b``): the same matches and groups as
  the plain regexes, on gold and random text, with ``pos``/``endpos``.
* A count cue's lead is skipped only in windows where it cannot match (``lexicon.end_literal``);
  Doc extensions and span qualifiers read and written directly equal what spaCy's accessors give.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from spacy.attrs import ORTH

from pipeline.extract.api import Extractor
from pipeline.extract.components.abbreviations import bracket_matches, detect, occurrences
from pipeline.extract.detectors.base import _at_starts, rules_of, scan
from pipeline.readers import read_text

ROOT = Path(__file__).resolve().parents[1]
GOLD = [ROOT / "tests/fixtures/gold/extra.jsonl", ROOT / "tests/fixtures/gold/heldout.jsonl",
        ROOT / "tests/fixtures/gold/tune.jsonl", ROOT.parent / "shared/gold/dev.jsonl"]


def _gold_texts() -> list[tuple[str, str]]:
    out = []
    for path in GOLD:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    out.append((f"{path.name}:{rec['id']}", rec["text"]))
    return out


TEXTS = _gold_texts()
EXTRA = [
    ("nested", "Chimeric antigen receptor (CAR (second generation)) T cells (CAR-T) and CAR-T (CART) cells."),
    ("repeat", "Cytokine release syndrome (CRS) occurred; CRS was mild. Grade (G) 1 CRS (CRS) in two (2) (n=2)."),
    ("multi", "Immune effector cell-associated neurotoxicity syndrome (ICE NS) and ICE NS twice: ICE NS."),
    ("long inside", "CRS (cytokine release syndrome) was seen, and ICANS (immune effector cell neurotoxicity)."),
]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _key(pairs) -> set[tuple[int, int, int, int]]:
    return {(s.start, s.end, long.start, long.end) for long, shorts in pairs for s in shorts}


@pytest.mark.parametrize("doc_id,text", TEXTS + EXTRA, ids=[t[0] for t in TEXTS + EXTRA])
def test_abbreviations_match_scispacys_detector(extractor, doc_id, text):
    from scispacy.abbreviation import AbbreviationDetector, filter_matches

    doc = extractor.make_doc(read_text(text, doc_id=doc_id))
    reference = AbbreviationDetector(extractor.nlp, name="reference")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W036\]", category=UserWarning)
        matches = [(m, s + 1, e - 1) for m, s, e in reference.matcher(doc)]
        expected = reference.find_matches_for(filter_matches(matches, doc), doc)
    assert _key(detect(doc)) == _key(expected), doc_id
    orth = doc.to_array(ORTH)
    mine = bracket_matches(orth, doc.vocab.strings["("], doc.vocab.strings[")"])
    kept = [(s, e) for _, s, e in matches if e - s <= 8]  # what filter_matches reads
    assert [(s, e) for _, s, e in mine] == kept, doc_id


def test_occurrences_finds_every_token_sequence():
    import numpy as np

    orth = np.array([1, 2, 1, 2, 2, 1, 2], dtype=np.uint64)
    assert occurrences(orth, orth[0:2]) == [0, 2, 5]
    assert occurrences(orth, orth[3:5]) == [3]
    assert occurrences(orth, orth[0:0]) == []


@pytest.mark.parametrize("group", ["quantities", "asides", "grades", "times", "ages", "sexes", "markers"])
def test_gated_scan_finds_what_every_rule_finds(group):
    rules = rules_of(None, group)
    ungated = [{**r, "gate": None} for r in rules]
    for doc_id, text in TEXTS + EXTRA:
        fast = [(m.span(), r["id"]) for m, r in scan(text, rules)]
        slow = [(m.span(), r["id"]) for m, r in scan(text, ungated)]
        assert fast == slow, f"{doc_id}: group {group}"


@pytest.mark.parametrize("group", ["quantities", "asides", "grades", "times", "ages", "sexes", "markers"])
def test_rules_tried_only_where_they_start_find_every_match(group):
    # a rule's "starts" (where its matches begin) is a shortcut for finditer, never a filter
    rules = [r for r in rules_of(None, group) if r.get("starts_rx") is not None]
    for doc_id, text in TEXTS + EXTRA + [("numbers", "TWO patients, Twenty-one cases, 3/4 (75%), n=5, 1,200 people")]:
        for r in rules:
            everywhere = [m.span() for m in r["rx"].finditer(text)]
            assert [m.span() for m in _at_starts(text, r, 0, len(text))] == everywhere, f"{doc_id}: {r['id']}"


@pytest.mark.parametrize("pattern,expected", [
    (r"(?:a|bc)?\d+x", r"[ab\d]"),         # optional head: its first characters or the next item's
    (r"(?<![\d.])\b(?:more|over)\s+\d", "[mo]"),  # lookbehinds and \b consume nothing
    (r"x?", None),                          # can match empty: anywhere
    (r".abc", None),                        # any character
    (r"[^a]b", None),                       # a negated class
])
def test_first_chars(pattern, expected):
    import re

    from pipeline.extract.firstchar import first_chars

    assert first_chars(re.compile(pattern)) == expected


def test_first_char_lookahead_keeps_every_match_of_every_rule():
    import re

    from pipeline.extract.firstchar import with_first_char
    from pipeline.extract.lexicon import lowered

    res = __import__("pipeline.extract.lexicon", fromlist=["load_resources"]).load_resources()
    rows = [r for name in res.patterns.files for r in res.patterns.rules(name) if "rx" in r]
    texts = [t for _, t in TEXTS + EXTRA]
    changed = 0
    for row in rows:
        rx = row["rx"]
        plain = re.compile(rx.pattern, rx.flags & ~re.IGNORECASE) if rx.flags & re.IGNORECASE else rx
        fast = with_first_char(plain)
        changed += fast is not plain
        for text in texts:
            subject = (lowered(text) or "") if rx.flags & re.IGNORECASE else text
            assert [(m.span(), m.groups()) for m in fast.finditer(subject)] == \
                [(m.span(), m.groups()) for m in plain.finditer(subject)], row["id"]
    assert changed > 20  # most rules open with optional groups: the lookahead applies to them


@pytest.mark.parametrize("doc_id,text", TEXTS[:12] + EXTRA, ids=[t[0] for t in TEXTS[:12] + EXTRA])
def test_sentence_starts_written_at_once_are_the_tokens_sentence_starts(extractor, doc_id, text):
    doc = extractor.nlp.get_pipe("carmine_sentencizer")(extractor.make_doc(read_text(text, doc_id=doc_id)))
    starts = doc._.carmine_sent_starts
    assert [t.idx for t in doc if t.is_sent_start] == starts
    assert all(t.is_sent_start is None for t in doc if t.idx not in starts)  # the others left unset


@pytest.mark.parametrize("body,text", [
    ("(?:ab|a)", "ab ab-ab\nabab (ab)"),            # at the start, after each separator, never inside a word
    ("(?:a-|b)", "a-b a-a-b"),                    # a match ending on a non-word character: the next may follow
    ("(?:cd19|cd)", "cd19cd cd19 xcd19 cd"),
    ("b", ""),
])
def test_word_start_finds_what_the_lookbehind_finds(body, text):
    import re

    from pipeline.extract.firstchar import WordStart

    word = "abcdefghijklmnopqrstuvwxyz0123456789"
    plain = re.compile(f"(?<![a-z0-9]){body}")
    assert WordStart(word, body).spans(text) == [m.span() for m in plain.finditer(text)]


def test_lexicon_word_start_scans_find_what_the_lookbehind_regexes_find():
    import re

    from pipeline.extract.lexicon import load_resources, lowered

    texts = [t for _, t in TEXTS + EXTRA]
    for lex in load_resources().lexicons.values():
        for scanner, lower in ((lex._loose_low, True), (lex._exact, False)):
            if scanner is None:
                continue
            plain = re.compile(scanner.at.pattern, scanner.at.flags)
            for text in texts:
                subject = (lowered(text) or "") if lower else text
                assert scanner.spans(subject) == [m.span() for m in plain.finditer(subject)], lex.name


def test_extension_reads_what_the_doc_accessor_reads(extractor):
    from pipeline.extract.components.base import extension

    doc = extractor.nlp(extractor.make_doc(read_text(TEXTS[0][1], doc_id=TEXTS[0][0])))
    names = ("carmine_zones", "carmine_meta", "carmine_findings", "carmine_terms", "carmine_design",
             "carmine_sent_starts")
    assert all(extension(doc, name) is getattr(doc._, name) for name in names)
    assert all(getattr(doc._, name) is not None for name in names)
    assert extension(extractor.nlp.make_doc("No extension set."), "carmine_findings") is None


@pytest.mark.parametrize("pattern,applies", [
    (r"\b(?:can|may)\b", True),
    (r"(?<![\d.])\b(?:more|over)\s+\d", True),     # a lookbehind before the boundary
    (r"\bpatients?|\bcases?", True),
    (r"\bcan|may", False),                          # one alternative without the boundary
    (r"\b(?:\s|x)", False),                         # the boundary before a space
    (r"\b-x", False),
])
def test_word_start_rule_applies_only_where_every_match_opens_a_word(pattern, applies):
    import re

    from pipeline.extract.firstchar import word_start_rule

    assert (word_start_rule(re.compile(pattern)) is not None) == applies


@pytest.mark.parametrize("text", ["can may", "écan can_may (may)can", "", "may", "x may\n\ncan.can", "ΣcanΣ may"])
def test_word_start_rule_finds_what_the_regex_finds(text):
    import re

    from pipeline.extract.firstchar import word_start_rule

    plain = re.compile(r"\b(?:can|may)")
    fast = word_start_rule(plain)
    for pos, endpos in ((0, len(text)), (1, len(text)), (2, max(len(text) - 1, 0)), (4, 5)):
        assert [m.span() for m in fast.finditer(text, pos, endpos)] == \
            [m.span() for m in plain.finditer(text, pos, endpos)]
        found, expected = fast.search(text, pos, endpos), plain.search(text, pos, endpos)
        assert (found and found.span()) == (expected and expected.span())


def test_word_start_rules_find_every_match_of_every_rule():
    import re

    from pipeline.extract.firstchar import word_start_rule
    from pipeline.extract.lexicon import load_resources, lowered

    res = load_resources()
    rows = [r for name in res.patterns.files for r in res.patterns.rules(name) if "rx" in r]
    texts = [t for _, t in TEXTS + EXTRA]
    applied = 0
    for row in rows:
        rx = row["rx"]
        plain = re.compile(rx.pattern, rx.flags & ~re.IGNORECASE) if rx.flags & re.IGNORECASE else rx
        fast = word_start_rule(plain)
        if fast is None:
            continue
        applied += 1
        for text in texts:
            subject = (lowered(text) or "") if rx.flags & re.IGNORECASE else text
            assert [(m.span(), m.groups()) for m in fast.finditer(subject)] == \
                [(m.span(), m.groups()) for m in plain.finditer(subject)], row["id"]
            mid = len(subject) // 2
            found, expected = fast.search(subject, mid), plain.search(subject, mid)
            assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))
    assert applied > 50  # most cue rules open with a word boundary


@pytest.mark.parametrize("pattern,expected", [
    (r"(?:a|bc)?\d+x", r"[a][\d]|[b][c]|[\d][\dx]"),   # the optional head's pairs, then the repeat's
    (r"(?<![\d.])\b(?:more|over)\s+\d", "[m][o]|[o][v]"),
    (r"(?:median\s+)?\d+", r"[m][e]|[\d]"),              # a lone digit: anything may follow
    (r"x?", None),
    (r"\d+", None),                                      # nothing narrower than the first character
    (r"(?:\s+|a)b", None),                               # a match may open on a space
])
def test_first_pairs(pattern, expected):
    import re

    from pipeline.extract.firstchar import first_pairs

    assert first_pairs(re.compile(pattern)) == expected


@pytest.mark.parametrize("seed", range(2))
def test_first_pair_lookahead_keeps_every_match_on_random_text(seed):
    import random
    import re

    from pipeline.extract.firstchar import with_first_char
    from pipeline.extract.lexicon import load_resources, lowered

    rng = random.Random(seed)
    words = [w for _, t in TEXTS[:10] for w in re.findall(r"\S+", t)]
    texts = [" ".join(rng.choice(words) for _ in range(200)) for _ in range(20)]
    res = load_resources()
    for name in res.patterns.files:
        for row in res.patterns.rules(name):
            if "rx" not in row:
                continue
            rx = row["rx"]
            plain = re.compile(rx.pattern, rx.flags & ~re.IGNORECASE) if rx.flags & re.IGNORECASE else rx
            fast = with_first_char(plain)
            for text in texts:
                subject = (lowered(text) or "") if rx.flags & re.IGNORECASE else text
                assert [m.span() for m in fast.finditer(subject)] == [m.span() for m in plain.finditer(subject)]


def test_lead_end_literal_never_skips_a_window_the_lead_matches_in():
    from pipeline.extract.assemblers.counts import LEAD_WINDOW
    from pipeline.extract.lexicon import load_resources

    rows = [r for rs in load_resources().patterns.files.values() for r in rs if r.get("lead_tail") is not None]
    assert {r["id"] for r in rows} >= {"car_group_n_eq", "the_n", "given_to"}
    matched = 0
    for _, text in TEXTS[:25] + EXTRA:
        ends = [q for q in range(1, len(text) + 1) if text[q - 1] in "( "]  # where a lead can end, and more
        for row in rows:
            for q in ends:
                lo = max(0, q - LEAD_WINDOW)
                if row["lead_rx"].search(text, lo, q) is not None:
                    matched += 1
                    assert row["lead_tail"].fullmatch(text[lo:q].rstrip()[-1:]), (row["id"], text[lo:q])
    assert matched > 100


@pytest.mark.parametrize("doc_id,text", TEXTS[:8], ids=[t[0] for t in TEXTS[:8]])
def test_qualifiers_written_directly_read_back_through_the_span_extensions(extractor, doc_id, text):
    from pipeline.extract.qualifiers.context import TARGET_GROUPS, qualifier_at
    from pipeline.extract.spans import QUALIFIERS, spans_of

    doc = extractor.nlp(extractor.make_doc(read_text(text, doc_id=doc_id)))
    spans = [span for group in TARGET_GROUPS for span in spans_of(doc, group)]
    assert spans
    for name in QUALIFIERS:
        assert [getattr(span._, name) for span in spans] == [qualifier_at(doc, name, span.start_char) for span in spans]
