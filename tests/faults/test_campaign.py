"""Every fault, one after the other, during one run of the whole corpus (tests/faults/
campaign.py): each test is a phase with its own slice of the corpus, its own fault and its own
audit of the run so far: 0 articles lost, 0 duplicated (by id, against what was published),
the clusters, stories and outlet counts of the uninterrupted reference run, and nothing in
news.dlq.v1 but the poison. The tests run in this file's order and share the run."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.urls import url_id
from devtools.stack import StackInfo
from devtools.stack.kafka import answers as kafka_answers
from devtools.stack.state import KAFKA, OPENSEARCH
from kernel.records import DeadLetter
from kernel.topics import EXTRACTED, PAGES
from tests.sites import FixtureServer, Reply, Request, serve_in_thread
from tests.sites import content as c

from .campaign import Campaign, phase, running_campaign
from .stack import ROOT, restart_service, sigkill_service
from .support import (
    Corpus,
    Record,
    assert_clean,
    dlq_counted,
    lag,
    page_records,
    say,
    send,
    service_env,
    wait_for,
)

#: How long the broker stays dead before it is started again (the fault's length).
BROKER_DOWN_S = 20.0
#: The engine unreachable: connections refused, then accepted and never answered.
REFUSE_S = 30.0
HANG_S = 30.0
#: The disk-full block's length.
BLOCK_S = 30.0
#: The slow consumer: seconds stopped (SIGSTOP), 1 s running (SIGCONT) after each; the 15 s
#: stop is longer than the consumer session (10 s), so the group rebalances.
CYCLES = (3.0, 3.0, 3.0, 15.0, 3.0, 3.0, 3.0)

PAGE_POISON: tuple[bytes | None, ...] = (
    b"\x00\xff\xfe not json at all \x81",  # undecodable
    None,  # a key with no value
    b'{"url_id": 5, "body_b64": []}',  # JSON of another shape
    b"{",  # truncated JSON
)
ARTICLE_POISON: tuple[bytes, ...] = (
    b"\xc3\x28 invalid utf-8",
    json.dumps({"url_id": "x" * 32, "paragraphs": "not a list"}).encode(),
)


@pytest.fixture(scope="module")
def campaign(stack: StackInfo, corpus: Corpus) -> Iterator[Campaign]:
    with running_campaign(stack, corpus) as run:
        yield run


def test_1_sigkill_worker(campaign: Campaign) -> None:
    """SIGKILL of the worker mid-phase (no clean shutdown, no final commit), then a new one."""
    with phase(campaign, "worker") as run:
        pages = run.pages("worker")
        run.publish(pages)
        run.mid_phase(len(pages))
        run.worker.kill(signal.SIGKILL)
        run.worker.start()
        result = run.finish()
        assert_clean(result)
        run.assert_letters_are_the_poison()


def test_2_sigkill_kafka_broker(campaign: Campaign, stack: StackInfo) -> None:
    """SIGKILL of the Kafka broker, down 20 s, started again on the same data by the project's
    ``up``. The worker is restarted if it exits on its own (its choice for a dependency gone
    past its deadline), as an orchestrator would; its exits are printed."""
    with phase(campaign, "broker", restart_on_exit=True) as run:
        pages = run.pages("broker")
        run.publish(pages)
        run.mid_phase(len(pages))
        pid = sigkill_service(KAFKA)
        killed_at = time.monotonic()
        say(f"kafka pid {pid} killed")
        assert not kafka_answers(stack.kafka_bootstrap, timeout_s=2.0)
        time.sleep(BROKER_DOWN_S)  # the outage itself, not a proof of anything
        info = restart_service(KAFKA)
        say(f"kafka back after {time.monotonic() - killed_at:.1f} s")
        assert info.kafka_bootstrap == stack.kafka_bootstrap
        result = run.finish()
        assert_clean(result)
        run.assert_letters_are_the_poison()


def test_3_sigkill_search_engine(campaign: Campaign, stack: StackInfo) -> None:
    """SIGKILL of OpenSearch, started again at once: it comes back on the same address with
    everything it acknowledged before the kill (its translog)."""
    with phase(campaign, "engine", restart_on_exit=True) as run:
        pages = run.pages("engine")
        run.publish(pages)
        before = run.mid_phase(len(pages))
        pid = sigkill_service(OPENSEARCH)
        killed_at = time.monotonic()
        say(f"opensearch pid {pid} killed")
        assert run.engine.count() is None
        info = restart_service(OPENSEARCH)
        say(f"opensearch back after {time.monotonic() - killed_at:.1f} s")
        # the proxy was given the engine's address once: the node must come back on it
        assert info.search_url == stack.search_url, f"engine came back on {info.search_url}"
        wait_for(
            "the engine to serve the run's index again",
            lambda: (run.engine.count() or 0) >= before,
            120,
            check=run.worker.check,
        )
        result = run.finish()
        assert_clean(result)
        run.assert_letters_are_the_poison()


def test_4_engine_unreachable_for_60_s(campaign: Campaign) -> None:
    """The engine unreachable for 60 s through the proxy: 30 s refusing connections (and
    resetting open ones), then 30 s accepting them and never answering. Shorter than the
    index stage's retry deadline (300 s): the worker rides it out without exiting."""
    with phase(campaign, "unreachable") as run:
        pages = run.pages("unreachable")
        half = len(pages) // 2
        run.publish(pages[:half])
        run.mid_phase(half)
        logged = run.worker.log_size()
        refused, hung = run.proxy.refused_at_least, run.proxy.hung
        run.proxy.set_mode("refuse")
        run.publish(pages[half:])  # the stream goes on: writes to make while it is cut off
        began = time.monotonic()
        time.sleep(REFUSE_S)  # the outage itself
        run.worker.check()
        run.proxy.set_mode("hang")
        time.sleep(HANG_S)
        run.worker.check()
        run.proxy.set_mode("forward")
        retries = run.worker.log_since(logged).count("retry what=engine")
        say(
            f"engine unreachable {time.monotonic() - began:.1f} s: the worker retried "
            f"{retries} times; connections reset or refused >= "
            f"{run.proxy.refused_at_least - refused}, left hanging {run.proxy.hung - hung}"
        )
        # the fault really cut the worker off: its writes failed and were retried, and it
        # kept trying while the engine hung
        assert retries > 0, "the worker never had to retry while the engine was unreachable"
        assert run.proxy.hung > hung, "the worker made no request while the engine hung"
        result = run.finish()
        assert_clean(result)
        run.assert_letters_are_the_poison()


def test_5_disk_full_read_only_block(campaign: Campaign) -> None:
    """The engine's disk-full block (``index.blocks.read_only_allow_delete``) on the run's
    indices for 30 s, then lifted: writes refused (HTTP 429) and retried, no exit."""
    with phase(campaign, "readonly") as run:
        pages = run.pages("readonly")
        half = len(pages) // 2
        run.publish(pages[:half])
        run.mid_phase(half)
        logged = run.worker.log_size()
        blocked = run.engine.set_block(True)
        run.publish(pages[half:])  # the stream goes on: writes for the block to refuse
        time.sleep(BLOCK_S)  # the block's length
        run.worker.check()
        run.engine.set_block(False)
        refused = [
            line
            for line in run.worker.log_since(logged).splitlines()
            if "retry what=engine" in line and "read-only-allow-delete" in line
        ]
        say(f"indices {blocked} read-only for {BLOCK_S:.0f} s: {len(refused)} refused writes")
        assert refused, "no write of the worker was refused by the block"
        result = run.finish()
        assert_clean(result)
        run.assert_letters_are_the_poison()


def test_6_slow_consumer(campaign: Campaign) -> None:
    """The worker throttled with SIGSTOP/SIGCONT cycles while the second half of the phase's
    slice is published: lag builds, then drains once it runs freely."""
    with phase(campaign, "slow") as run:
        pages = run.pages("slow")
        half = len(pages) // 2
        run.publish(pages[:half])
        run.mid_phase(half, 0.2)
        lag_before = wait_for("a lag reading", lambda: lag(run.settings), 60)
        peak = lag_before
        proc = run.worker.proc
        assert proc is not None
        for n, stopped in enumerate(CYCLES):
            proc.send_signal(signal.SIGSTOP)
            if n == 0:
                run.publish(pages[half:])  # the stream goes on
            time.sleep(stopped)
            peak = max(peak, lag(run.settings) or 0)
            proc.send_signal(signal.SIGCONT)
            time.sleep(1.0)
            run.worker.check()
        say(f"worker pid {proc.pid} throttled: lag {lag_before} -> peak {peak}")
        assert peak > lag_before, "lag did not build while the worker was throttled"
        result = run.finish()
        assert_clean(result)
        run.assert_letters_are_the_poison()


def test_7_poison_records(campaign: Campaign) -> None:
    """Poison mixed into the stream: undecodable bytes, an empty value, JSON of another shape
    and truncated JSON among the phase's pages in news.pages.v1 (the extract stage reads
    them), and broken articles in news.extracted.v1 (the sequence stage). Each lands in
    news.dlq.v1 once, with its stage, topic, partition, offset, key and reason, and is
    counted in the worker's ``marsad_dlq_records_total``."""
    with phase(campaign, "poison") as run:
        pages = run.pages("poison")
        good = page_records(pages)
        every = max(1, len(good) // (3 * len(PAGE_POISON)))
        records: list[Record] = []
        poison: dict[bytes, bytes | None] = {}
        for i, record in enumerate(good):
            records.append(record)
            if i % every == every - 1:
                n = len(poison)
                key = f"poison-page-{n:04d}".encode()
                poison[key] = PAGE_POISON[n % len(PAGE_POISON)]
                records.append((key, poison[key]))
        bad_articles = [(f"poison-article-{n}".encode(), v) for n, v in enumerate(ARTICLE_POISON)]
        article_offsets = send(run.settings, EXTRACTED, bad_articles)
        offsets = send(run.settings, PAGES, records)
        run.published += pages
        page_offsets = {
            key: offset for (key, _), offset in zip(records, offsets, strict=True) if key in poison
        }
        result = run.finish()
        expected = len(poison) + len(bad_articles)
        letters = wait_for(
            f"{expected} dead letters",
            lambda: found if len(found := run.letters()) >= expected else None,
            60,
        )
        counted = dlq_counted(run.worker.metrics())
        say(f"{len(poison)} poison pages, {len(bad_articles)} poison articles; counted {counted}")
        assert_clean(result)
        assert len(letters) == expected, [letter.key for letter in letters]
        by_key: dict[str, DeadLetter] = {str(letter.key): letter for letter in letters}
        assert len(by_key) == expected, "a poison record was dead-lettered twice"
        for key, value in poison.items():
            letter = by_key[key.decode()]
            assert letter.stage == "extract"
            assert (letter.topic, letter.partition) == (run.settings.topic(PAGES), 0)
            assert letter.offset == page_offsets[key]
            assert letter.error_type == "bad_record"
            assert letter.reason.startswith("invalid record")
            assert base64.b64decode(letter.value_b64 or "") == (value or b"")
        for (key, value), offset in zip(bad_articles, article_offsets, strict=True):
            letter = by_key[key.decode()]
            assert letter.stage == "sequence"  # the first stage that reads news.extracted.v1
            assert (letter.topic, letter.partition, letter.offset) == (
                run.settings.topic(EXTRACTED),
                0,
                offset,
            )
            assert letter.error_type == "bad_record"
            assert letter.reason.startswith("invalid record")
            assert base64.b64decode(letter.value_b64 or "") == value
        # the worker of this phase counted exactly the poison (earlier phases had no letters)
        assert counted == {
            ("extract", "bad_record"): float(len(poison)),
            ("sequence", "bad_record"): float(len(bad_articles)),
        }
        run.poison = by_key


@pytest.fixture
def site(campaign: Campaign, tmp_path: Path) -> Iterator[tuple[FixtureServer, Path, list[str]]]:
    """The connector phase's articles at /a/<n>.html on a loopback site, in one RSS feed."""
    share = campaign.slices[-1]
    articles = campaign.corpus.articles[share.start : share.stop]

    def page(request: Request) -> Reply | None:
        name = request.path.removeprefix("/a/").removesuffix(".html")
        if request.path.startswith("/a/") and name.isdigit() and 1 <= int(name) <= len(articles):
            article = articles[int(name) - 1]
            return Reply(body=article.html, content_type=f"text/html; charset={article.charset}")
        return None

    server = FixtureServer(router=page)
    with serve_in_thread(server):
        items = c.items(server.base_url, len(articles), prefix="/a/")
        server.routes["/feed.xml"] = Reply(body=c.rss(items), content_type="application/rss+xml")
        sources = c.one_feed_sources(
            tmp_path / "sources.yaml",
            "faults-site",
            "موقع الأعطال",
            "Faults site",
            server.base_url,
            len(articles),
        )
        yield server, sources, [i.url for i in items]


def fetched(server: FixtureServer) -> int:
    return sum(r.path.startswith("/a/") for r in list(server.requests))


def test_8_sigkill_connector(
    campaign: Campaign, site: tuple[FixtureServer, Path, list[str]], tmp_path: Path
) -> None:
    """SIGKILL of ``marsad connect`` (continuous) after it fetched a quarter of a loopback
    site, then ``marsad connect --once`` on the same state: every page the site serves is
    indexed exactly once (a page published but not yet marked fetched is published again and
    must not become a second document). The site is one outlet whose pages reach the
    partitions of news.pages.v1 by key, so this phase's clusters have no reference order:
    they are not compared; articles are, for the whole run."""
    server, sources, urls = site
    state = tmp_path / "connector.sqlite"
    command = [
        sys.executable, "-m", "cli.main", "connect", "--min-delay", "0",
        "--sources", str(sources), "--state", str(state),
    ]  # fmt: skip
    with phase(campaign, "connector") as run:
        ids = {url_id(u) for u in urls}
        assert len(ids) == len(urls)
        assert not ids & run.expected()
        run.others |= ids
        log = run.settings.home / f"{run.settings.worker_id}-connect.log"
        env = service_env(run.settings)
        with log.open("ab") as out:
            first = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
        try:
            wait_for(
                "the connector to fetch a quarter of the site",
                lambda: fetched(server) >= len(urls) // 4,
                600,
                every_s=0.05,
                check=lambda: None if first.poll() is None else pytest.fail("connector exited"),
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        before = fetched(server)
        say(f"connector killed after fetching {before} of {len(urls)} pages")
        assert before < len(urls)
        with log.open("ab") as out:
            again = subprocess.run(
                [*command, "--once"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=out,
                timeout=1800,
                check=False,
            )
        assert again.returncode == 0, f"marsad connect --once failed; see {log}"
        say(f"second connector run fetched {fetched(server) - before} pages")
        result = run.finish(clusters=False)
        assert_clean(result, clusters=False)
        run.assert_letters_are_the_poison()
