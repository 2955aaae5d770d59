"""Lexicon rows: ``compose`` spells synonyms from their parts; a malformed one names its row."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.extract.lexicon import Lexicon, composed


def test_compose_takes_one_word_from_each_list_and_skips_empty_slots():
    forms = composed([["autologous", "auto"], ["", "stem cell"], ["transplant"]])
    assert forms == ["autologous transplant", "autologous stem cell transplant", "auto transplant",
                     "auto stem cell transplant"]


def test_composed_synonyms_match_like_written_ones():
    lex = Lexicon.from_rows("t", [{"label": "auto", "compose": [["autologous"], ["", "stem cell"], ["rescue"]]}])
    text = "after melphalan with autologous stem-cell rescue and later autologous rescue"
    assert [(t.label, text[t.start:t.end]) for t in lex.find(text)] == [
        ("auto", "autologous stem-cell rescue"), ("auto", "autologous rescue")]


@pytest.mark.parametrize("bad", [["autologous"], [[]], [["a", 3]]])
def test_a_malformed_compose_names_its_row(bad):
    with pytest.raises(ConfigError, match="row 1"):
        Lexicon.from_rows("t", [{"label": "auto", "compose": bad}], where="transplants.jsonl")
