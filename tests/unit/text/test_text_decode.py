"""Decoding page bytes: BOM, then header, then <meta>, then detection; bad bytes raise."""

from __future__ import annotations

import gzip
import random

import pytest

from pipeline.text import DecodedBody, DecodeError, decode_body

# Seed 002 (ISO-8859-6 and windows-1256 can both encode it: harakat, tatweel-free, "quotes").
ARABIC = (
    "كشف رئيس وزراء روسيا الاتحادية ديمتري ميدفيديف، أثناء تصريح له في شأن الأزمة السورية، "
    'أنَّ محاربة تنظيم "داعش" في سورية يجب أن تتم بالتنسيق مع الحكومة والجيش السوري.\n'
    'وأكّد مصدر مطلع أنَّ "الصواريخ استهدفت تجمعًا كبيرًا للمسلحين، الذين كانوا ينوون الهجوم '
    'من محور ساحة العباسيين".\n'
)
# Seed 001: guillemets and the ellipsis exist in windows-1256 but not in ISO-8859-6.
ARABIC_1256 = "«داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية …"


def page(text: str, head: str = "") -> str:
    return f"<html dir='rtl'><head>{head}<title>خبر</title></head><body><p>{text}</p></body></html>"


def test_header_charset_windows_1256() -> None:
    body = page(ARABIC_1256).encode("cp1256")
    decoded = decode_body(body, "text/html; charset=windows-1256")
    assert decoded == DecodedBody(page(ARABIC_1256), "windows-1256", "header")


def test_header_charset_quoted_upper_case_iso_8859_6() -> None:
    body = page(ARABIC).encode("iso8859_6")
    decoded = decode_body(body, 'text/html; Charset="ISO-8859-6"')
    assert decoded == DecodedBody(page(ARABIC), "iso-8859-6", "header")


def test_meta_charset() -> None:
    html = page(ARABIC_1256, '<meta charset="windows-1256">')
    decoded = decode_body(html.encode("cp1256"), "text/html")
    assert decoded == DecodedBody(html, "windows-1256", "meta")


def test_meta_http_equiv_iso_8859_6() -> None:
    html = page(ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-6">')
    decoded = decode_body(html.encode("iso8859_6"), None)
    assert decoded == DecodedBody(html, "iso-8859-6", "meta")


def test_xml_declaration_counts_as_meta() -> None:
    html = '<?xml version="1.0" encoding="windows-1256"?>' + page(ARABIC_1256)
    decoded = decode_body(html.encode("cp1256"), None)
    assert (decoded.encoding, decoded.method) == ("windows-1256", "meta")


def test_meta_beyond_the_first_4_kb_is_not_read_even_by_the_detector() -> None:
    html = "<!--" + "x" * 5000 + "-->" + page(ARABIC_1256 + ARABIC, '<meta charset="koi8-r">')
    decoded = decode_body(html.encode("cp1256"), None)
    assert decoded == DecodedBody(html, "windows-1256", "detected")


def test_utf8_bom_wins_over_a_wrong_header() -> None:
    body = b"\xef\xbb\xbf" + page(ARABIC).encode("utf-8")
    decoded = decode_body(body, "text/html; charset=windows-1256")
    assert decoded == DecodedBody(page(ARABIC), "utf-8", "bom")


def test_utf16_bom() -> None:
    body = page(ARABIC).encode("utf-16-le")
    decoded = decode_body(b"\xff\xfe" + body, None)
    assert decoded == DecodedBody(page(ARABIC), "utf-16-le", "bom")


def test_windows_1256_without_any_declaration_is_detected() -> None:
    decoded = decode_body(page(ARABIC_1256 + " " + ARABIC).encode("cp1256"), None)
    assert decoded == DecodedBody(page(ARABIC_1256 + " " + ARABIC), "windows-1256", "detected")


def test_iso_8859_6_without_any_declaration_is_detected() -> None:
    decoded = decode_body(page(ARABIC).encode("iso8859_6"), None)
    assert decoded == DecodedBody(page(ARABIC), "iso-8859-6", "detected")


# "utf\x008": found by tests/fuzz (codecs.lookup raised ValueError, not LookupError)
@pytest.mark.parametrize(
    "label", ["foo-bar", "x-unknown-arabic", "base64", "unicode_escape", "utf\x008"]
)
def test_bogus_or_unsafe_header_charset_falls_through_to_meta(label: str) -> None:
    html = page(ARABIC_1256, '<meta charset="windows-1256">')
    decoded = decode_body(html.encode("cp1256"), f"text/html; charset={label}")
    assert decoded == DecodedBody(html, "windows-1256", "meta")


def test_bogus_header_and_meta_fall_through_to_detection() -> None:
    html = page(ARABIC, '<meta charset="klingon">')
    decoded = decode_body(html.encode("iso8859_6"), "text/html; charset=nonsense")
    assert decoded == DecodedBody(html, "iso-8859-6", "detected")


def test_utf8_header_on_windows_1256_bytes_falls_through_to_meta() -> None:
    html = page(ARABIC_1256, '<meta charset="windows-1256">')
    decoded = decode_body(html.encode("cp1256"), "text/html; charset=utf-8")
    assert decoded == DecodedBody(html, "windows-1256", "meta")


def test_valid_utf8_declared_windows_1256_is_read_as_utf8() -> None:
    html = page(ARABIC_1256, '<meta charset="windows-1256">')
    decoded = decode_body(html.encode("utf-8"), "text/html; charset=windows-1256")
    assert decoded == DecodedBody(html, "utf-8", "detected")


def test_latin1_label_means_windows_1252_as_in_browsers() -> None:
    html = "<html><body><p>Caf\u00e9 prices rose \u20ac5 \u2013 Reuters</p></body></html>"
    decoded = decode_body(html.encode("cp1252"), "text/html; charset=latin1")
    assert decoded == DecodedBody(html, "windows-1252", "header")


def test_body_cut_inside_a_character_still_decodes_with_one_replacement() -> None:
    body = ("<html><body><p>" + ARABIC).encode("utf-8")[:-4]  # '".\n' and half of 'ن'
    decoded = decode_body(body, "text/html; charset=utf-8")
    assert decoded.method == "header"
    assert decoded.text.endswith("من محور ساحة العباسيي\ufffd")
    assert decoded.text.count("\ufffd") == 1


def test_binary_content_raises() -> None:
    noise = random.Random(7).randbytes(20_000)  # noqa: S311 - reproducible noise, not a secret
    with pytest.raises(DecodeError, match=r"binary content: \d+% control bytes"):
        decode_body(b"\x89PNG\r\n\x1a\n" + noise, "text/html; charset=windows-1256")


def test_gzip_body_that_was_never_decompressed_raises() -> None:
    body = gzip.compress(page(ARABIC * 20).encode("utf-8"), mtime=0)
    with pytest.raises(DecodeError, match=r"binary content: \d+% control bytes in the first 8 KB"):
        decode_body(body, "text/html; charset=utf-8")


def test_empty_body_raises() -> None:
    with pytest.raises(DecodeError, match="empty body"):
        decode_body(b"", "text/html; charset=utf-8")
