"""Errors of the local stack. Each message says what went wrong and what to do about it."""

from __future__ import annotations

from kernel.exceptions import MarsadError


class StackError(MarsadError):
    """The local Kafka / OpenSearch stack could not be fetched, started, checked or stopped."""


class ToolMissingError(StackError):
    """A program the stack needs (Maven, a suitable Java) is not installed."""


class DownloadError(StackError):
    """Maven could not fetch the service jars."""


class PortInUseError(StackError):
    """A port the stack needs is held by a process that is not ours."""

    def __init__(self, message: str, port: int) -> None:
        super().__init__(message)
        self.port = port


class ServiceStartError(StackError):
    """A service died or did not answer before its deadline."""
