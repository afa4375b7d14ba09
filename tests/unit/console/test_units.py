"""The console's pure parts: URL state, bodies, escaping, number histories, the bind check."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from cli.commands.console import console_url
from cli.console.health import read_sources
from cli.console.queries import POST, PRE, console_search_body
from cli.console.render import TagSpan, highlighted, marked, number_histories
from cli.console.security import check_bind, write_refusal
from cli.console.state import SearchState
from cli.main import main
from connectors.schedule import SourceState
from connectors.sources import load_sources
from connectors.state import StateStore
from kernel.datafiles import deploy_dir
from pipeline.sinks.bodies import search_body


def test_state_round_trips_through_the_url() -> None:
    state = SearchState.from_query(
        [("q", " حلب "), ("mode", "unique"), ("sort", "time"), ("actor", "nusra"),
         ("actor", "isis"), ("page", "3"), ("bogus", "1"), ("mode", "evil")]
    )  # fmt: skip
    assert state.q == "حلب"
    assert state.filters == (("actor", "nusra"), ("actor", "isis"))
    again = SearchState.from_query(
        [tuple(p.split("=")) for p in state.url().split("?")[1].split("&")]  # type: ignore[misc]
    )
    assert again.page == 3
    assert state.with_filter("gov", "Aleppo").page == 1
    assert state.without_filter("actor", "isis").filters == (("actor", "nusra"),)
    assert SearchState.from_query([("page", "99999")]).page == 100


def test_console_body_is_marsad_search_narrowed() -> None:
    state = SearchState(q="جبهة النصرة", filters=(("actor", "nusra"), ("actor", "isis")))
    body = console_search_body(state)
    plain = search_body("جبهة النصرة", 10, pre=PRE, post=POST)
    assert body["query"]["bool"]["must"] == [plain["query"]]
    assert body["query"]["bool"]["filter"] == [{"terms": {"actor_ids": ["nusra", "isis"]}}]
    assert body["highlight"] == plain["highlight"]
    assert "sort" not in body  # relevance
    unique = console_search_body(SearchState(q="x", mode="unique", page=2))
    assert unique["collapse"]["field"] == "cluster_id"
    assert unique["from"] == 10
    assert unique["aggs"]["clusters"] == {"cardinality": {"field": "cluster_id"}}
    assert search_body("x", 5) == search_body("x", 5)  # marsad search's body is untouched


def test_highlight_and_tags_escape_everything_else() -> None:
    html = highlighted(f"<b>x</b> {PRE}<i>حلب</i>{POST} & {PRE}y")
    expected = "&lt;b&gt;x&lt;/b&gt; <mark>&lt;i&gt;حلب&lt;/i&gt;</mark> &amp; <mark>y</mark>"
    assert str(html) == expected
    spans = [TagSpan("جبهة النصرة", "actor", 'a"b'), TagSpan("النصرة", "actor", "x")]
    out = str(marked("<s>جبهة النصرة</s> والنصرة", spans))
    assert out.startswith('&lt;s&gt;<mark class="tag tag-actor" title="a&#34;b">جبهة النصرة</mark>')
    assert out.endswith('و<mark class="tag tag-actor" title="x">النصرة</mark>')


def test_number_histories_follow_the_versions() -> None:
    docs = [
        {"outlet": "A", "numeric_diff": []},
        {"outlet": "B", "numeric_diff": [{"subject": "صاروخ", "before": "15", "after": "10"}]},
        {"outlet": "C", "numeric_diff": [{"subject": "صاروخ", "before": "15", "after": "10"}]},
        {"outlet": "D", "numeric_diff": [{"subject": "صاروخ", "before": "10", "after": "5"}]},
    ]
    (history,) = number_histories(docs)
    assert history.values == ("15", "10", "5")
    assert [w.split()[0] for w in history.changed_at] == ["B", "D"]


def test_number_histories_of_versions_processed_out_of_order() -> None:
    """The demo's cluster: published 15, then more than 10, then more than 5; processed the
    other way round, so both diffs are against the "more than 5" version (and name the
    rockets in the singular and the plural)."""
    docs = [
        {
            "outlet": "الميدان",
            "published_at": "2017-09-09T08:00:00+00:00",
            "indexed_at": "2026-12-07T04:04:37.48",
            "numeric_diff": [{"subject": "صاروخ فيل", "before": "اكثر من 5", "after": "15"}],
        },
        {
            "outlet": "الميدان",
            "published_at": "2017-09-09T14:30:00+00:00",
            "indexed_at": "2026-12-07T04:04:37.84",
            "numeric_diff": [
                {"subject": "صواريخ فيل", "before": "اكثر من 5", "after": "اكثر من 10"}
            ],
        },
        {
            "outlet": "الميدان",
            "published_at": "2017-09-09T19:45:00+00:00",
            "indexed_at": "2026-12-07T04:04:36.76",
            "numeric_diff": [],
        },
    ]
    (history,) = number_histories(docs)
    assert history.values == ("15", "اكثر من 10", "اكثر من 5")
    assert history.subject == "صواريخ فيل / صاروخ فيل"
    assert len(history.changed_at) == 2


def test_separate_counts_stay_separate() -> None:
    docs = [
        {"numeric_diff": []},
        {
            "numeric_diff": [
                {"subject": "قتيل", "before": "3", "after": "4"},
                {"subject": "جريح", "before": "10", "after": "12"},
            ]
        },
    ]
    histories = number_histories(docs)
    assert [(h.subject, h.values) for h in histories] == [
        ("قتيل", ("3", "4")),
        ("جريح", ("10", "12")),
    ]


def test_writes_need_the_configured_token() -> None:
    assert write_refusal(None, "x") is not None
    assert write_refusal(SecretStr(""), "") is not None
    assert write_refusal(SecretStr("t"), "u") is not None
    assert write_refusal(SecretStr("t"), None) is not None
    assert write_refusal(SecretStr("t"), "t") is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_is_allowed(host: str) -> None:
    assert check_bind(host, allow_remote=False) is None


def test_non_loopback_is_refused_unless_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--allow-remote" in str(check_bind("0.0.0.0", allow_remote=False))  # noqa: S104
    assert check_bind("192.168.1.5", allow_remote=True) is None
    assert main(["console", "--host", "0.0.0.0"]) == 2  # noqa: S104
    assert "refusing to serve on 0.0.0.0" in capsys.readouterr().err
    assert console_url("::1", 8070) == "http://[::1]:8070"


def test_sources_come_from_the_registry_with_their_state(tmp_path: Path) -> None:
    registry = deploy_dir() / "sources.yaml"
    first = load_sources(registry).sources[0]
    store = StateStore(tmp_path / "state.sqlite")
    store.save_source(SourceState(first.id, 60.0, last_ok_at=0.0, new_total=7, last_outcome="ok"))
    store.save_source(SourceState("another-registrys-source", 60.0))
    store.close()
    rows = read_sources(registry, tmp_path / "state.sqlite")
    assert isinstance(rows, list)
    assert [r.source_id for r in rows] == [s.id for s in load_sources(registry).sources]
    assert (rows[0].outlet, rows[0].last_ok, rows[0].new_total) == (
        first.name_ar,
        "1970-01-01 00:00 UTC",
        7,
    )
    assert rows[1].health == "never polled"
    missing = read_sources(tmp_path / "nowhere.yaml", tmp_path / "state.sqlite")
    assert not isinstance(missing, list)
