"""Port conflicts: detection and the message telling the user what to do."""

from __future__ import annotations

import socket

import pytest

from devtools.stack import ports
from devtools.stack.exceptions import PortInUseError


def test_conflict_names_the_port_the_holder_and_the_variable() -> None:
    taken = {19092, 19093, 19094}
    with pytest.raises(PortInUseError) as caught:
        ports.require_free(
            19092,
            "Kafka",
            "MARSAD_STACK_KAFKA_PORT",
            is_port_free=lambda port: port not in taken,
            who_holds=lambda _port: "pid 4242 (java)",
        )
    assert caught.value.port == 19092
    assert str(caught.value) == (
        "port 19092 (Kafka) on 127.0.0.1 is already in use by pid 4242 (java), and it is not "
        "a process of this Marsad stack. Stop that process, or choose another port: "
        "MARSAD_STACK_KAFKA_PORT=19095 marsad stack up"
    )


def test_conflict_without_a_known_holder() -> None:
    with pytest.raises(
        PortInUseError,
        match=r"^port 19093 \(Kafka controller\) on 127\.0\.0\.1 is already in use, and",
    ):
        ports.require_free(
            19093,
            "Kafka controller",
            "MARSAD_STACK_KAFKA_CONTROLLER_PORT",
            is_port_free=lambda _port: False,
            who_holds=lambda _port: None,
        )


def test_a_free_port_passes() -> None:
    ports.require_free(19092, "Kafka", "X", is_port_free=lambda _port: True)


def test_real_listener_is_detected_on_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not ports.is_free(port)
        assert ports.accepts(port)
    assert ports.is_free(port)
    assert not ports.accepts(port)
