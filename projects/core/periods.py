"""Reporting periods: calendar weeks (Monday first), months, quarters and years in the project's
time zone (Asia/Shanghai), or a custom range of days. A period is a closed range of dates; in the
database it is the half-open range of instants [start 00:00, day after end 00:00) local time, so
a stage move at 23:59 on a Sunday belongs to the week that ends that Sunday."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEK, MONTH, QUARTER, YEAR, CUSTOM = "week", "month", "quarter", "year", "custom"
KINDS = [
    (WEEK, _("This week")),
    (MONTH, _("This month")),
    (QUARTER, _("This quarter")),
    (YEAR, _("This year")),
    (CUSTOM, _("Custom")),
]


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    kind: str = CUSTOM

    @property
    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before: last week, last month, ...; for a custom range,
        the same number of days just before it."""
        if self.kind == WEEK:
            return Period(self.start - datetime.timedelta(days=7), self.start - datetime.timedelta(days=1), WEEK)
        if self.kind in (MONTH, QUARTER, YEAR):
            months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
            return calendar_period(self.kind, _shift_months(self.start, -months))
        return Period(self.start - datetime.timedelta(days=self.days), self.start - datetime.timedelta(days=1))


def _shift_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def calendar_period(kind: str, day: datetime.date) -> Period:
    """The week, month, quarter or year that contains `day`."""
    if kind == WEEK:
        start = week_start(day)
        return Period(start, start + datetime.timedelta(days=6), WEEK)
    if kind == MONTH:
        start = day.replace(day=1)
    elif kind == QUARTER:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == YEAR:
        start = datetime.date(day.year, 1, 1)
    else:
        raise ValueError(f"not a calendar period: {kind}")
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
    return Period(start, _shift_months(start, months) - datetime.timedelta(days=1), kind)
