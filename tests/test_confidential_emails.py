"""Confidential deals in emails: supervision escalations, on-hold resume reminders and digests show
the codename, never the real project or investor name, to a recipient outside the owning
organisation and the need-to-know list."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from operators.models import NotificationPreference
from projects.delivery.models import FundsTranche
from projects.delivery.services import tranche_record
from projects.models import Status, SupervisionOrder
from projects.pipeline.need_to_know import project_set_confidentiality
from tasks import digests
from tasks.models import OutboxMessage
from tasks.sender import outbox_send_due
from tasks.supervision import on_hold_resume_sweep, supervision_escalation_sweep
from tasks.sweeps import reminders_sweep

from .confidential_checks import assert_no_confidential_leak
from .delivery_fixtures import signed_project
from .delivery_helpers import pdf
from .factories import FollowUpFactory, InvestorFactory, ProjectFactory
from .metrics_data import SHANGHAI

d = datetime.date


@pytest.fixture
def secret(cast):
    project = signed_project(
        cast,
        title="集成电路芯片封装测试基地",
        investor=InvestorFactory(name="华芯半导体集团"),
        signed_on=d(2026, 6, 23),
    )
    project_set_confidentiality(project=project, user=cast.officer, is_confidential=True, codename="北极星")
    project.refresh_from_db()
    return project


def bodies(message) -> list[str]:
    return [message.subject, message.body_text, message.body_html]


def assert_codename_only(message, project):
    for body in bodies(message):
        assert_no_confidential_leak(body, project)
    assert "北极星" in message.body_text


def test_supervision_escalations_show_the_codename(cast, secret):
    SupervisionOrder.objects.create(
        project=secret,
        instruction="六月底前完成供地",
        due_on=d(2026, 5, 1),
        assignee=cast.operator,
        issued_by=cast.city_manager,
        leader=cast.county_manager,
    )
    assert supervision_escalation_sweep(today=d(2026, 6, 30)) == 2
    to_leader = OutboxMessage.objects.get(key__endswith=":1")
    to_manager = OutboxMessage.objects.get(key__endswith=":2")
    assert to_leader.user == cast.county_manager and to_manager.user == cast.city_manager
    assert_codename_only(to_leader, secret)
    assert_codename_only(to_manager, secret)


def test_need_to_know_recipients_get_the_real_name(cast, secret):
    project_set_confidentiality(
        project=secret, user=cast.officer, is_confidential=True, codename="北极星", need_to_know=[cast.county_manager]
    )
    SupervisionOrder.objects.create(
        project=secret,
        instruction="六月底前完成供地",
        due_on=d(2026, 6, 20),
        assignee=cast.operator,
        issued_by=cast.city_manager,
        leader=cast.county_manager,
    )
    supervision_escalation_sweep(today=d(2026, 6, 30))
    assert secret.title in OutboxMessage.objects.get(user=cast.county_manager).body_text


def test_the_resume_reminder_shows_the_codename_to_an_owner_outside_the_organisation(cast, secret):
    # delivery handed over: the operating company's contact owns the paused project now
    secret.owner, secret.status, secret.on_hold_until = cast.operator, Status.ON_HOLD, d(2026, 6, 30)
    secret.status_note = "等待华芯半导体集团董事会批准"
    secret.save()
    assert on_hold_resume_sweep(today=d(2026, 6, 30)) == 1
    message = OutboxMessage.objects.get()
    assert_codename_only(message, secret)
    assert "华芯" not in message.body_text


def test_the_resume_reminder_shows_the_real_name_to_the_owning_organisation(cast, secret):
    secret.status, secret.on_hold_until = Status.ON_HOLD, d(2026, 6, 30)
    secret.save()
    on_hold_resume_sweep(today=d(2026, 6, 30))
    assert secret.title in OutboxMessage.objects.get().body_text


def test_digests_show_the_codename(cast, secret, media):
    pref, _ = NotificationPreference.objects.get_or_create(user=cast.county_manager)
    pref.digest_frequency = "weekly"
    pref.save()
    with time_machine.travel(datetime.datetime(2026, 6, 24, 15, 0, tzinfo=SHANGHAI), tick=False):
        tranche_record(
            project=secret,
            user=cast.operator,
            received_on=d(2026, 6, 24),
            amount=Decimal("30000000"),
            kind=FundsTranche.Kind.REGISTERED_CAPITAL,
            evidence=pdf("凭证.pdf"),
            evidence_kind="voucher",
        )
        SupervisionOrder.objects.create(
            project=secret,
            instruction="尽快开工",
            due_on=d(2026, 6, 25),
            assignee=cast.operator,
            issued_by=cast.city_manager,
        )
    with time_machine.travel(datetime.datetime(2026, 6, 29, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert digests.digest_build(
            user_id=cast.county_manager.pk, frequency="weekly", start=d(2026, 6, 22), end=d(2026, 6, 28)
        )
    message = OutboxMessage.objects.get()
    # the signed intention, the funds received and the overdue order are all in it, by codename
    assert message.body_text.count("北极星") >= 3, message.body_text
    assert_codename_only(message, secret)


def _reminded(cast, project, owner):
    """The daily reminder of `owner`, who has `project`'s follow-up due, as the sender wrote it."""
    project.owner, project.next_follow_up_on = owner, d(2026, 6, 29)
    project.save()
    FollowUpFactory(
        project=project,
        author=cast.officer,
        occurred_on=d(2026, 6, 22),
        next_due_on=d(2026, 6, 29),
        next_action="与华芯半导体集团确认供地",
    )
    with time_machine.travel(datetime.datetime(2026, 6, 29, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert reminders_sweep() == 1
        outbox_send_due()
    [email] = mail.outbox
    message = OutboxMessage.objects.get()
    assert (message.subject, message.body_text) == (email.subject, email.body)
    return message


def test_the_reminder_shows_the_codename_to_an_owner_outside_the_organisation(cast, secret):
    # delivery handed over: the operating company's contact owns the project now
    message = _reminded(cast, secret, cast.operator)
    assert_codename_only(message, secret)


def test_the_reminder_shows_the_real_name_to_the_owning_organisation(cast, secret):
    message = _reminded(cast, secret, cast.officer)
    assert secret.title in message.body_text and "华芯半导体集团" in message.body_text


def test_the_reminder_decides_codenames_without_a_query_per_line(cast, secret):
    """Need-to-know comes with the due projects' rows: one deal or four, the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.content import reminder_content

    def queries_for_a_reminder():
        row = OutboxMessage(key="reminder:x", kind="reminder", user=cast.operator, context={"day": "2026-06-29"})
        with CaptureQueriesContext(connection) as ctx:
            content = reminder_content(row)
        assert "北极星" in str(content.context["lines"]) and secret.title not in str(content.context["lines"])
        return len(ctx.captured_queries)

    secret.owner, secret.next_follow_up_on = cast.operator, d(2026, 6, 29)
    secret.save()
    queries_for_a_reminder()  # the officer's preferences and scope are read once and kept
    one = queries_for_a_reminder()
    for i in range(3):
        ProjectFactory(
            owner=cast.operator,
            organization=secret.organization,
            zone=secret.zone,
            is_confidential=True,
            codename=f"代号{i}",
            next_follow_up_on=d(2026, 6, 29),
        )
    assert queries_for_a_reminder() == one
