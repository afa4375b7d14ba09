"""``marsad dedupe FILE|-`` on the sample articles: one JSON line per paragraph."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cli.commands import dedupe

SAMPLE = Path(__file__).parents[2] / "fixtures" / "dedupe" / "sample.jsonl"


def run(
    capsys: pytest.CaptureFixture[str], file: str, *, gazetteer: bool = False
) -> tuple[int, list[dict[str, Any]], str]:
    code = dedupe.run(argparse.Namespace(file=file, no_gazetteer=not gazetteer))
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_sample_articles_give_one_line_per_paragraph(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, err = run(capsys, str(SAMPLE), gazetteer=True)
    assert code == 0, err
    assert {row["line"] for row in rows} == {1, 2, 3, 4, 5}
    dropped = [row for row in rows if row["verdict"] == "dropped"]
    assert {row["reason"] for row in dropped} >= {"section_heading"}
    kept = [row for row in rows if row["verdict"] != "dropped"]
    assert all(
        {"cluster_id", "similarity", "first_seen", "outlet_count", "numeric_diff"} <= row.keys()
        for row in kept
    )
    related = [row for row in kept if row["verdict"] == "related"]
    assert len(related) == 3 and {row["line"] for row in related} == {2}
    rockets = [
        row for row in kept if "صواريخ فيل" in json.dumps(row["numeric_diff"], ensure_ascii=False)
    ]
    assert [row["numeric_diff"][0]["after"] for row in rockets] == ["اكثر من 10", "اكثر من 5"]
    assert len({row["cluster_id"] for row in rockets}) == 1
    assert rockets[0]["first_seen"]["time"] == "2017-09-09T08:00:00+00:00"


def test_standard_input_and_bad_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shelling = "قصف مدفعي من قبل قوات الأسد يستهدف قرية دير سمعان بالريف الشمالي"
    lines = [
        json.dumps({"source": "a", "url": "https://a.example/1", "title": "", "published": None,
                    "text": shelling}),
        "not json",
        json.dumps({"source": "a", "url": "https://a.example/2", "text": ""}),
        json.dumps({"source": "b", "url": "https://b.example/1", "published": "yesterday",
                    "text": "x"}),
        json.dumps({"source": "b", "url": "https://b.example/9", "text": shelling}),
    ]  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code, rows, err = run(capsys, "-")
    assert code == 1
    assert [e.split(":")[2].strip() for e in err.splitlines()] == ["2", "3", "4"]
    first, second = rows
    assert (first["verdict"], second["verdict"]) == ("new", "duplicate")
    assert second["outlet_count"] == 2
    assert first["first_seen"]["time"] == "2000-01-01T00:00:01+00:00"  # no time: a clock


def test_an_unreadable_file_is_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, rows, err = run(capsys, str(tmp_path / "missing.jsonl"))
    assert (code, rows) == (2, [])
    assert "cannot read" in err


def test_the_command_registers() -> None:
    parser = argparse.ArgumentParser()
    dedupe.register(parser.add_subparsers())
    args = parser.parse_args(["dedupe", "-", "--no-gazetteer"])
    assert args.func is dedupe.run and args.file == "-" and args.no_gazetteer
