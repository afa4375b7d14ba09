"""Hour of week, Friday, Ramadan and Eid from the Umm al-Qura calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pipeline.alerts import Season, moment, season
from pipeline.alerts.calendar import seasonal_starts


def test_hour_of_week_and_the_day_of_rest() -> None:
    friday_noon = datetime(2025, 3, 14, 12, tzinfo=UTC)
    when = moment(friday_noon)
    assert when.hour_of_week == 4 * 24 + 12
    assert when.rest_day
    assert not moment(datetime(2025, 3, 15, 12, tzinfo=UTC)).rest_day
    assert moment(datetime(2025, 3, 10, 0, tzinfo=UTC)).hour_of_week == 0


def test_ramadan_and_the_eids() -> None:
    assert season(date(2025, 3, 1)) is Season.RAMADAN  # 1 Ramadan 1446
    assert season(date(2025, 2, 28)) is Season.ORDINARY
    assert season(date(2025, 3, 30)) is Season.EID  # 1 Shawwal 1446
    assert season(date(2025, 6, 6)) is Season.EID  # 10 Dhu al-Hijjah 1446
    assert season(date(2025, 7, 1)) is Season.ORDINARY


def test_outside_the_calendar_range_is_ordinary() -> None:
    assert season(date(1900, 1, 1)) is Season.ORDINARY
    assert season(date(2090, 1, 1)) is Season.ORDINARY


def test_seasonal_baseline_compares_like_with_like() -> None:
    in_ramadan = datetime(2025, 3, 21, 12, tzinfo=UTC)  # third Friday of Ramadan 1446
    starts = seasonal_starts(in_ramadan, 4)
    assert starts == [datetime(2025, 3, 14, 12, tzinfo=UTC), datetime(2025, 3, 7, 12, tzinfo=UTC)]
    after = datetime(2025, 4, 25, 12, tzinfo=UTC)
    assert all(season(s.date()) is Season.ORDINARY for s in seasonal_starts(after, 8))
    first_day = datetime(2025, 3, 1, 12, tzinfo=UTC)  # no earlier Ramadan week: use them all
    assert len(seasonal_starts(first_day, 4)) == 4
