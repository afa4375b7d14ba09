import ipaddress

import pytest

from connectors.exceptions import AddressRefused, ResolutionError
from connectors.netguard import AddressPolicy, GuardedBackend, refusal


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.10.10", "link_local"),
        ("fe80::1", "link_local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, not a bind
        ("100.64.0.1", "reserved"),
        ("224.0.0.1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a00:1", "private"),
        ("2002:c0a8:0101::1", "private"),
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
    ],
)
def test_address_categories(address: str, category: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == category


def test_policy_allows_private_for_allowed_sources_but_never_metadata() -> None:
    strict, lenient = AddressPolicy.build(), AddressPolicy.build(allow_private=True)
    assert strict.check("127.0.0.1") == "loopback"
    assert lenient.check("127.0.0.1") is None
    assert lenient.check("10.1.1.1") is None
    assert lenient.check("169.254.169.254") == "metadata"
    trusted = AddressPolicy.build(trusted=["169.254.169.254/32"])
    assert trusted.check("169.254.169.254") is None


async def test_the_backend_refuses_before_connecting() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"mixed.example": ["93.184.216.34", "10.0.0.7"], "none.example": []}[host]

    backend = GuardedBackend(AddressPolicy.build(), resolver)
    with pytest.raises(AddressRefused) as info:
        await backend.connect_tcp("mixed.example", 80, timeout=1)
    assert (info.value.address, info.value.category) == ("10.0.0.7", "private")
    with pytest.raises(AddressRefused):
        await backend.connect_tcp("127.0.0.1", 80, timeout=1)  # a literal is checked too
    with pytest.raises(AddressRefused):
        await backend.connect_tcp("[::1]", 80, timeout=1)
    with pytest.raises(ResolutionError):
        await backend.connect_tcp("none.example", 80, timeout=1)
    with pytest.raises(AddressRefused):
        await backend.connect_unix_socket("/var/run/docker.sock")
