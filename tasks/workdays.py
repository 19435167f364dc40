"""Chinese working days: public holidays off, and the weekend days worked in exchange (调休) on.

Uses the `holidays` package (holidays.China): `is_working_day` honours its `weekend_workdays`,
the Saturdays and Sundays the State Council moves into the working week around Spring Festival,
National Day and the other long holidays.
"""

import datetime
from functools import lru_cache

import holidays

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    # A holiday's make-up workday can fall in the neighbouring year (New Year, Spring Festival),
    # so load the years around the one asked for. Immutable after construction.
    return holidays.China(years=range(year - 1, year + 2))


def is_working_day(day: datetime.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after `day`."""
    day += ONE_DAY
    while not is_working_day(day):
        day += ONE_DAY
    return day


def previous_working_day(day: datetime.date) -> datetime.date:
    """The last working day strictly before `day`."""
    day -= ONE_DAY
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def working_days_back(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day counting back from `day`, `day` itself (if a working day) being the 1st."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if not is_working_day(day):
        day = previous_working_day(day)
    for _ in range(n - 1):
        day = previous_working_day(day)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days d with start < d <= end: how many working days `start` is behind `end`."""
    count, day = 0, start + ONE_DAY
    while day <= end:
        count += is_working_day(day)
        day += ONE_DAY
    return count


def reminder_horizon(day: datetime.date) -> datetime.date:
    """Last due date to remind on working day `day`: everything due before the next working day,
    so a follow-up due on a weekend or holiday is reminded on the working day before it."""
    return next_working_day(day) - ONE_DAY
