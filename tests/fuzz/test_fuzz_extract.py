"""Page bytes → text → article: decode_body, extract_page (trafilatura) and extract_article.

Contracts: decode_body raises only DecodeError (kernel.text.decode); extract_page raises only
ExtractionError and gives at least one clean paragraph (pipeline.text.extract);
extract_article raises only TextError (pipeline.document), which the extract stage dead-letters.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from kernel.records import RawPage
from kernel.text.decode import DecodedBody, decode_body
from kernel.text.exceptions import DecodeError, ExtractionError, TextError
from pipeline.document import extract_article
from pipeline.text.extract import ExtractedPage, extract_page

from .strategies import (
    ARABIC,
    arabic_text,
    budget,
    content_types,
    damaged,
    encodings,
    junk_bytes,
    texts,
    urls,
)

TAGS = ("p", "div", "article", "h1", "li", "blockquote", "script", "style", "nav", "span", "td")


@st.composite
def article_html(draw: st.DrawFn) -> str:
    """A news page: head with metadata, an article of paragraphs, and odd markup around it."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        tag = draw(st.sampled_from(TAGS))
        attrs = draw(
            st.sampled_from(
                ("", " class='twitter-tweet'", " class='fb-post'", " dir='rtl'", " hidden")
            )
        )
        parts.append(f"<{tag}{attrs}>{draw(st.one_of(arabic_text, texts))}</{tag}>")
    meta = draw(
        st.sampled_from(
            (
                "",
                "<meta property='article:published_time' content='2024-03-02T10:00:00+03:00'>",
                "<meta property='article:published_time' content='0000-99-99'>",
                "<meta name='date' content='٢٠٢٤/٠٣/٠٢'>",
                "<meta property='og:site_name' content=''>",
            )
        )
    )
    return (
        f"<html lang='ar'><head><meta charset='utf-8'><title>{draw(texts)}</title>{meta}</head>"
        f"<body><article>{''.join(parts)}</article></body></html>"
    )


pages = st.one_of(article_html(), st.text(alphabet=ARABIC + "<>/p ='\"&;#x", max_size=300))


def check_page(page: ExtractedPage) -> None:
    assert page.paragraphs
    for paragraph in page.paragraphs:
        assert paragraph
        assert paragraph == " ".join(paragraph.split())
    assert page.title is None or page.title.strip() == page.title != ""
    assert page.language in {"ar", "other", None}


@given(junk_bytes, content_types)
def test_decode_raises_only_decode_error(body: bytes, content_type: str | None) -> None:
    try:
        decoded = decode_body(body, content_type)
    except DecodeError:
        return
    assert isinstance(decoded, DecodedBody)
    assert isinstance(decoded.text, str)


page_text = st.text(alphabet=ARABIC.replace("\ufeff", "") + " abc.<>", min_size=1, max_size=300)


@given(page_text, encodings, content_types)
def test_encoded_text_decodes_or_is_refused(
    text: str, encoding: str, content_type: str | None
) -> None:
    try:
        decoded = decode_body(text.encode(encoding, errors="replace"), content_type)
    except DecodeError:
        return
    assert decoded.method in {"header", "meta", "bom", "detected"}


@given(page_text)
def test_utf8_declared_in_the_header_decodes_to_itself(text: str) -> None:
    decoded = decode_body(text.encode(), "text/html; charset=utf-8")
    assert (decoded.text, decoded.encoding, decoded.method) == (text, "utf-8", "header")


@budget(0.5)
@given(pages, st.one_of(st.none(), urls()))
def test_extract_page_raises_only_extraction_error(html: str, url: str | None) -> None:
    try:
        page = extract_page(html, url)
    except ExtractionError:
        return
    check_page(page)


@budget(0.5)
@given(
    st.one_of(junk_bytes, pages.map(str.encode), pages.map(str.encode).flatmap(damaged)),
    content_types,
    urls(),
)
def test_extract_article_raises_only_text_error(
    body: bytes, content_type: str | None, url: str
) -> None:
    page = RawPage(
        url_id="a" * 32,
        url=url,
        canonical_url=url,
        source_id="fuzz",
        outlet="منفذ",
        fetched_at=datetime(2024, 3, 2, tzinfo=UTC),
        http_status=200,
        content_type=content_type,
        body_b64=RawPage.encode_body(body),
    )
    try:
        article = extract_article(page, source_offset="news.pages.v1[0]@0")
    except TextError:
        return
    assert article.paragraphs
    assert len(article.content_hash) == 64
    assert RawPage.model_validate_json(page.to_bytes()) == page
    assert type(article).model_validate_json(article.to_bytes()) == article
