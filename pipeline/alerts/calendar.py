"""The calendar a baseline has to know: hour of the week, Friday, Ramadan and the Eids.

News volume follows the week (Friday is the day of rest in Syria and most of the region:
fewer bulletins, Friday-prayer protests) and the Hijri year (Ramadan changes working hours and
publishing; the Eids are holidays). A seasonal baseline therefore compares a window with the
same hour of the week in earlier weeks, and only with weeks of the same kind: Ramadan with
Ramadan, ordinary weeks with ordinary weeks (see :func:`comparable`).

Hijri dates come from ``hijridate`` (the Umm al-Qura calendar, 1343-1500 AH, i.e. 1924-2077):
a maintained library rather than a hand-written table of dates. Outside its range a day counts
as ordinary. The Umm al-Qura calendar is computed, not sighted: local announcements of the
start of Ramadan can differ by a day, which a window-level baseline tolerates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from hijridate import Gregorian

HOURS_PER_WEEK = 7 * 24
REST_DAY = 4  # date.weekday() of Friday
RAMADAN = 9
SHAWWAL = 10
DHU_AL_HIJJAH = 12


class Season(StrEnum):
    """The kind of day, for comparing like with like."""

    ORDINARY = "ordinary"
    RAMADAN = "ramadan"
    EID = "eid"


@dataclass(frozen=True, slots=True)
class Moment:
    """What the calendar says about one instant (UTC)."""

    hour_of_week: int
    """0 = Monday 00:00-01:00 UTC, 167 = Sunday 23:00."""
    rest_day: bool
    season: Season


def hour_of_week(when: datetime) -> int:
    when = when.astimezone(UTC)
    return when.weekday() * 24 + when.hour


@lru_cache(maxsize=4096)
def season(day: date) -> Season:
    """Ramadan, Eid al-Fitr (1-3 Shawwal), Eid al-Adha (10-13 Dhu al-Hijjah), or ordinary."""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):  # outside the Umm al-Qura table
        return Season.ORDINARY
    if hijri.month == RAMADAN:
        return Season.RAMADAN
    if (hijri.month == SHAWWAL and hijri.day <= 3) or (
        hijri.month == DHU_AL_HIJJAH and 10 <= hijri.day <= 13
    ):
        return Season.EID
    return Season.ORDINARY


def moment(when: datetime) -> Moment:
    when = when.astimezone(UTC)
    return Moment(hour_of_week(when), when.weekday() == REST_DAY, season(when.date()))


def comparable(current: datetime, earlier: datetime) -> bool:
    """Whether ``earlier`` may serve as a baseline for ``current``: same season."""
    return season(current.astimezone(UTC).date()) == season(earlier.astimezone(UTC).date())


def seasonal_starts(start: datetime, weeks: int) -> list[datetime]:
    """The same window start 1..``weeks`` weeks back, keeping only comparable weeks; if none
    is comparable (the first days of Ramadan), all of them, so a baseline still exists."""
    every = [start - timedelta(weeks=n) for n in range(1, weeks + 1)]
    like = [earlier for earlier in every if comparable(start, earlier)]
    return like or every
