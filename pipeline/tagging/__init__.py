"""The pure tagger: events (ACLED), actors, places, casualties, attribution and dates.

    Tagger.load(lexicon_dir) -> Tagger                   validates deploy/lexicons/*.yaml
    Tagger.tag(text, published=None) -> ParagraphTags    one paragraph
    Tagger.tag_article(paragraphs, published) -> ArticleTags
    rollup(paragraph_tags) -> ArticleTags                merge an article's paragraphs
    to_index_fields(tags) -> dict                        flat keyword/integer/geo_point/date fields
    INDEX_MAPPING                                        their index mapping

Errors (all ``kernel.exceptions.MarsadError``)::

    TaggingError
    └── LexiconError        a lexicon file is missing or invalid: file, entry, reason

No I/O after loading, no settings, no framework imports: the worker and ``marsad tag`` call the
same code. Lexicons are data under ``deploy/lexicons/``; see ``docs/tagging.md``.
"""

from pipeline.tagging.exceptions import LexiconError, TaggingError
from pipeline.tagging.lexicon import Lexicons, load_lexicons
from pipeline.tagging.rollup import INDEX_MAPPING, lower_bound, rollup, to_index_fields
from pipeline.tagging.tagger import ArticleContext, Tagger
from pipeline.tagging.tags import (
    ActorTag,
    ArticleTags,
    Attribution,
    Casualty,
    DateTag,
    EventTag,
    ParagraphTags,
    PlaceTag,
    as_dict,
)

__all__ = [
    "INDEX_MAPPING",
    "ActorTag",
    "ArticleContext",
    "ArticleTags",
    "Attribution",
    "Casualty",
    "DateTag",
    "EventTag",
    "LexiconError",
    "Lexicons",
    "ParagraphTags",
    "PlaceTag",
    "Tagger",
    "TaggingError",
    "as_dict",
    "load_lexicons",
    "lower_bound",
    "rollup",
    "to_index_fields",
]
