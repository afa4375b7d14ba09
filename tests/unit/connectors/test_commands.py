"""The command-line entry points parse what the docs say (no network, no Kafka)."""

import argparse
from pathlib import Path

import pytest

from cli.commands import connect, sources


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="marsad")
    subparsers = root.add_subparsers(dest="command", required=True)
    connect.register(subparsers)
    sources.register(subparsers)
    return root


def test_connect_options() -> None:
    args = parser().parse_args(
        ["connect", "--once", "--min-delay", "0", "--metrics-port", "9464", "--forget"]
    )
    assert (args.once, args.min_delay, args.metrics_port, args.forget) == (True, 0.0, 9464, True)
    assert args.func is connect.run


def test_sources_check_options() -> None:
    args = parser().parse_args(["sources", "check", "--sources", "x.yaml", "--only", "a", "b"])
    assert (args.sources, args.only, args.func) == (Path("x.yaml"), ["a", "b"], sources.run)
    with pytest.raises(SystemExit):
        parser().parse_args(["sources"])


def test_sources_check_refuses_unknown_ids(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[3]
    args = parser().parse_args(
        ["sources", "check", "--sources", str(root / "deploy/sources.yaml"), "--only", "nope"]
    )
    assert args.func(args) == 1
    assert "no source with id ['nope']" in capsys.readouterr().err
