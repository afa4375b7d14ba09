"""``marsad tag``: registered on a fresh parser, run on plain text and JSON lines."""

from __future__ import annotations

import argparse
import importlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cli.commands import tag
from pipeline.tagging import Tagger

from .conftest import LEXICONS

BULLETIN = (
    "شن تنظيم الدولة هجوما على معاقل قوات الأسد في منطقة حميمة\n"
    "\n"
    "وتمكن التنظيم خلال الاشتباكات من قتل 17 عنصرا أمس الجمعة\n"
)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="marsad")
    tag.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["tag", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch, tagger: Tagger) -> None:
    """Reuse the session's tagger instead of loading the lexicons again (2 s each)."""
    monkeypatch.setattr(Tagger, "load", lambda *_args, **_kwargs: tagger)


def output(capsys: pytest.CaptureFixture[str]) -> tuple[list[dict[str, Any]], str]:
    captured = capsys.readouterr()
    return [json.loads(line) for line in captured.out.splitlines()], captured.err


@pytest.mark.usefixtures("loaded")
def test_plain_text_is_one_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bulletin.txt"
    source.write_text(BULLETIN, encoding="utf-8")
    assert run(str(source), "--published", "2017-09-09", "--index") == 0
    records, err = output(capsys)
    assert err == ""
    assert [r["line"] for r in records] == [1, 3]
    second = records[1]
    assert [a["id"] for a in second["actors"]] == ["isis"]
    assert second["casualties"][0]["count"] == 17
    assert second["dates"] == [{"date": "2017-09-08", "surface": "أمس الجمعة", "kind": "relative"}]
    assert second["index"]["killed"] == 17


@pytest.mark.usefixtures("loaded")
def test_json_lines_with_a_bad_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"text": "قصف مدفعي على مدينة دوما", "published": "2017-09-09"}),
        "{not json",
        json.dumps({"body": "no text"}),
        json.dumps({"text": "غارة على الرقة", "article": "b"}, ensure_ascii=False),
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert run("-", "--text") == 1
    records, err = output(capsys)
    assert [r["line"] for r in records] == [1, 4]
    assert records[0]["text"] == "قصف مدفعي على مدينة دوما"
    assert [p["id"] for p in records[1]["places"]] == ["gn-172955"]
    assert "<stdin>:2: not JSON" in err
    assert "<stdin>:3: expected an object with a string 'text'" in err


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(tmp_path / "missing.txt")) == 2
    assert "cannot read" in capsys.readouterr().err


def test_broken_lexicon(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICONS, lexicons)
    (lexicons / "actors.yaml").write_text("version: 1\nactors: []\n", encoding="utf-8")
    source = tmp_path / "p.txt"
    source.write_text("غارة على الرقة\n", encoding="utf-8")
    assert run(str(source), "--lexicons", str(lexicons)) == 2
    err = capsys.readouterr().err
    assert "invalid lexicon" in err and "actors.yaml" in err


@pytest.mark.usefixtures("loaded")
def test_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "p.txt"
    source.write_text("غارة على الرقة\n", encoding="utf-8")
    assert run(str(source), "--stats") == 0
    stats = json.loads(capsys.readouterr().err)
    assert stats["versions"]["actors.yaml"] >= 1
    assert stats["sizes"]["places_geonames"] > 300


@pytest.mark.usefixtures("loaded")
def test_benchmark_script_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A smoke run of the benchmark (tiny sizes): the script must not rot. Not a timing test."""
    monkeypatch.syspath_prepend(str(LEXICONS.parents[1]))  # the repository: benchmarks/
    bench = importlib.import_module("benchmarks.tagging.run")
    assert bench.main(["--paragraphs", "30", "--articles", "3", "--repeat", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["corpus"] for r in report["results"]] == ["seed", "generated"]
    assert all(r["tagger"]["cpu"] > 0 and r["ratio_cpu"] > 0 for r in report["results"])
