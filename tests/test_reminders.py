"""The daily reminder: one email per officer per working day, due and overdue follow-ups."""

import datetime
import re

import pytest
from django.core import mail

from operators.models import NotificationPreference
from projects.models import Status
from tasks.models import OutboxMessage
from tasks.sender import outbox_send_due
from tasks.sweeps import reminders_sweep

from .notify_helpers import at, due_project


def sweep_and_send():
    queued = reminders_sweep()
    outbox_send_due()
    return queued


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def officer(cast):
    return cast.officer


def test_it_reminds_the_owner_of_a_follow_up_due_today(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12", title="芯片封装测试项目")
    with at("2025-06-12"):
        assert sweep_and_send() == 1
    [email] = mails_to(cast.officer)
    assert "芯片封装测试项目" in email.body
    assert "带样品再谈" in email.body  # what was agreed last time
    assert OutboxMessage.objects.get().key == f"reminder:{cast.officer.pk}:2025-06-12"


def test_it_sends_nothing_when_nothing_is_due(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-20")
    with at("2025-06-12"):
        assert sweep_and_send() == 0
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_it_sends_nothing_on_a_public_holiday(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-09-30")
    with at("2025-10-01"):
        assert sweep_and_send() == 0
    assert mail.outbox == []


def test_it_runs_on_a_make_up_workday(cast):
    # Sunday 28 September 2025 was worked in exchange for National Day.
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-09-28")
    with at("2025-09-28"):
        assert sweep_and_send() == 1
    assert len(mails_to(cast.officer)) == 1


def test_it_does_nothing_on_an_ordinary_sunday(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-13")
    with at("2025-06-15"):
        assert sweep_and_send() == 0


def test_a_follow_up_due_on_sunday_is_reminded_on_friday(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-15", title="周日项目")
    with at("2025-06-12"):  # Thursday: not yet
        assert sweep_and_send() == 0
    with at("2025-06-13"):  # Friday, the working day before
        assert sweep_and_send() == 1
    assert "周日项目" in mails_to(cast.officer)[0].body


def test_a_follow_up_due_in_the_holiday_is_reminded_before_it(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-10-03", title="国庆项目")
    with at("2025-09-30"):
        assert sweep_and_send() == 1
    assert "国庆项目" in mails_to(cast.officer)[0].body


def test_overdue_follow_ups_are_listed_oldest_first(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12", title="今天到期")
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-02", title="最早逾期")
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-10", title="较晚逾期")
    with at("2025-06-12"):
        sweep_and_send()
    [email] = mails_to(cast.officer)
    body = email.body
    assert body.index("最早逾期") < body.index("较晚逾期") < body.index("今天到期")
    assert "2 " in email.subject or "2" in email.subject  # overdue count in the subject


def test_it_sends_one_email_per_officer_per_day(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-11")
    due_project(owner=cast.teammate, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12", 9):
        assert sweep_and_send() == 2
    with at("2025-06-12", 15):
        assert sweep_and_send() == 0  # the same day again: nothing new
    assert len(mails_to(cast.officer)) == 1
    assert len(mails_to(cast.teammate)) == 1
    with at("2025-06-13", 9):  # still overdue the next day: a new day, a new reminder
        assert sweep_and_send() == 2


def test_it_waits_for_the_users_hour(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    NotificationPreference.objects.create(user=cast.officer, reminder_time=datetime.time(10, 0))
    due_project(owner=cast.teammate, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12", 8, 0):  # before everyone's hour (default 08:30)
        assert sweep_and_send() == 0
    with at("2025-06-12", 8, 35):
        assert sweep_and_send() == 1
    assert mails_to(cast.teammate) and not mails_to(cast.officer)
    with at("2025-06-12", 16, 0):  # a sweep missed at 10:00 is caught up later the same day
        assert sweep_and_send() == 1
    assert len(mails_to(cast.officer)) == 1


def test_it_sends_nothing_to_a_user_who_turned_reminders_off(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    NotificationPreference.objects.create(user=cast.officer, reminders_enabled=False)
    with at("2025-06-12"):
        assert sweep_and_send() == 0
    assert mail.outbox == []


def test_projects_on_hold_or_lost_are_not_reminded(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12", status=Status.ON_HOLD)
    due_project(
        owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12", status=Status.LOST, lost_reason="other"
    )
    with at("2025-06-12"):
        assert sweep_and_send() == 0


def test_the_email_is_html_and_text_in_chinese_with_absolute_links(cast, settings):
    settings.SITE_URL = "https://zs.example.cn"
    project = due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12"):
        sweep_and_send()
    [email] = mails_to(cast.officer)
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f"https://zs.example.cn/projects/{project.pk}/" in email.body
    assert f'href="https://zs.example.cn/projects/{project.pk}/"' in html
    assert "跟进" in email.subject  # Chinese by default
    assert email.extra_headers["List-Unsubscribe"].startswith("<https://zs.example.cn/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.search(r"https://zs\.example\.cn/unsubscribe/\S+/", email.body)


def test_the_email_follows_the_users_language(cast):
    NotificationPreference.objects.create(user=cast.officer, language="en")
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12"):
        sweep_and_send()
    [email] = mails_to(cast.officer)
    assert "follow-up" in email.subject
    assert "Agreed last time" in email.body
