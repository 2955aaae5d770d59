"""The extractor's fast paths find exactly what the plain regexes find.

``Lexicon.find`` runs a lower-cased, literal-trie form of each lexicon's case-insensitive
alternation over the lower-cased text (``lexicon.lowered``); these tests compare it with the
original ``IGNORECASE`` alternation on real synonyms in random case, glued with separators and
characters that Python's case folding treats specially.
"""

from __future__ import annotations

import random

import pytest

from pipeline.extract.lexicon import Lexicon, _literal_trie, load_resources, lowered

ODD = ["ı", "İ", "ſ", "K", "µ", "μ", "Σ", "ς", "σ", "κ", "ϰ", "é", "É", "γδ", "α", "ß", "ﬅ", "–", "‐", "’", "≥"]
GLUE = [" ", "-", " (", ") ", ", ", "/", "", "\n\n", "s ", "es ", "’s ", "1", "x"]


def _slow(lex: Lexicon, text: str) -> list:
    saved = lex._loose_low
    lex._loose_low = None
    try:
        return lex.find(text)
    finally:
        lex._loose_low = saved


def _random_case(rng: random.Random, s: str) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in s)


@pytest.mark.parametrize("seed", range(6))
def test_lowered_lexicon_matches_the_ignorecase_regex(seed: int) -> None:
    rng = random.Random(seed)
    lexicons = load_resources().lexicons
    forms = [f for lex in lexicons.values() for row in lex.rows.values()
             for f in (*row.get("synonyms", []), *row.get("abbreviations", []))]
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.6:
                form = rng.choice(forms)
                parts.append(_random_case(rng, form) if rng.random() < 0.5 else form)
            elif r < 0.75:
                parts.append(rng.choice(ODD))
            else:
                parts.append(rng.choice(GLUE))
            parts.append(rng.choice(GLUE))
        text = "".join(parts)
        for lex in lexicons.values():
            assert lex.find(text) == _slow(lex, text), (lex.name, text)


def test_lowered_refuses_text_with_special_case_folding() -> None:
    assert lowered("CAR-T Cells") == "car-t cells"
    assert lowered("γδ T cells ≥ 3") == "γδ t cells ≥ 3"
    for odd in ("ı", "İ", "ſ", "µ", "μ", "Σ", "ς", "κ"):
        assert lowered(f"CD19 {odd}") is None


def test_literal_trie_keeps_the_order_of_preference() -> None:
    import re

    forms = ["cd19", "cd1", "cd22", "b[\\s\\-]?cell", "bcma", "c\\-met"]
    trie = _literal_trie(forms)
    assert trie is not None
    flat = re.compile("(?:" + "|".join(forms) + ")")
    tried = re.compile(trie)
    for text in ("cd19 cd1 cd22 b-cell bcma c-met cd190", "cd1cd19", "b cell bcma"):
        assert [m.span() for m in flat.finditer(text)] == [m.span() for m in tried.finditer(text)]


def test_case_folded_rules_find_what_the_ignorecase_rules_find() -> None:
    from pipeline.extract.lexicon import CaseFolded

    texts = [
        "A 34-Year-Old MALE patient and Patient 2, a total of 20 Patients were ENROLLED; ORR 81.8% (9/11).",
        "Median follow-up was 12 Months after CAR-T infusion; CRS Grade ≥3 in 2 (10%). µL ſ ı",
        "Five cHL patients and 1 ALCL patient were enrolled. Peak expansion 350, 758 copies/μg on day 6.",
        "RETROSPECTIVE real-world cohort of 84 patients treated with autologous CD19 CAR T cells.",
    ]
    checked = 0
    for rows in load_resources().patterns.files.values():
        for row in rows:
            fast = row.get("fast")
            if not isinstance(fast, CaseFolded):
                continue
            checked += 1
            for text in texts:
                assert [m.span() for m in fast.finditer(text)] == [m.span() for m in row["rx"].finditer(text)]
                a, b = fast.search(text, 5, len(text) - 3), row["rx"].search(text, 5, len(text) - 3)
                assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict()))
    assert checked > 20
