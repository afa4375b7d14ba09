"""The tag fields' mapping has one definition, the index templates: the tagger reads it from
there, every field it writes is mapped in both templates, with a type its values fit."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kernel.datafiles import DataFileError, deploy_dir
from pipeline.tagging import INDEX_MAPPING, ArticleTags, ParagraphTags, Tagger, to_index_fields
from pipeline.tagging.rollup import INDEX_FIELDS, TEMPLATE_KINDS, index_mapping

ARTICLE = [
    "شن تنظيم الدولة هجوما قويا على معاقل قوات الأسد في منطقة حميمة في بادية حمص أعلن خلاله "
    "عن تمكنه من قتل أكثر من 40 عنصرا.",
    "تعرضت قرية دير سمعان قرب مدينة دارة عزة لقصف صاروخي أدى لسقوط عدد من الجرحى بين المدنيين.",
    "أكد ناشطون اليوم السبت أن قناصا قتل طفلا.",
]
STRICT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fits(value: Any, spec: dict[str, Any]) -> bool:
    """True if ``value`` (a field of :func:`to_index_fields`) is a valid value of ``spec``."""
    values = value if isinstance(value, list) else [value]
    kind = spec["type"]
    if kind == "keyword":
        return all(isinstance(v, str) for v in values)
    if kind == "integer":
        return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if kind == "geo_point":
        return all(
            isinstance(v, dict) and set(v) == {"lat", "lon"} and -90 <= v["lat"] <= 90
            for v in values
        )
    if kind == "date" and spec.get("format") == "strict_date":
        return all(isinstance(v, str) and STRICT_DATE.match(v) for v in values)
    return False  # a type the tagger does not write: the template changed, check the code


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_field_the_tagger_writes_is_mapped_with_a_fitting_type(
    tagger: Tagger, kind: str
) -> None:
    mapping = index_mapping(kind)
    article = tagger.tag_article(ARTICLE, date(2017, 9, 9))
    every: list[ParagraphTags | ArticleTags] = [article, *article.paragraphs]
    for tags in every:
        fields = to_index_fields(tags)
        assert tuple(fields) == INDEX_FIELDS  # a new field must be named (and so mapped)
        for name, value in fields.items():
            assert _fits(value, mapping[name]), (kind, name, value, mapping[name])


def test_both_templates_map_the_tag_fields_alike() -> None:
    articles, paragraphs = (index_mapping(kind) for kind in TEMPLATE_KINDS)
    assert articles == paragraphs


def test_the_mapping_is_read_from_the_template_not_copied() -> None:
    path = deploy_dir() / "index-templates" / "news-articles.json"
    properties = json.loads(path.read_text(encoding="utf-8"))["template"]["mappings"]["properties"]
    assert dict(INDEX_MAPPING) == {name: properties[name] for name in INDEX_FIELDS}
    assert INDEX_MAPPING["event_dates"] == {"type": "date", "format": "strict_date"}


def test_a_template_without_a_tag_field_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "deploy"
    shutil.copytree(deploy_dir() / "index-templates", data / "index-templates")
    path = data / "index-templates" / "news-paragraphs.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    del body["template"]["mappings"]["properties"]["killed"]
    path.write_text(json.dumps(body), encoding="utf-8")
    assert index_mapping("articles", data)["killed"] == {"type": "integer"}
    with pytest.raises(DataFileError, match=r"news-paragraphs\.json has no mapping for killed"):
        index_mapping("paragraphs", data)
