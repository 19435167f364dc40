"""The daily reminder: one email per officer per working day, due and overdue follow-ups."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.template import TemplateSyntaxError
from django.urls import reverse

from operators.models import NotificationPreference, Role
from projects.models import Project, Status
from projects.pipeline.services import followup_record
from tasks.models import OutboxMessage
from tasks.sender import outbox_send_due
from tasks.services import outbox_retry
from tasks.sweeps import reminders_sweep

from .factories import MembershipFactory, UserFactory
from .notify_helpers import at, due_project


def sweep_and_send():
    queued = reminders_sweep()
    outbox_send_due()
    return queued


def called(project, *, next_due_on, summary="已电话沟通", **fields):
    """Its owner records a call on 2025-06-12."""
    return followup_record(
        project=project,
        user=project.owner,
        kind="call",
        occurred_on=datetime.date(2025, 6, 12),
        summary=summary,
        next_due_on=next_due_on,
        **fields,
    )


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


# -- written when sent (issue 9): the sweep decides who, the sender writes the email -----------


def test_the_sweep_queues_a_row_the_sender_writes(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-10")
    with at("2025-06-12"):
        assert reminders_sweep() == 1
    row = OutboxMessage.objects.get()
    assert row.status == "pending" and row.body_text == ""
    assert row.subject == "2 项待办跟进（1 项逾期） · 2025-06-12"  # the sweep's counts, in Chinese
    assert row.context == {"day": "2025-06-12", "total": 2, "overdue": 1}
    with at("2025-06-12", 9, 1):
        outbox_send_due()
    row.refresh_from_db()
    [email] = mails_to(cast.officer)
    assert row.status == "sent"
    assert (row.subject, row.body_text, row.body_html) == (email.subject, email.body, email.alternatives[0][0])
    assert row.headers["X-Outbox-Key"] == row.key == email.extra_headers["X-Outbox-Key"]


def test_the_queued_subject_is_in_the_recipients_language(cast):
    NotificationPreference.objects.create(user=cast.officer, language="en")
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    due_project(owner=cast.teammate, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12"):
        reminders_sweep()
    assert OutboxMessage.objects.get(user=cast.officer).subject == "1 follow-up to do · 2025-06-12"
    assert OutboxMessage.objects.get(user=cast.teammate).subject == "1 项待办跟进 · 2025-06-12"


def test_the_email_shows_the_data_as_it_is_when_sent(cast):
    done = due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-10", title="已跟进项目")
    renamed = due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12", title="旧名称")
    with at("2025-06-12", 9):
        assert reminders_sweep() == 1
    with at("2025-06-12", 9, 1):  # between the sweep and the sender
        called(done, next_due_on=datetime.date(2025, 6, 30))
        called(renamed, summary="对方在外地", next_action="下周再打", next_due_on=datetime.date(2025, 6, 12))
        Project.objects.filter(pk=renamed.pk).update(title="新名称")
        outbox_send_due()
    [email] = mails_to(cast.officer)
    assert "已跟进项目" not in email.body
    assert "新名称" in email.body and "旧名称" not in email.body
    assert "下周再打" in email.body  # what was agreed in the follow-up just recorded
    assert email.subject == "1 项待办跟进 · 2025-06-12"  # counted again when sent
    assert OutboxMessage.objects.get().subject == email.subject


def test_nothing_due_any_more_sends_nothing_and_the_row_says_why(cast, client):
    project = due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-11")
    with at("2025-06-12", 9):
        assert reminders_sweep() == 1
    with at("2025-06-12", 9, 1):
        called(project, next_due_on=datetime.date(2025, 6, 30))
        assert outbox_send_due() == (0, False)
    assert mail.outbox == []
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.SKIPPED and row.attempts == 1 and row.sent_at is None
    assert "Nothing was due any more" in row.note
    with at("2025-06-12", 15):  # the same day again: the key is taken, nothing new
        assert sweep_and_send() == 0
    assert mail.outbox == []
    client.force_login(cast.admin)
    page = client.get(reverse("tasks:outbox"), {"status": "skipped"}).content.decode()
    assert row.key in page
    assert "无需发送" in page and "发送时已无到期的跟进" in page
    assert row.key not in client.get(reverse("tasks:outbox"), {"status": "pending"}).content.decode()
    detail = client.get(reverse("tasks:outbox_message", args=[row.pk])).content.decode()
    assert "发送时已无到期的跟进" in detail


def test_a_recipient_who_turned_reminders_off_meanwhile_gets_nothing(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12", 9):
        reminders_sweep()
        NotificationPreference.objects.create(user=cast.officer, reminders_enabled=False)
        outbox_send_due()
    assert mail.outbox == []
    row = OutboxMessage.objects.get()
    assert row.status == "skipped" and "turned these emails off" in row.note


def test_a_pending_row_shows_its_subject_on_the_outbox_page(cast, client):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12"):
        reminders_sweep()
    row = OutboxMessage.objects.get()
    client.force_login(cast.admin)
    assert "1 项待办跟进 · 2025-06-12" in client.get(reverse("tasks:outbox")).content.decode()
    detail = client.get(reverse("tasks:outbox_message", args=[row.pk])).content.decode()
    assert "1 项待办跟进 · 2025-06-12" in detail and "发送时根据当时的数据生成" in detail


def test_a_rendering_error_is_a_failed_attempt_and_the_row_is_kept(cast, monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12", title="模板出错项目")

    def broken(**kwargs):
        raise TemplateSyntaxError("broken template")

    with at("2025-06-12", 9):
        reminders_sweep()
        monkeypatch.setattr("tasks.sender.render_email", broken)
        outbox_send_due()
        row = OutboxMessage.objects.get()
        assert row.status == "pending" and row.attempts == 1 and "broken template" in row.last_error
    with at("2025-06-12", 9, 5):
        outbox_send_due()
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 2 and mail.outbox == []
    monkeypatch.undo()  # the template is fixed; an administrator sends it again
    with at("2025-06-12", 10):
        assert outbox_retry(message_ids=[row.pk]) == 1
        outbox_send_due()
    row.refresh_from_db()
    assert row.status == "sent"
    assert "模板出错项目" in mails_to(cast.officer)[0].body


def test_a_repeated_sweep_queues_nothing_twice(cast):
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
    due_project(owner=cast.teammate, organization=cast.committee_a, due_on="2025-06-12")
    with at("2025-06-12", 9):
        assert reminders_sweep() == 2
        assert reminders_sweep() == 0  # before anything was sent
        outbox_send_due()
        assert reminders_sweep() == 0  # after
    with at("2025-06-12", 17):
        due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-12")
        assert reminders_sweep() == 0  # one email per officer per day, whatever came due since
    assert OutboxMessage.objects.count() == 2
    assert len(mail.outbox) == 2


def _officers(cast, count: int) -> None:
    for i in range(count):
        officer = UserFactory(username=f"bounded{i}")
        MembershipFactory(user=officer, organization=cast.committee_a, role=Role.OFFICER)
        if i % 2:  # half of them with their own settings and language
            NotificationPreference.objects.create(user=officer, language="en")
        for day in ("2025-06-12", "2025-06-05"):
            due_project(owner=officer, organization=cast.committee_a, due_on=day)


@pytest.mark.parametrize("officers", [1, 3, 70])
def test_the_sweep_runs_the_same_few_queries_whatever_the_number_of_officers(
    cast, officers, django_assert_max_num_queries
):
    _officers(cast, officers)
    # The grouped query, one INSERT, two savepoints and their releases (the test runs in a
    # transaction), and PostgreSQL's advisory lock; no rendering, nothing per officer.
    with at("2025-06-12"), django_assert_max_num_queries(6 + (connection.vendor == "postgresql")):
        assert reminders_sweep() == officers
    assert OutboxMessage.objects.filter(kind="reminder").count() == officers
