"""The search query (pipeline.sinks.expansion, pipeline.sinks.query): names of the lexicons
expanded to their actor's other names, proclitic forms, place names read as common words; and
the protected place names of the index templates (pipeline.sinks.analysis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.commands.search import format_hit, matched_alias, reading
from kernel.datafiles import deploy_dir
from pipeline.sinks.analysis import (
    FILTER,
    MARK,
    gazetteer_rules,
    override_rules,
    protected_forms,
    refresh_templates,
    template_rules,
)
from pipeline.sinks.bodies import TEMPLATES, parse_hits, search_body, template_body
from pipeline.sinks.expansion import AliasGroup, QueryExpansion, Segment, word_forms
from pipeline.sinks.query import search_query
from pipeline.sinks.types import Hit, MatchedAlias
from pipeline.tagging import Tagger
from pipeline.tagging.matcher import Proclitics, variants

ISIS = AliasGroup("isis", "Islamic State", ("داعش", "تنظيم الدوله", "الدوله الاسلاميه", "الدوله"))
FSA = AliasGroup("opposition", "Opposition", ("الجيش الحر", "الجيش السوري الحر"))
ARMY = AliasGroup("syrian-regime", "Government", ("الجيش السوري", "النظام"))
RUSSIA = AliasGroup("russia", "Russia", ("روسيا", "موسكو", "بوتين"))
SMALL = QueryExpansion(
    [ISIS, FSA, ARMY, RUSSIA],
    {"التضامن": ["sy-tadamon"], "الحراك": ["gn-1"]},
    ["حي", "بلده"],
    located=["موسكو"],
)


def texts(segments: tuple[Segment, ...]) -> list[tuple[str, str | None]]:
    return [(s.text, s.group.id if s.group else None) for s in segments]


def test_a_name_in_the_query_is_read_with_its_proclitic_and_longest_first() -> None:
    assert texts(SMALL.expand("لداعش في حلب").segments) == [
        ("داعش", "isis"),
        ("في", None),
        ("حلب", None),
    ]
    # the three-word name wins over the government's two-word one inside it
    assert texts(SMALL.expand("الجيش السوري الحر").segments) == [
        ("الجيش السوري الحر", "opposition")
    ]
    assert texts(SMALL.expand("بالجيش السوري").segments) == [("الجيش السوري", "syrian-regime")]
    # لل + a name with ال gives the name back with its article
    assert texts(SMALL.expand("للدولة الإسلامية").segments) == [("الدوله الاسلاميه", "isis")]


def test_a_capital_in_the_query_is_the_place_not_its_actors_other_names() -> None:
    assert texts(SMALL.expand("وموسكو").segments) == [("موسكو", None)]  # proclitic read off
    assert texts(SMALL.expand("بوتين").segments) == [("بوتين", "russia")]


def test_a_guarded_place_name_alone_is_a_common_word_unless_a_trigger_introduces_it() -> None:
    assert dict(SMALL.expand("التضامن").common_words) == {"التضامن": ("sy-tadamon",)}
    assert dict(SMALL.expand("والتضامن مع غزة").common_words) == {"التضامن": ("sy-tadamon",)}
    assert dict(SMALL.expand("حراك").common_words) == {"حراك": ("gn-1",)}  # its ال form
    assert SMALL.expand("حي التضامن").excluded_places == ()
    assert SMALL.expand("بلدة الحراك").excluded_places == ()


def test_word_forms_are_the_taggers_proclitic_variants() -> None:
    assert word_forms("حلب") == [form for form, _ in variants("حلب", Proclitics.NAME)]
    assert {"بحلب", "لحلب", "كحلب", "فحلب", "وحلب", "وبحلب"} <= set(word_forms("حلب"))
    assert {"للرقه", "بالرقه", "والرقه"} <= set(word_forms("الرقه"))


def _clauses(query: dict[str, Any]) -> list[dict[str, Any]]:
    must: list[dict[str, Any]] = query["bool"]["must"]
    return must


def test_every_word_is_required_in_any_of_its_forms() -> None:
    query = search_query("قذيفة حلب", unique=True)
    first, second = _clauses(query)
    should = second["bool"]["should"]
    assert {"match": {"text": {"query": "حلب", "zero_terms_query": "all", "boost": 1.0}}} in should
    others = next(c["match"]["text"]["query"] for c in should[1:2])
    assert set(others.split()) == set(word_forms("حلب")) - {"حلب"}
    exact = should[-1]["match"]["text.exact"]["query"].split()
    assert set(exact) == set(word_forms("حلب"))
    # a plain word goes as written: the engine's analyzer normalizes it
    assert first["bool"]["should"][0]["match"]["text"]["query"] == "قذيفة"
    assert "must_not" not in query["bool"]
    assert search_query("") == {"match_none": {}}


def test_articles_search_titles_too() -> None:
    fields = {
        field
        for clause in _clauses(search_query("حلب"))
        for should in clause["bool"]["should"]
        for field in should["match"]
    }
    assert fields == {"title", "text", "title.exact", "text.exact"}


def test_a_name_is_searched_as_every_name_of_its_actor_each_named() -> None:
    (clause,) = _clauses(search_query("تنظيم الدولة", unique=True, expansion=SMALL))
    named = {c["bool"]["_name"]: c["bool"]["should"] for c in clause["bool"]["should"]}
    assert set(named) == {f"alias|isis|{name}" for name in ISIS.names}
    (single,) = named["alias|isis|داعش"]
    assert set(single["terms"]["text.exact"]) == set(word_forms("داعش"))
    (phrase,) = named["alias|isis|الدوله الاسلاميه"]
    first, second = phrase["span_near"]["clauses"]
    pattern = first["span_multi"]["match"]["regexp"]["text.exact"]["value"]
    assert set(pattern.split("|")) == {
        f.split()[0] for f, _ in variants("الدوله الاسلاميه", Proclitics.NAME)
    }
    assert second == {"span_term": {"text.exact": "الاسلاميه"}}
    assert phrase["span_near"]["slop"] == 0 and phrase["span_near"]["in_order"] is True


def test_a_common_word_keeps_the_paragraphs_of_its_place_out() -> None:
    query = search_query("التضامن", expansion=SMALL)
    assert query["bool"]["must_not"] == [{"terms": {"place_ids": ["sy-tadamon"]}}]


def test_hits_say_which_name_they_matched() -> None:
    response = {
        "hits": {
            "hits": [
                {
                    "_id": "a",
                    "_score": 3.0,
                    "_source": {"text": "…"},
                    "matched_queries": ["alias|isis|تنظيم الدوله", "other"],
                    "highlight": {"text": ["stemmed"], "text.exact": ["**تنظيم الدولة**"]},
                },
                {"_id": "b", "_score": 1.0, "_source": {}, "highlight": {"text": ["x"]}},
                {  # the engine's object form (name -> score)
                    "_id": "c",
                    "_source": {},
                    "matched_queries": {"alias|isis|داعش": 1.0},
                },
            ]
        }
    }
    a, b, c = parse_hits(response)
    assert a.matched_aliases == (MatchedAlias("isis", "تنظيم الدوله"),)
    assert a.highlights == ("**تنظيم الدولة**",)  # the exact field shows the name matched
    assert b.matched_aliases == () and b.highlights == ("x",)
    assert c.matched_aliases == (MatchedAlias("isis", "داعش"),)


def test_search_body_keeps_highlights_and_unique_collapse() -> None:
    body = search_body("حلب", 3, unique=True, expansion=SMALL)
    assert body["size"] == 3
    assert set(body["highlight"]["fields"]) == {"text", "text.exact", "title"}
    assert body["collapse"]["field"] == "cluster_id"


def test_protected_forms_map_every_proclitic_form_to_the_name() -> None:
    forms = protected_forms([("حلب", False), ("الرقه", False), ("الباب", True), ("لبنان", False)])
    assert forms["بحلب"] == forms["وحلب"] == forms["حلب"] == "حلب"
    assert forms["للرقه"] == forms["وبالرقه"] == "الرقه"
    assert "الباب" not in forms and "بالباب" not in forms  # guarded: a common word first
    assert forms["لبنان"] == "لبنان"  # a name itself, not ل + another name
    rules = override_rules({"حلب": "حلب", "بحلب": "حلب"})
    assert rules == [f"حلب, بحلب => حلب{MARK}"]


def test_a_form_two_names_claim_equally_is_left_out() -> None:
    forms = protected_forms([("بنان", False), ("لبنان", False), ("نان", False)])
    assert forms["لبنان"] == "لبنان"  # the name itself wins
    assert forms["ولبنان"] == "لبنان"  # و + لبنان beats و + ل + بنان
    assert "للبنان" not in forms or forms["للبنان"] == "لبنان"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load(deploy_dir() / "lexicons")


def test_the_templates_carry_the_rules_the_gazetteer_gives(tagger: Tagger) -> None:
    rules = gazetteer_rules(tagger.gazetteer)
    assert rules
    for kind in TEMPLATES:
        body = template_body(kind, "t")
        assert template_rules(body) == rules, (
            f"news-{kind}.json is out of date with the gazetteer: run "
            "`python -m pipeline.sinks.analysis --write` (it raises the template's version)"
        )
        chain = body["template"]["settings"]["analysis"]["analyzer"]["marsad_arabic"]["filter"]
        assert chain.index("arabic_normalization") < chain.index(FILTER)
        assert chain.index(FILTER) == chain.index("marsad_arabic_stemmer") - 1


def test_writing_new_rules_raises_the_version(tmp_path: Path, tagger: Tagger) -> None:
    folder = tmp_path / "deploy"
    (folder / "index-templates").mkdir(parents=True)
    for kind in TEMPLATES:
        body = template_body(kind, "{prefix}")
        body["template"]["settings"]["analysis"]["filter"][FILTER]["rules"] = ["x => x#"]
        (folder / "index-templates" / f"news-{kind}.json").write_text(json.dumps(body))
    before = {k: template_body(k, "t", folder)["version"] for k in TEMPLATES}
    assert refresh_templates(tagger.gazetteer, folder, write=False) == list(TEMPLATES)
    assert refresh_templates(tagger.gazetteer, folder, write=True) == list(TEMPLATES)
    assert refresh_templates(tagger.gazetteer, folder, write=False) == []
    for kind in TEMPLATES:
        assert template_body(kind, "t", folder)["version"] == before[kind] + 1


def test_the_expansion_is_built_from_the_taggers_lexicons(tagger: Tagger) -> None:
    expansion = QueryExpansion.of(tagger.lexicons, tagger.gazetteer)
    located = set(tagger.lexicons.actors.located)
    for actor in tagger.lexicons.actors.actors:
        actor_group = expansion.groups[actor.id]
        assert actor_group.names == tuple(actor.names)
        for name in actor.names:
            # each of its names, written with a proclitic, is read as the actor (a country's
            # or capital's name as itself)
            written = variants(name, Proclitics.NAME)[-1][0]
            segments = expansion.expand(written).segments
            assert " ".join(s.text for s in segments) == name
            groups = [s.group for s in segments]
            assert groups == ([None] * len(segments) if name in located else [actor_group])
    for phrase, payload in tagger.gazetteer.names:
        if payload.guarded and " " not in phrase:
            assert payload.place_id in expansion.expand(phrase).excluded_places


def test_marsad_search_says_how_it_read_the_query_and_why_each_hit_matched() -> None:
    lines = reading(SMALL.expand("داعش التضامن"))
    assert (
        lines[0]
        == f"«داعش» is a name of Islamic State: searched as any of its {len(ISIS.names)} names"
    )
    assert "«التضامن» read as a common word" in lines[1] and "sy-tadamon" in lines[1]
    hit = Hit(
        "a",
        1.0,
        {"title": "t", "url": "u"},
        ("**تنظيم الدولة**",),
        (MatchedAlias("isis", "تنظيم الدوله"), MatchedAlias("isis", "الدوله")),
    )
    # the name matched inside a longer matched name is not repeated
    assert matched_alias(hit, SMALL) == [
        {"actor": "isis", "name_en": "Islamic State", "alias": "تنظيم الدوله"}
    ]
    assert format_hit(1, hit, SMALL).endswith("matched: «تنظيم الدوله» (Islamic State)")
