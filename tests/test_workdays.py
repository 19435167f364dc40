import datetime

from tasks.workdays import (
    is_working_day,
    next_working_day,
    previous_working_day,
    reminder_horizon,
    working_days_back,
    working_days_between,
)


def d(s):
    return datetime.date.fromisoformat(s)


def test_it_knows_national_day_is_off():
    assert not is_working_day(d("2025-10-01"))
    assert not is_working_day(d("2025-10-08"))


def test_it_knows_the_make_up_workdays():
    # 调休: Sunday 28 September and Saturday 11 October 2025 were worked for National Day.
    assert is_working_day(d("2025-09-28"))
    assert is_working_day(d("2025-10-11"))
    # Spring Festival 2026: Saturdays 14 and 28 February worked.
    assert is_working_day(d("2026-02-14"))
    assert is_working_day(d("2026-02-28"))


def test_ordinary_weekends_are_off():
    assert not is_working_day(d("2025-06-14"))
    assert not is_working_day(d("2025-06-15"))


def test_next_and_previous_skip_the_holiday():
    assert next_working_day(d("2025-09-30")) == d("2025-10-09")
    assert previous_working_day(d("2025-10-09")) == d("2025-09-30")
    assert next_working_day(d("2025-09-26")) == d("2025-09-28")  # Friday → the make-up Sunday


def test_reminder_horizon_covers_the_days_off_ahead():
    assert reminder_horizon(d("2025-06-13")) == d("2025-06-15")  # Friday covers the weekend
    assert reminder_horizon(d("2025-06-12")) == d("2025-06-12")
    assert reminder_horizon(d("2025-09-30")) == d("2025-10-08")  # the whole Golden Week


def test_working_days_count_skips_weekend_and_holidays():
    assert working_days_between(d("2025-06-09"), d("2025-06-16")) == 5
    assert working_days_between(d("2025-09-29"), d("2025-10-09")) == 2  # 30 Sep and 9 Oct
    assert working_days_back(d("2025-06-17"), 6) == d("2025-06-10")
