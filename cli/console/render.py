"""Untrusted text made safe HTML: highlights, tagged words and number sequences.

Article text is what is left of other people's HTML; everything here escapes it first and adds
only the console's own elements (``<mark>``) around spans it chose. The results are
:class:`markupsafe.Markup`, so the templates (autoescaped) print them as they are and escape
everything else. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from cli.console.queries import POST, PRE


def highlighted(snippet: str) -> Markup:
    """An engine highlight (``PRE``/``POST`` around matches) as escaped HTML with ``<mark>``."""
    out: list[str] = []
    for i, part in enumerate(snippet.split(PRE)):
        if i == 0:
            out.append(str(escape(part.replace(POST, ""))))
            continue
        matched, _, rest = part.partition(POST)
        out.append(f"<mark>{escape(matched)}</mark>{escape(rest.replace(POST, ''))}")
    return Markup("".join(out))  # noqa: S704 - every piece above is escaped


@dataclass(frozen=True, slots=True)
class TagSpan:
    """A surface string to mark in a paragraph: its text, its kind (CSS class) and a title."""

    surface: str
    kind: str
    title: str


def marked(text: str, spans: Iterable[TagSpan]) -> Markup:
    """``text`` escaped, with each occurrence of each span's surface in ``<mark class=tag-…>``.

    Longer surfaces win where two overlap; a surface not found in the text (the tagger gave
    its normalized form) is simply not marked: the tag is still listed beside the paragraph.
    """
    taken: list[tuple[int, int, TagSpan]] = []
    for span in sorted(spans, key=lambda s: -len(s.surface)):
        if not span.surface.strip():
            continue
        start = text.find(span.surface)
        while start >= 0:
            end = start + len(span.surface)
            if all(end <= a or start >= b for a, b, _ in taken):
                taken.append((start, end, span))
            start = text.find(span.surface, end)
    taken.sort(key=lambda t: t[0])
    out: list[str] = []
    at = 0
    for start, end, span in taken:
        out.append(str(escape(text[at:start])))
        out.append(
            f'<mark class="tag tag-{escape(span.kind)}" title="{escape(span.title)}">'
            f"{escape(text[start:end])}</mark>"
        )
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))  # noqa: S704 - every piece above is escaped


@dataclass(frozen=True, slots=True)
class NumberHistory:
    """How one count changed across a cluster's versions: ``15 → 10 → 5`` of a subject."""

    subject: str
    values: tuple[str, ...]
    changed_at: tuple[str, ...]
    """The outlet and time of each version that changed it (one fewer than ``values``)."""


def number_histories(occurrences: Sequence[Mapping[str, Any]]) -> list[NumberHistory]:
    """The sequence of each changed count, in the time order of ``occurrences`` (paragraph
    documents of one cluster, oldest first), from their ``numeric_diff`` fields.

    Each diff says ``before`` → ``after`` against the version it matched; a sequence starts
    with the first ``before`` and grows by every ``after`` that differs from its last value.
    """
    histories: dict[str, tuple[list[str], list[str]]] = {}
    for doc in occurrences:
        diffs = doc.get("numeric_diff") or []
        if isinstance(diffs, dict):
            diffs = [diffs]
        for diff in diffs:
            subject = str(diff.get("subject") or "")
            before, after = diff.get("before"), diff.get("after")
            values, where = histories.setdefault(subject, ([], []))
            if not values:
                values.append("—" if before is None else str(before))
            new = "—" if after is None else str(after)
            if new != values[-1]:
                values.append(new)
                where.append(f"{doc.get('outlet', '?')} {doc.get('published_at') or ''}".strip())
    return [
        NumberHistory(subject, tuple(values), tuple(where))
        for subject, (values, where) in histories.items()
        if len(values) > 1
    ]


__all__ = ["NumberHistory", "TagSpan", "highlighted", "marked", "number_histories"]
