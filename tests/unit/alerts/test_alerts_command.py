"""``marsad alerts test --replay``: the worker's dedupe and tagging, the rules, JSON lines out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli.main import main
from connectors.sources import load_sources
from kernel.datafiles import data_file
from pipeline.alerts import AlertEvent, Change, Evidence, coalesce

SAMPLE = Path(__file__).parents[2] / "fixtures" / "dedupe" / "sample.jsonl"
RULES = """\
version: 1
rules:
  - id: actor-two-groups
    kind: threshold
    key: [actor]
    match: {actor: [nusra, isis]}
    window: 1d
    count: 2
    min_count: 2
    min_groups: 2
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["alerts", "test", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_replay_of_the_sample_bulletins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    code, events = _run(capsys, "--rules", str(rules), "--replay", str(SAMPLE))
    assert code == 0
    summary = [(e["change"], e["key"]) for e in events]
    assert summary == [
        ("open", {"actor": "nusra"}),
        ("open", {"actor": "isis"}),
        ("resolve", {"actor": "isis"}),
        ("resolve", {"actor": "nusra"}),
    ]
    nusra = events[0]
    evidence = nusra["evidence"]
    assert isinstance(evidence, dict)
    assert evidence["groups"] == ["nabd", "ofoq"]  # two independent outlets in 2014
    assert nusra["window_start"] == "2014-11-16T00:00:00+00:00"
    assert evidence["top_clusters"]


def test_the_shipped_rules_stay_quiet_on_three_outlets(capsys: pytest.CaptureFixture[str]) -> None:
    code, events = _run(capsys, "--replay", str(SAMPLE))
    assert code == 0
    assert events == []  # nothing reaches min_groups; 2014 -> 2017 resets new-term learning


def test_bad_rules_exit_2_naming_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.replace("count: 2\n", "count: -1\n", 1), encoding="utf-8")
    assert main(["alerts", "test", "--rules", str(rules), "--replay", str(SAMPLE)]) == 2
    assert "rule 'actor-two-groups': field count" in capsys.readouterr().err


def test_shipped_sources_carry_outlet_groups() -> None:
    groups = load_sources(data_file("sources.yaml")).outlet_groups()
    assert groups["sana"] == groups["tishreen"] == "syria-state"
    assert groups["rt-arabic"] == groups["sputnik-arabic"]
    assert groups["enab-baladi"] == "enab-baladi"  # no group: its own


def test_coalesce_keeps_one_event_per_alert_and_change() -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)

    def event(change: Change, observed: int) -> AlertEvent:
        evidence = Evidence(observed, None, None, None, (), (), None, "")
        return AlertEvent(
            "a1", change, "r", "threshold", {"actor": "x"}, when, when, when, False, evidence
        )

    merged = coalesce([event(Change.OPEN, 2), event(Change.UPDATE, 3), event(Change.UPDATE, 4)])
    assert [(e.change, e.evidence.observed) for e in merged] == [(Change.OPEN, 4)]
    merged = coalesce([event(Change.UPDATE, 5), event(Change.RESOLVE, 5)])
    assert [e.change for e in merged] == [Change.UPDATE, Change.RESOLVE]
