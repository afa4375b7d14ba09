"""``marsad extract``: registered on a fresh parser, run on the fixture pages."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from cli.commands import extract

PAGES = Path(__file__).parents[2] / "fixtures" / "pages"
KUWAIT = PAGES / "kuwaitnews_daesh_truce.html"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="marsad")
    extract.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["extract", *argv])
    code: int = args.func(args)
    return code


def body_of(name: str) -> list[str]:
    return (PAGES / f"{name}.body.txt").read_text(encoding="utf-8").splitlines()


def test_report_lists_metadata_kept_and_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(KUWAIT)) == 0
    out = capsys.readouterr().out.splitlines()
    body = body_of("kuwaitnews_daesh_truce")
    assert out[:5] == [
        "title:       «داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية",
        "published:   2014-01-09",
        "site:        كويت نيوز",
        "language:    ar",
        "encoding:    windows-1256 (meta)",
    ]
    assert out[5].startswith("fingerprint: ") and len(out[5]) == len("fingerprint: ") + 64
    assert out[7] == "kept 9 paragraphs:"
    assert out[8] == f"  1. {body[0]}"
    assert out[16] == f"  9. {body[8]}"
    assert out[18:] == [
        "dropped 1 paragraphs:",
        "  [title_repeat] «داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية",
    ]


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://enabbaladi.example/archives/51281"
    assert run(str(PAGES / "enabbaladi_talks_failed.html"), "--url", url, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert {
        k: v for k, v in result.items() if k not in ("paragraphs", "dropped", "fingerprint")
    } == {
        "source": str(PAGES / "enabbaladi_talks_failed.html"),
        "url": url,
        "title": "تنظيم «الدولة» يرفض وقف القتال مع جبهة النصرة",
        "published": "2014-11-16",
        "site_name": "عنب بلدي",
        "language": "ar",
        "encoding": "utf-8",
        "method": "meta",
    }
    assert result["paragraphs"] == body_of("enabbaladi_talks_failed")
    assert [d["reason"] for d in result["dropped"]] == ["read_also"] + ["donation_appeal"] * 4
    assert len(result["fingerprint"]) == 64


def test_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(KUWAIT.read_bytes())))
    assert run("-", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == "<stdin>"
    assert result["encoding"] == "windows-1256"
    assert result["paragraphs"] == body_of("kuwaitnews_daesh_truce")


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.html"
    assert run(str(missing)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"marsad extract: cannot read {missing}: No such file or directory\n"


def test_page_without_article_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "video.html"
    page.write_bytes(b"<html><body><video src='/v/77.mp4'></video></body></html>")
    assert run(str(page)) == 1
    assert capsys.readouterr().err == f"marsad extract: no article text found in {page}\n"


def test_page_of_boilerplate_exits_1_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "appeal.html"
    html = "<html><body><article><p>ادعم عنب بلدي</p><p>شاهد أيضاً</p></article></body></html>"
    page.write_bytes(html.encode("utf-8"))
    assert run(str(page)) == 1
    assert capsys.readouterr().err == (
        f"marsad extract: no article text found (2 paragraphs, all boilerplate) in {page}\n"
    )


def test_binary_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "photo.html"
    page.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    assert run(str(page)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"marsad extract: cannot decode {page}: binary content: ")


def test_register_sets_the_handler() -> None:
    parser = argparse.ArgumentParser(prog="marsad")
    extract.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["extract", "page.html", "--url", "https://x.example/a"])
    assert (args.func, args.page, args.url, args.json) == (
        extract.run,
        "page.html",
        "https://x.example/a",
        False,
    )
