"""The rules file: the shipped one validates; a broken rule names the rule and the field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kernel.datafiles import data_file
from pipeline.alerts import RuleConfigError, load_rules, parse_rules
from pipeline.alerts.rules import FlatlineRule, SpikeRule


def _rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "rules": list(rules)}


SPIKE = {"id": "nusra-surge", "kind": "spike", "key": ["actor"], "window": "1h"}


def test_the_shipped_rules_validate() -> None:
    ruleset = load_rules(data_file("alerts.yaml"))
    kinds = {rule.kind for rule in ruleset.rules}
    assert kinds == {"spike", "threshold", "frequency", "new_term", "flatline", "watchlist"}
    assert ruleset.feedback.noise_factor == 3
    surge = ruleset.rule("jihadist-actor-surge")
    assert isinstance(surge, SpikeRule)
    assert surge.reference == "seasonal"
    assert surge.window == timedelta(hours=1)
    assert ruleset.allowed_lateness == timedelta(hours=2)


def test_durations_and_defaults() -> None:
    ruleset = parse_rules(
        _rules(SPIKE, {"id": "quiet", "kind": "flatline", "key": ["source"], "min_silence": "90m"})
    )
    flat = ruleset.rule("quiet")
    assert isinstance(flat, FlatlineRule)
    assert flat.min_silence == timedelta(minutes=90)
    assert flat.window == timedelta(hours=1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"p_value": 2}, "p_value"),
        ({"key": ["actor", "actor"]}, "key repeats"),
        ({"key": ["actorr"]}, "key.0"),
        ({"window": "11m"}, "does not divide a week"),
        ({"window": "soon"}, "not a duration"),
        ({"reference": "seasonal", "window": "1w"}, "seasonal baseline"),
        ({"match": {"place": ["idlib"]}}, "not in the key"),
        ({"min_groups": 0}, "min_groups"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_broken_rule_is_named_with_its_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleConfigError) as caught:
        parse_rules(_rules({**SPIKE, **change}))
    assert "rule 'nusra-surge'" in str(caught.value)
    assert field in str(caught.value)


def test_a_rule_without_id_is_named_by_position() -> None:
    with pytest.raises(RuleConfigError, match=r"rule #2: field id"):
        parse_rules(_rules(SPIKE, {"kind": "threshold", "key": ["place"], "count": 3}))


def test_an_unknown_kind_and_a_missing_count() -> None:
    with pytest.raises(RuleConfigError, match=r"rule 'x1'.*kind"):
        parse_rules(_rules({"id": "x1", "kind": "anomaly", "key": ["actor"]}))
    with pytest.raises(RuleConfigError, match=r"rule 'x2': field count"):
        parse_rules(_rules({"id": "x2", "kind": "threshold", "key": ["actor"]}))


def test_keyword_key_needs_keywords_and_ids_are_unique() -> None:
    with pytest.raises(RuleConfigError, match="keyword key needs keywords"):
        parse_rules(_rules({**SPIKE, "key": ["keyword"]}))
    with pytest.raises(RuleConfigError, match="duplicate rule ids"):
        parse_rules(_rules(SPIKE, SPIKE))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RuleConfigError, match="not found"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleConfigError, match="not valid YAML"):
        load_rules(bad)
    bad.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(RuleConfigError, match="'rules' list"):
        load_rules(bad)
