"""Analysts' marks on alerts, and what they change: a key marked noise needs a larger rise.

    feedback = Feedback(marks)            (rule id, key, "noise" | "expected", marked_at)
    feedback.replace(marks)               the worker reloads them from the alerts index
    feedback.active(rule, key, start, end, config) -> Mark | None

A mark is about one rule and key (not one alert): the latest mark of a rule and key wins. It
is *active* for a window ``[start, end)`` that ends after the mark was made and starts before
the mark's period is over (``noise_period`` or ``expected_period`` of the rules file's
``feedback:``). Windows that had ended when the analyst marked are untouched: a backfill or a
replay of the past is judged as it was.

``noise`` ("this rise means nothing"): the key must rise ``noise_factor`` times more than
before. A spike's reference rate (its mean, its floor for 0/0, and its spread) is multiplied
by the factor, as if the baseline had been that much busier; a threshold's or frequency's
count is multiplied (rounded up); a flatline's allowed silence is multiplied. A new term
marked noise does not fire again during the period: a first mention cannot be "larger".
The evidence says so (``notes.feedback``). Why scale the reference and not just the p-value:
the analyst's judgment is about size ("three times what we see is normal here"), which stays
readable in the evidence's expected range; a stricter p-value would barely move small counts.

``expected`` ("we knew": a scheduled visit, announced talks): the alert still opens, so the
record is complete, but it is flagged (``notes.feedback``) and not updated for mere count
growth: only a later window or new outlet groups joining update it (as for new terms).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pipeline.alerts.keystate import Key
from pipeline.alerts.rules import FeedbackConfig

MarkKind = Literal["noise", "expected"]
KINDS: tuple[MarkKind, ...] = ("noise", "expected")


@dataclass(frozen=True, slots=True)
class Mark:
    kind: MarkKind
    marked_at: datetime

    def until(self, config: FeedbackConfig) -> datetime:
        period = config.noise_period if self.kind == "noise" else config.expected_period
        return self.marked_at + period

    def note(self, config: FeedbackConfig) -> dict[str, Any]:
        """What the evidence says about the mark (``notes.feedback``); plain JSON values."""
        note: dict[str, Any] = {
            "mark": self.kind,
            "marked_at": self.marked_at.isoformat(),
            "until": self.until(config).isoformat(),
        }
        if self.kind == "noise":
            note["factor"] = config.noise_factor
        return note


class Feedback:
    """The marks in force, by rule and key; replaced as a whole when they are reloaded."""

    def __init__(self, marks: Iterable[tuple[str, Key, str, datetime]] = ()) -> None:
        self._marks: dict[tuple[str, Key], Mark] = {}
        self.replace(marks)

    def replace(self, marks: Iterable[tuple[str, Key, str, datetime]]) -> int:
        """Replace every mark by ``marks`` (rule id, key values in the rule's key order,
        ``"noise"`` or ``"expected"``, when marked; timezone-aware). The latest mark of a rule
        and key wins; marks of another kind or without a time zone are left out. Returns how
        many marks are in force."""
        latest: dict[tuple[str, Key], Mark] = {}
        for rule, key, kind, marked_at in marks:
            if kind not in KINDS or marked_at.tzinfo is None:
                continue
            mark = Mark("noise" if kind == "noise" else "expected", marked_at)
            known = latest.get((rule, tuple(key)))
            if known is None or known.marked_at <= marked_at:
                latest[rule, tuple(key)] = mark
        self._marks = latest
        return len(latest)

    def __len__(self) -> int:
        return len(self._marks)

    def active(
        self, rule: str, key: Key, start: datetime, end: datetime, config: FeedbackConfig
    ) -> Mark | None:
        """The mark on ``rule`` and ``key`` in force for the window ``[start, end)``, if any."""
        if not self._marks:
            return None
        mark = self._marks.get((rule, key))
        if mark is None or not (mark.marked_at < end and start < mark.until(config)):
            return None
        return mark


def noise_factor(mark: Mark | None, config: FeedbackConfig) -> float:
    """How many times larger a rise must be under ``mark`` (1 without a noise mark)."""
    return config.noise_factor if mark is not None and mark.kind == "noise" else 1.0
