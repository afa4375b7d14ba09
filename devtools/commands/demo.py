"""``marsad demo``: the running system fed by the sample Arabic sites served on loopback.

Serves the demo outlets on fixed loopback ports (fixed, so that a second run sees the same
URLs and so the same document ids), starts a worker, polls every feed once, waits until the
worker has committed every page, then prints the index size and a few search results.

The worker serves ``/metrics`` and ``/health`` (6066, or a free port when that one is taken:
the address it announces in its log is printed), so they can be curled while the demo runs.
After the results it starts the analyst's console (``marsad console`` on 127.0.0.1:8070,
``--console-port``), prints its address and holds the worker and the console until Ctrl-C;
``--no-console`` ends after the results instead (unless ``--hold``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from cli.commands.connect import connect
from cli.commands.search import format_hit, search
from cli.commands.worker import prepare
from cli.services import resolve
from cli.supervisor import Children
from devtools.demo import serve_demo_sites, write_sources_yaml
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.kafka_admin import pipeline_lag
from pipeline.sinks.factory import open_sink
from pipeline.web import find_url

QUERIES = ("احرار الشام", "جبهة النصرة", "الصواريخ")
COUNTERS = (
    ("marsad_extract_pages_total", "pages"),
    ("marsad_index_articles_total", "articles"),
    ("marsad_dlq_records_total", "dead letters"),
)


def wait_for_address(log: Path, start: int, children: Children, deadline_s: float = 60) -> str:
    """The address the worker announced in ``log`` after byte ``start`` (this run's part)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if dead := children.failed():
            raise MarsadError(f"the worker exited early: {dead} (see {log})")
        with log.open("rb") as lines:
            lines.seek(start)
            if url := find_url(lines.read().decode("utf-8", "replace")):
                return url
        time.sleep(0.2)
    raise MarsadError(f"the worker announced no metrics address within {deadline_s:.0f}s")


def stage_counters(url: str) -> str:
    """The worker's stage counters, as ``/metrics`` shows them now (one line)."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:  # noqa: S310 - ours
        text = response.read().decode()
    totals: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for name, _ in COUNTERS:
                if sample.name == name:
                    label = sample.labels.get("outcome") or sample.labels.get("stage", "")
                    kind = totals.setdefault(name, {})
                    kind[label] = kind.get(label, 0.0) + sample.value
    parts = []
    for name, noun in COUNTERS:
        counts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(totals.get(name, {}).items()))
        parts.append(f"{noun}: {counts or 'none'}")
    return "; ".join(parts)


def demo_state_path(settings: Settings) -> Path:
    """The connectors' state of the demo's last poll (not the service's own state file)."""
    return settings.home / "demo" / "connectors.sqlite"


def start_console(
    settings: Settings, children: Children, env: dict[str, str], port: int, worker_url: str
) -> str:
    """Start ``marsad console`` over the demo's data; its address once it answers."""
    url = f"http://127.0.0.1:{port}"
    log = settings.home / "demo" / "console.log"
    sources = settings.home / "demo" / "sources.yaml"
    args = ["--port", str(port), "--metrics-url", worker_url, "--sources", str(sources)]
    args += ["--state", str(demo_state_path(settings))]
    children.start("console", "console", *args, env=env, log_to=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if dead := [c for c in children.failed() if c[0] == "console"]:
            raise MarsadError(f"the console exited early: {dead} (see {log})")
        try:
            with urllib.request.urlopen(f"{url}/static/console.css", timeout=2):  # noqa: S310
                return url
        except OSError:
            time.sleep(0.3)
    raise MarsadError(f"the console did not answer on {url} within 30s (see {log})")


def hold(children: Children, what: str = "the worker") -> None:
    """Keep the children running until Ctrl-C (or until one exits)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"holding {what} (its /metrics and /health stay up); Ctrl-C to stop", flush=True)
    while not stop.wait(1.0) and not children.failed():
        pass


def wait_for_worker(settings: Settings, children: Children, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    last: int | None = -1
    while time.monotonic() < deadline:
        if dead := children.failed():
            raise MarsadError(f"the worker exited early: {dead}")
        lag = pipeline_lag(settings)
        if lag == 0:
            return
        if lag != last:
            todo = "not started yet" if lag is None else f"{lag} records to go"
            print(f"  waiting for the worker: {todo}", flush=True)
            last = lag
        time.sleep(1.0)
    raise MarsadError(f"the worker did not catch up within {deadline_s:.0f}s")


async def index_size(settings: Settings) -> int:
    sink = open_sink(settings)
    try:
        await sink.refresh("articles")
        return await sink.count("articles")
    finally:
        await sink.close()


def run(args: argparse.Namespace) -> int:
    children = Children()
    try:
        settings = resolve(Settings())
        prepare(settings)
        ports = [args.port + i for i in range(4)]
        with serve_demo_sites(ports=ports) as demo:
            sources = settings.home / "demo" / "sources.yaml"
            write_sources_yaml(demo.outlets, sources)
            for outlet in demo.outlets:
                print(f"serving {outlet.name_latin} ({outlet.name_ar}) at {outlet.feed_url}")
            env = {
                "MARSAD_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
                "MARSAD_SEARCH_URL": str(settings.search_url),
            }
            worker_log = settings.home / "demo" / "worker.log"
            start = worker_log.stat().st_size if worker_log.exists() else 0
            children.start("worker", "worker", env=env, log_to=worker_log)
            print(f"started the worker (log: {worker_log})", flush=True)
            url = wait_for_address(worker_log, start, children)
            print(f"worker metrics: curl {url}/metrics   health: curl {url}/health", flush=True)
            print("polling the demo feeds once and publishing to Kafka...", flush=True)
            # a fresh state each run (every article fetched again: the same ids, replaced in
            # the index), kept in a file so that the console's health page can show it
            state = demo_state_path(settings)
            state.unlink(missing_ok=True)
            asyncio.run(connect(settings, sources, once=True, min_delay_s=0.1, state_path=state))
            wait_for_worker(settings, children, args.timeout)
            print(f"worker counters: {stage_counters(url)}", flush=True)
        total = asyncio.run(index_size(settings))
        print(f"\nthe index {settings.index_prefix}-articles holds {total} articles\n")
        for query in QUERIES:
            count, hits = asyncio.run(search(settings, query, 2))
            print(f"── marsad search {query!r}: {count} article(s)")
            for rank, hit in enumerate(hits, 1):
                print(format_hit(rank, hit))
            print()
        count, hits = asyncio.run(search(settings, QUERIES[1], 3, unique=True))
        print(f"── marsad search --unique {QUERIES[1]!r}: {count} distinct paragraph cluster(s)")
        for rank, hit in enumerate(hits, 1):
            print(format_hit(rank, hit))
        console = None
        if not args.no_console:
            console = start_console(settings, children, env, args.console_port, url)
        if args.hold or console:
            print(f"\nworker metrics: curl {url}/metrics   health: curl {url}/health")
            if console:
                print(f"console: {console}", flush=True)
            hold(children, "the worker and the console" if console else "the worker")
        return 0
    except (MarsadError, OSError) as exc:
        print(f"marsad demo: {exc}", file=sys.stderr)
        return 1
    finally:
        children.stop()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="ingest the sample Arabic sites end to end")
    parser.add_argument("--port", type=int, default=18801, help="first of 4 loopback ports")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for the worker"
    )
    parser.add_argument(
        "--hold", action="store_true", help="keep the worker and its /metrics up until Ctrl-C"
    )
    parser.add_argument(
        "--no-console",
        action="store_true",
        help="do not start the console (and end after the results unless --hold)",
    )
    parser.add_argument("--console-port", type=int, default=8070, help="the console's port")
    parser.set_defaults(func=run)
