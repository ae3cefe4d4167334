"""The demo's calendar: every date of the demo, relative to the day it is first seeded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class DemoCalendar:
    """Every programme date of the demo, relative to the day it is seeded.

    The graduate programme started about four and a half months ago, so its pairs are near
    the middle of their agreements (where the midway droop happens); the exchange starts in
    three to four weeks and its round waits for review; the evaluated programme started
    more than two years ago (two years of retention to report) and ended over a year ago.
    Programmes start on a Monday.
    """

    today: dt.date

    @classmethod
    def for_today(cls) -> DemoCalendar:
        return cls(timezone.localdate())

    def at(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        """A moment of `day` in the installation's time zone."""
        return dt.datetime.combine(
            day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
        )

    def days_ago(self, days: int, hour: int = 9) -> dt.datetime:
        return self.at(self.today - dt.timedelta(days=days), hour)

    # The running graduate programme: recruited before it started, matched ten days in.
    @property
    def graduate_start(self) -> dt.date:
        return _monday(self.today - dt.timedelta(days=140))

    @property
    def graduate_end(self) -> dt.date:
        return self.graduate_start + dt.timedelta(days=300)

    @property
    def graduate_invited(self) -> dt.datetime:
        return self.at(self.graduate_start - dt.timedelta(days=60))

    @property
    def graduate_round(self) -> dt.datetime:
        return self.at(self.graduate_start + dt.timedelta(days=7), 10)

    @property
    def graduate_matched(self) -> dt.datetime:
        return self.at(self.graduate_start + dt.timedelta(days=10))

    @property
    def late_invited(self) -> dt.datetime:
        """Applications stay open: the latest applicants arrived three weeks ago."""
        return self.days_ago(21)

    # The exchange: recruited over the last six weeks, prepared, matched two days ago.
    @property
    def exchange_start(self) -> dt.date:
        return _monday(self.today + dt.timedelta(days=27))

    @property
    def exchange_end(self) -> dt.date:
        return self.exchange_start + dt.timedelta(days=300)

    @property
    def exchange_invited(self) -> dt.datetime:
        return self.days_ago(45)

    @property
    def exchange_round(self) -> dt.datetime:
        return self.days_ago(2, 10)

    # The rolling programme: open since about eight months ago, with no end.
    @property
    def rolling_opened(self) -> dt.date:
        return _monday(self.today - dt.timedelta(days=240))

    # The evaluated programme, ten months long.
    @property
    def evaluated_start(self) -> dt.date:
        return _monday(self.today - dt.timedelta(days=800))

    @property
    def evaluated_end(self) -> dt.date:
        return self.evaluated_start + dt.timedelta(days=298)
