"""Phenomena and data conventions of the sixth round (each case written for this test, not copied from a gold line)."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline.errors import ConfigError
from pipeline.extract.assemblers.durations import CarmineDurations
from pipeline.extract.lexicon import config_dir


def _with_measure_row(tmp_path, row):
    configs = tmp_path / "configs"
    shutil.copytree(config_dir(), configs)
    with (configs / "patterns" / "measures.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    return str(configs)


def test_a_measure_rules_conditions_expand_the_macros(tmp_path):
    configs = _with_measure_row(tmp_path, {"id": "probe", "measure": "other", "side": "left", "regex": "probe$",
                                           "needs_left": "{TRANSPLANT_WORD}", "prev_sentence": "{CAR}"})
    rule = next(r for r in CarmineDurations("d", configs).rules if r["id"] == "probe")
    assert rule["needs_left_rx"].search("relapsed after a haploidentical graft")
    assert rule["needs_left_rx"].search("after ASCT")
    assert not rule["needs_left_rx"].search("after chemotherapy")
    assert rule["prev_rx"].search("tisagenlecleucel is a CAR-T product")


def test_an_unknown_macro_in_a_condition_names_the_rule(tmp_path):
    configs = _with_measure_row(tmp_path, {"id": "probe", "measure": "other", "side": "left", "regex": "probe$",
                                           "unless_left": "{NO_SUCH_MACRO}"})
    with pytest.raises(ConfigError, match=r"probe.*NO_SUCH_MACRO"):
        CarmineDurations("d", configs)
