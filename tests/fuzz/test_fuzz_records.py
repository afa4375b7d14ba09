"""The records of kernel.records decoded from bytes, as the stages read them off Kafka.

Contract: a record's ``to_bytes`` decodes back to an equal record (its times are RFC 3339:
offsets of whole minutes; the producers hand out UTC, see the sitemap dates); any other bytes either
decode to a valid record or raise pydantic's ``ValidationError`` (the extract and index stages
dead-letter that as ``bad_record``); a decoded page's body can be read back.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from kernel.records import DeadLetter, ExtractedArticle, RawPage

from .strategies import damaged, junk_bytes, rfc3339_datetimes, surrogate_text

# Text as JSON carries it: any code point but lone surrogates (not UTF-8-encodable).
strings = st.text(max_size=40)
short = st.text(max_size=20)
optional_times = st.one_of(st.none(), rfc3339_datetimes)
ids = st.text(alphabet="0123456789abcdef", min_size=16, max_size=64)

raw_pages = st.builds(
    RawPage,
    url_id=ids,
    url=strings,
    canonical_url=strings,
    source_id=short,
    outlet=short,
    fetched_at=rfc3339_datetimes,
    published_at=optional_times,
    feed_title=st.one_of(st.none(), strings),
    http_status=st.integers(100, 599),
    content_type=st.one_of(st.none(), short),
    charset=st.one_of(st.none(), short),
    body_b64=st.binary(max_size=512).map(RawPage.encode_body),
)
dead_letters = st.builds(
    DeadLetter,
    stage=short,
    topic=short,
    partition=st.integers(0, 2**31 - 1),
    offset=st.integers(0, 2**63 - 1),
    key=st.one_of(st.none(), short),
    error_type=short,
    reason=st.text(max_size=500),
    failed_at=rfc3339_datetimes,
    value_b64=st.one_of(st.none(), st.binary(max_size=256).map(RawPage.encode_body)),
)
extracted_articles = st.builds(
    ExtractedArticle,
    url_id=ids,
    url=strings,
    canonical_url=strings,
    source_id=short,
    outlet=short,
    title=strings,
    paragraphs=st.lists(strings, max_size=5).map(tuple),
    dropped_reasons=st.lists(short, max_size=3).map(tuple),
    dropped_count=st.integers(0, 1000),
    language=st.one_of(st.none(), st.sampled_from(("ar", "other"))),
    encoding=short,
    content_hash=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    published_at=optional_times,
    fetched_at=rfc3339_datetimes,
    extracted_at=rfc3339_datetimes,
    source_offset=short,
)
records = st.one_of(raw_pages, dead_letters, extracted_articles)
MODELS: tuple[type[BaseModel], ...] = (RawPage, DeadLetter, ExtractedArticle)


def decode(model: type[BaseModel], data: bytes) -> BaseModel | None:
    """The record, or None when the bytes are refused the documented way."""
    try:
        record = model.model_validate_json(data)
    except ValidationError:
        return None
    if isinstance(record, RawPage):
        assert isinstance(record.body, bytes)
    return record


@given(records)
def test_round_trip(record: RawPage | DeadLetter | ExtractedArticle) -> None:
    data = record.to_bytes()
    again = type(record).model_validate_json(data)
    assert again == record
    assert again.to_bytes() == data
    if isinstance(record, RawPage) and isinstance(again, RawPage):
        assert RawPage.encode_body(again.body) == record.body_b64


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@given(data=junk_bytes)
def test_garbage_is_a_validation_error(model: type[BaseModel], data: bytes) -> None:
    decode(model, data)


@given(records.flatmap(lambda r: damaged(r.to_bytes())))
def test_damaged_records_are_a_validation_error(data: bytes) -> None:
    for model in MODELS:
        decode(model, data)


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), strings, surrogate_text
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(short, inner, max_size=3)
        ),
        max_leaves=8,
    )


@given(records, st.data())
def test_a_field_replaced_by_any_json_value(
    record: RawPage | DeadLetter | ExtractedArticle, data: st.DataObject
) -> None:
    fields = json.loads(record.to_bytes())
    name = data.draw(st.sampled_from(sorted(fields)))
    fields[name] = data.draw(json_values())
    decode(type(record), json.dumps(fields).encode())


@given(raw_pages, st.text(max_size=40))
def test_a_page_whose_body_is_not_base64(page: RawPage, body_b64: str) -> None:
    fields = json.loads(page.to_bytes())
    fields["body_b64"] = body_b64
    decoded = decode(RawPage, json.dumps(fields).encode())
    if decoded is not None:
        assert isinstance(decoded, RawPage)
        assert RawPage.encode_body(decoded.body) == base64.b64encode(decoded.body).decode()
