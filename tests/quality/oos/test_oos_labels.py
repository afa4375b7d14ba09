"""The out-of-sample labelled set (sentences, dedupe pairs, search cases) is consistent.

Runs the checks of ``check_labels.py`` (also a command:
``python tests/quality/oos/check_labels.py``) on each file; a failure lists every problem as
``file:line: message``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .check_labels import (
    HERE,
    PAIRS,
    SEARCH,
    SENTENCES,
    check_pairs,
    check_pairs_text,
    check_search,
    check_search_text,
    check_sentences,
    check_sentences_text,
    main,
    sentence_texts,
)


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def _first_sentence() -> dict[str, object]:
    line = (HERE / SENTENCES).read_text(encoding="utf-8").splitlines()[0]
    record: dict[str, object] = json.loads(line)
    return record


@pytest.mark.parametrize("fname", [SENTENCES, PAIRS, SEARCH])
def test_label_file_exists(fname: str) -> None:
    assert (HERE / fname).is_file(), fname


def test_sentences_are_consistent() -> None:
    problems = check_sentences()
    assert not problems, _report(problems)


def test_dedupe_pairs_are_consistent() -> None:
    problems = check_pairs()
    assert not problems, _report(problems)


def test_search_cases_are_consistent() -> None:
    problems = check_search()
    assert not problems, _report(problems)


def test_checker_catches_a_surface_not_in_the_text() -> None:
    record = _first_sentence()
    good = json.dumps(record, ensure_ascii=False)
    assert check_sentences_text(good) == []
    actors = record["actors"]
    assert isinstance(actors, list)
    assert actors, "the first sentence needs an actor for this test"
    actors[0]["surface"] = "سطح-غير-موجود"
    broken = json.dumps(record, ensure_ascii=False)
    problems = check_sentences_text("\n" + broken)  # the record on line 2
    assert problems == [
        f"sentences.jsonl:2: {record['id']}: actor surface 'سطح-غير-موجود' not in text"
    ]


def test_checker_catches_broken_pairs_and_search_cases() -> None:
    pair = {"id": "p", "a": "x", "b": "x", "kind": "revision", "expected": "distinct", "source": {}}
    assert check_pairs_text(json.dumps(pair)) == [
        "dedupe_pairs.jsonl:1: p: kind revision expects 'same', not 'distinct'",
        "dedupe_pairs.jsonl:1: p: a and b are identical",
    ]
    case = {
        "id": "s",
        "query": "q",
        "should_find": ["oos-9999"],
        "should_not_find": [],
        "kind": "proclitic",
        "note": "",
    }
    assert check_search_text(json.dumps(case), texts={}) == [
        "search_cases.jsonl:1: s: unknown sentence id oos-9999"
    ]
    texts = sentence_texts((HERE / SENTENCES).read_text(encoding="utf-8"))
    assert len(texts) > 0


def test_command_exits_non_zero_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _first_sentence()
    record["split"] = "train"
    (tmp_path / SENTENCES).write_text(
        "not json\n" + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "sentences.jsonl:1: not JSON" in out
    assert f"sentences.jsonl:2: {record['id']}: bad split 'train'" in out
    assert "2 problem(s)" in out
