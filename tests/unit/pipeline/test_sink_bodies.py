import json

from kernel.datafiles import deploy_dir
from pipeline.sinks.bodies import parse_hits, search_body, template_body

TEMPLATES = deploy_dir() / "index-templates"


def test_every_template_file_is_valid_json_with_strict_mappings() -> None:
    files = sorted(TEMPLATES.glob("*.json"))
    assert files
    for path in files:
        body = json.loads(path.read_text(encoding="utf-8"))
        assert body["template"]["mappings"]["dynamic"] == "strict"


def test_article_template_uses_the_arabic_analyzer_with_an_exact_subfield() -> None:
    body = template_body("articles", "test-x")
    assert body["index_patterns"] == ["test-x-articles*"]
    props = body["template"]["mappings"]["properties"]
    for field in ("title", "text"):
        assert props[field]["analyzer"] == "marsad_arabic"
        assert props[field]["fields"]["exact"]["analyzer"] == "marsad_arabic_exact"
    filters = body["template"]["settings"]["analysis"]["analyzer"]["marsad_arabic"]["filter"]
    assert filters.index("decimal_digit") < filters.index("marsad_arabic_stemmer")
    assert "arabic_normalization" in filters


def test_search_body_and_hit_parsing() -> None:
    body = search_body("احرار الشام", 3)
    assert body["size"] == 3
    words = [
        clause["bool"]["should"][0]["match"]["title"]["query"]
        for clause in body["query"]["bool"]["must"]
    ]
    assert words == ["احرار", "الشام"]  # every word required (docs/search.md)
    hits = parse_hits(
        {
            "hits": {
                "hits": [
                    {
                        "_id": "x",
                        "_score": 2.5,
                        "_source": {"title": "ع"},
                        "highlight": {"text": ["**أحرار** الشام"]},
                    }
                ]
            }
        }
    )
    assert hits[0].id == "x" and hits[0].highlights == ("**أحرار** الشام",)
