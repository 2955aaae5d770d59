"""Hypothesis strategies of pathological text, for fuzzing the extractor (issue 15).

The audit's bad inputs, as generators: long runs of one character, of digits, of
brackets and of whitespace, dropped into real-looking clinical sentences; unusual
Unicode (lone surrogates included where the caller allows them); and whole JSON lines
as ``annotate`` reads them (odd ids, odd types, bytes that are not UTF-8).
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

#: Clinical phrases the rules react to: the pathological runs are put between them.
PHRASES = (
    "A 45-year-old man with relapsed diffuse large B-cell lymphoma received CD19 CAR-T cells.",
    "Cytokine release syndrome (CRS) grade 2 occurred in 17 of 20 patients (85%).",
    "Grade 1 ICANS was observed; complete remission (CR) at day 28.",
    "The median follow-up was 12 months (range, 3-24).",
    "Peak CAR-T expansion was 10^5 copies/ug DNA on day 7.",
    "et al.",
    "BCMA-directed CAR-NK cells, lentiviral vector",
)
RUN_CHARS = "0123456789()[]{}<> \t\n-.,;:aAxX%/+=~\u00a0\u2009\u2010"


@st.composite
def runs(draw, max_len: int = 6000) -> str:
    """One pathological run: a character, digits, brackets, or whitespace, repeated."""
    kind = draw(st.sampled_from(["same", "digits", "brackets", "space", "parens-balanced"]))
    n = draw(st.integers(min_value=1, max_value=max_len))
    if kind == "same":
        return draw(st.sampled_from(RUN_CHARS)) * n
    if kind == "digits":
        return "".join(str((i * 7 + n) % 10) for i in range(n))
    if kind == "brackets":
        return "".join(draw(st.lists(st.sampled_from("()[]{}<>"), min_size=1, max_size=8))) * (n // 4 + 1)
    if kind == "space":
        return draw(st.sampled_from([" ", "\t", "\n", " \n", "\u00a0"])) * n
    return "(" * (n // 2) + ")" * (n // 2)


@st.composite
def pathological_text(draw, surrogates: bool = False) -> str:
    """Clinical phrases with pathological runs and odd Unicode between them."""
    alphabet = st.characters(codec=None if surrogates else "utf-8",
                             exclude_categories=() if surrogates else ("Cs",))
    pieces = draw(st.lists(st.one_of(st.sampled_from(PHRASES), runs(), st.text(alphabet, max_size=40)),
                           min_size=1, max_size=8))
    return " ".join(pieces)


@st.composite
def annotate_lines(draw) -> bytes:
    """One input line of ``annotate``, good or bad, as bytes."""
    kind = draw(st.sampled_from(["good", "good", "odd-id", "odd-text", "not-json", "not-utf8", "surrogate"]))
    text = draw(pathological_text())
    if kind == "good":
        return json.dumps({"id": draw(st.one_of(st.text(min_size=1, max_size=8), st.integers())),
                           "text": text}).encode()
    if kind == "odd-id":
        return json.dumps({"id": draw(st.one_of(st.none(), st.booleans(), st.lists(st.integers(), max_size=2),
                                                st.just(""))), "text": text}).encode()
    if kind == "odd-text":
        return json.dumps({"id": "x", "text": draw(st.one_of(st.none(), st.integers(), st.just(""),
                                                             st.dictionaries(st.text(max_size=3), st.integers(),
                                                                             max_size=2)))}).encode()
    if kind == "not-json":
        return draw(st.binary(max_size=60)).replace(b"\n", b" ")
    if kind == "not-utf8":
        return json.dumps({"id": "b", "text": text}).encode()[:-2] + b"\xe9\xff\"}"
    return json.dumps({"id": "s", "text": text + "\ud800"}).encode()
