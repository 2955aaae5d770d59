"""``annotate`` on bad input files (issue 15, item 16): a bad line is skipped and named, never
the whole file; ``0`` is an id; a UTF-8 BOM costs nothing; the output is replaced atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import annotate_file

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = ("We report a case of a 34-year-old male patient with T-ALL treated with anti-CD7 CAR-T cells. "
        "Cytokine release syndrome (CRS) grade 1 occurred.")
JATS = (FIXTURES / "readers" / "jats_fcvm_2022_848091.xml").read_text(encoding="utf-8")


def line(doc_id, text=GOOD, **extra) -> str:
    return json.dumps({"id": doc_id, "text": text, **extra})


def write(path: Path, lines: list[str], encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.write_bytes(bom + ("\n".join(lines) + "\n").encode(encoding))
    return path


def ids(out: Path) -> list[str]:
    return [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def extractor():
    from pipeline.extract import Extractor

    return Extractor()


def test_every_kind_of_bad_line_is_skipped_and_the_rest_written(tmp_path, extractor):
    lines = [
        line("first"),
        '{"id": "surrogate", "text": "CRS grade 2 \\ud800 in one patient."}',  # a lone surrogate escape
        line("huge", "CAR-T " * 200_000),  # 1.2M characters: over spaCy's limit (E088)
        line("jats-d800", JATS.replace("<abstract>", "<abstract><p>bad &#xD800; char</p>", 1)),
        line("odd-epmc", json.dumps({"id": "1", "doi": 5, "abstractText": ["x"], "title": {"a": 1}})),
        line(0),  # 0 is an id
        '{"id": null, "text": "x"}',
        line("last"),
    ]
    src = write(tmp_path / "in.jsonl", lines)
    raw = src.read_bytes().replace(b'"id": "last"', b'"id": "last", "note": "caf\xe9"')  # windows-1252 byte
    src.write_bytes(raw + line("after-bytes").encode() + b"\n")
    out = tmp_path / "out.jsonl"
    summary = annotate_file(src, out, extractor=extractor)
    assert "0" in ids(out) and ids(out)[0] == "first" and ids(out)[-1] == "after-bytes"
    reasons = {e.line: e.reason for e in summary.errors}
    assert "lone surrogate (\\ud800)" in reasons[2]
    assert "over 1000000 (extraction_limits.max_input_chars)" in reasons[3]
    assert "missing ['id']" in reasons[7]
    assert "not UTF-8 (byte 0xe9" in reasons[8]
    assert summary.lines_read == 9
    assert summary.written + summary.skipped == 9
    # whatever the readers make of the odd ones, each line either came out or is named
    for name, number in (("jats-d800", 4), ("odd-epmc", 5)):
        assert (name in ids(out)) != (number in reasons)
    if 5 in reasons:
        assert "document odd-epmc" in reasons[5]


def test_a_reader_crash_costs_only_its_line(tmp_path, extractor, monkeypatch):
    import pipeline.readers

    real = pipeline.readers.read_text

    def flaky(text, doc_id=None, **kw):
        if doc_id == "crash":
            raise KeyError("europepmc_json")
        return real(text, doc_id=doc_id, **kw)

    monkeypatch.setattr(pipeline.readers, "read_text", flaky)
    src = write(tmp_path / "in.jsonl", [line("a"), line("crash"), line("b")])
    summary = annotate_file(src, tmp_path / "out.jsonl", extractor=extractor)
    assert ids(tmp_path / "out.jsonl") == ["a", "b"]
    (err,) = summary.errors
    assert err.line == 2 and "document crash: unreadable text (KeyError: 'europepmc_json')" in err.reason


def test_a_utf8_bom_does_not_cost_the_first_line(tmp_path, extractor):
    src = write(tmp_path / "in.jsonl", [line("one"), line("two")], bom=b"\xef\xbb\xbf")
    summary = annotate_file(src, tmp_path / "out.jsonl", extractor=extractor)
    assert ids(tmp_path / "out.jsonl") == ["one", "two"] and not summary.errors


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_read(tmp_path, extractor, encoding):
    src = write(tmp_path / "in.jsonl", [line("one"), line("two")], encoding=encoding)
    summary = annotate_file(src, tmp_path / "out.jsonl", extractor=extractor)
    assert ids(tmp_path / "out.jsonl") == ["one", "two"] and not summary.errors


def test_the_output_is_replaced_only_when_complete(tmp_path, extractor, monkeypatch):
    out = tmp_path / "out.jsonl"
    out.write_text("earlier output\n", encoding="utf-8")
    src = write(tmp_path / "in.jsonl", [line("a"), line("b")])
    from pipeline.extract import annotate as module

    def dies(*args, **kwargs):
        yield from []
        raise KeyboardInterrupt  # as Ctrl-C mid-run

    monkeypatch.setattr(module, "guarded_pipe", dies)
    with pytest.raises(KeyboardInterrupt):
        annotate_file(src, out, extractor=extractor)
    assert out.read_text(encoding="utf-8") == "earlier output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temporary file left


def test_the_command_reports_skipped_lines_and_exits_zero(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    src = write(tmp_path / "in.jsonl", [line(0), "not json"])
    result = CliRunner().invoke(app, ["annotate", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    assert "annotated 1 documents" in result.output
    assert ids(tmp_path / "out.jsonl") == ["0"]


def test_eval_scores_several_gold_sets_in_order_with_one_extractor(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    first = write(tmp_path / "first.jsonl", [line(0)])
    second = write(tmp_path / "second.jsonl", [line(1)])
    calls = tmp_path / "calls.txt"
    scorer = tmp_path / "score.py"
    scorer.write_text(f"import sys\nopen({str(calls)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n", encoding="utf-8")
    out_dir = tmp_path / "build"
    result = CliRunner().invoke(app, ["eval", "--gold", str(first), "--gold", str(second), "--scorer", str(scorer),
                                      "--output-dir", str(out_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"== {first}", f"== {second}"]
    assert calls.read_text(encoding="utf-8").splitlines() == [
        f"{first} {out_dir / 'first.pred.jsonl'}", f"{second} {out_dir / 'second.pred.jsonl'}"]
    assert ids(out_dir / "first.pred.jsonl") == ["0"] and ids(out_dir / "second.pred.jsonl") == ["1"]


def test_eval_refuses_one_output_file_for_several_gold_sets(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    first = write(tmp_path / "first.jsonl", [line(0)])
    second = write(tmp_path / "second.jsonl", [line(1)])
    result = CliRunner().invoke(app, ["eval", "--gold", str(first), "--gold", str(second), "-o", str(tmp_path / "p.jsonl")])
    assert result.exit_code != 0
    assert "--output-dir" in result.output
