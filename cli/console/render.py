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


@dataclass(slots=True)
class _Count:
    """One count of a cluster, as the versions' diffs describe it."""

    subjects: list[str]
    diffs: list[tuple[int, str, str]]  # (occurrence, before, after)


def _diffs(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    diffs = doc.get("numeric_diff") or []
    return [diffs] if isinstance(diffs, dict) else list(diffs)


def _counts(occurrences: Sequence[Mapping[str, Any]]) -> list[_Count]:
    """The diffs grouped by the count they are about: the same subject, the same value before
    (diffs against one stored version), or one's value after being another's before (diffs
    against the previous version), or one's value after being another's (the same version
    reached from two sides) all name the same count ("صاروخ فيل" / "صواريخ فيل")."""
    counts: list[_Count] = []
    for i, doc in enumerate(occurrences):
        for diff in _diffs(doc):
            subject = str(diff.get("subject") or "")
            before, after = str(diff.get("before") or "—"), str(diff.get("after") or "—")
            same = [
                c
                for c in counts
                if subject in c.subjects
                or any(before in (b, a) or after in (b, a) for _, b, a in c.diffs)
            ]
            merged = _Count([subject], [(i, before, after)])
            for count in same:
                merged.subjects += [s for s in count.subjects if s not in merged.subjects]
                merged.diffs += count.diffs
                counts.remove(count)
            counts.append(merged)
    return counts


def number_histories(occurrences: Sequence[Mapping[str, Any]]) -> list[NumberHistory]:
    """The value of each changed count in every version, in the order of ``occurrences``
    (paragraph documents of one cluster, oldest publication first), from their
    ``numeric_diff`` fields.

    A diff compares a version with the stored version it matched, which was processed earlier
    but may have been published later; so each version's own value is read from its diff
    (``after``), and a version without a diff for the count has the value of the version all
    diffs started from: the ``before`` of the diff processed first (``indexed_at``).
    Consecutive equal values are shown once: 15 → 10 → 5.
    """
    order = sorted(
        range(len(occurrences)), key=lambda i: str(occurrences[i].get("indexed_at") or "")
    )
    rank = {i: n for n, i in enumerate(order)}
    histories = []
    for count in _counts(occurrences):
        base = min(count.diffs, key=lambda d: rank[d[0]])[1]
        value_of = {i: after for i, _, after in count.diffs}
        values: list[str] = []
        where: list[str] = []
        for i, doc in enumerate(occurrences):
            value = value_of.get(i, base)
            if values and value == values[-1]:
                continue
            if values:
                where.append(f"{doc.get('outlet', '?')} {doc.get('published_at') or ''}".strip())
            values.append(value)
        if len(values) > 1:
            histories.append(NumberHistory(" / ".join(count.subjects), tuple(values), tuple(where)))
    return histories


__all__ = ["NumberHistory", "TagSpan", "highlighted", "marked", "number_histories"]
