import gzip
import tracemalloc
import zlib

import pytest

from connectors.bodies import BoundedDecoder, is_binary_type, sniff_binary
from connectors.exceptions import FetchError
from tests.sites import content as c

MB = 1024 * 1024


def decode(encoding: str | None, data: bytes, limit: int = MB, chunk: int = 16384) -> bytes:
    decoder = BoundedDecoder(encoding, limit, "https://x.example/")
    for i in range(0, len(data), chunk):
        decoder.feed(data[i : i + chunk])
    return decoder.finish()


def test_gzip_deflate_and_identity() -> None:
    text = "نص عربي ".encode() * 1000
    assert decode("gzip", gzip.compress(text)) == text
    assert decode("deflate", zlib.compress(text)) == text
    raw = zlib.compressobj(wbits=-15)
    assert decode("deflate", raw.compress(text) + raw.flush()) == text
    assert decode(None, text) == decode("identity", text) == text
    assert decode("gzip", gzip.compress(text[:500]) + gzip.compress(text[500:])) == text


def test_a_gzip_bomb_stops_at_the_limit_with_bounded_memory() -> None:
    bomb = c.gzip_bomb()  # 64 MiB of zeros
    tracemalloc.start()
    with pytest.raises(FetchError) as info:
        decode("gzip", bomb, limit=MB)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.value.outcome == "too_large"
    assert peak < 4 * MB


@pytest.mark.parametrize(
    ("encoding", "data", "outcome"),
    [
        ("br", b"\x0b\x02\x80", "unsupported_encoding"),
        ("gzip, br", b"", "unsupported_encoding"),
        ("gzip", b"\x1f\x8b\x08\x00not gzip at all", "bad_encoding"),
        ("gzip", gzip.compress(b"x" * 1000)[:20], "bad_encoding"),
        ("deflate", b"\xff\xff\xff\xff", "bad_encoding"),
    ],
)
def test_unsupported_and_corrupt_encodings(encoding: str, data: bytes, outcome: str) -> None:
    with pytest.raises(FetchError) as info:
        decode(encoding, data)
    assert info.value.outcome == outcome


def test_binary_types_and_magic_numbers() -> None:
    assert is_binary_type("image/jpeg") and is_binary_type("application/pdf; x=y")
    assert is_binary_type("Application/Octet-Stream")
    assert not is_binary_type("text/html; charset=windows-1256")
    assert not is_binary_type("application/rss+xml") and not is_binary_type(None)
    assert sniff_binary(c.PNG) == "png" and sniff_binary(c.PDF) == "pdf"
    assert sniff_binary(gzip.compress(b"x")) == "gzip"
    assert sniff_binary(c.article("خبر")) is None
