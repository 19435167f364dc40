"""Escalation: a follow-up overdue by more than N working days goes to the owner's team lead."""

import pytest
from django.core import mail

from operators.models import NotificationPreference, Role
from tasks.models import Notice, OutboxMessage
from tasks.sender import outbox_send_due
from tasks.sweeps import escalations_sweep

from .factories import MembershipFactory, UserFactory
from .notify_helpers import at, due_project


def sweep_and_send():
    queued = escalations_sweep()
    outbox_send_due()
    return queued


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def overdue(cast):
    # Due Monday 9 June 2025. Working days overdue: 10→1, 11→2, 12→3, 13→4, 16→5, 17→6.
    return due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-09", title="逾期项目")


def test_it_does_not_escalate_at_n_working_days(cast, overdue):
    with at("2025-06-16"):
        assert sweep_and_send() == 0
    assert mail.outbox == []


def test_it_escalates_after_n_working_days_to_the_team_lead(cast, overdue):
    with at("2025-06-17"):
        assert sweep_and_send() == 1
    [email] = mail.outbox
    assert email.to == [cast.lead.email]
    assert "逾期项目" in email.body
    assert "officer" in email.body or cast.officer.get_full_name() in email.body  # whose it is
    notice = Notice.objects.get()
    assert notice.level == 1 and notice.days == 6
    assert OutboxMessage.objects.get().key == f"escalation:{cast.lead.pk}:2025-06-17"


def test_it_escalates_once_per_level(cast, overdue):
    with at("2025-06-17"):
        sweep_and_send()
        sweep_and_send()  # two beats
    with at("2025-06-18"):
        assert sweep_and_send() == 0  # still level 1: already told
    with at("2025-06-23"):  # 10 working days overdue: not more than 2 × 5 yet
        assert sweep_and_send() == 0
    with at("2025-06-24"):  # 11: level 2
        assert sweep_and_send() == 1
    with at("2025-06-25"):
        assert sweep_and_send() == 0
    assert len(mails_to(cast.lead)) == 2
    assert sorted(Notice.objects.values_list("level", flat=True)) == [1, 2]


def test_the_threshold_is_the_organisations(cast, overdue):
    cast.committee_a.escalation_working_days = 2
    cast.committee_a.save()
    with at("2025-06-12"):  # 3 working days overdue > 2
        assert sweep_and_send() == 1


def test_weekends_and_holidays_do_not_count(cast):
    # Due Friday 26 September 2025; then Sunday 28 (make-up day), 29, 30, the Golden Week, 9, 10, 11 (Saturday, worked).
    due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-09-26")
    with at("2025-10-10"):  # 28, 29, 30, 9, 10: five working days
        assert sweep_and_send() == 0
    with at("2025-10-11"):  # the make-up Saturday is the sixth
        assert sweep_and_send() == 1


def test_it_does_not_escalate_to_a_lead_who_turned_emails_off(cast, overdue):
    NotificationPreference.objects.create(user=cast.lead, reminders_enabled=False)
    with at("2025-06-17"):
        assert sweep_and_send() == 0


def test_each_team_lead_of_the_organisation_is_told_once(cast, overdue):
    second_lead = UserFactory(username="lead2")
    MembershipFactory(user=second_lead, organization=cast.committee_a, role=Role.TEAM_LEAD)
    outside_lead = UserFactory(username="lead_b")
    MembershipFactory(user=outside_lead, organization=cast.committee_b, role=Role.TEAM_LEAD)
    with at("2025-06-17"):
        assert sweep_and_send() == 2
    assert len(mails_to(cast.lead)) == 1 and len(mails_to(second_lead)) == 1
    assert mails_to(outside_lead) == []


def test_a_follow_up_found_after_the_days_email_waits_for_the_next_working_day(cast, overdue):
    with at("2025-06-17", 9):
        assert sweep_and_send() == 1
    due_project(owner=cast.teammate, organization=cast.committee_a, due_on="2025-06-09", title="后来发现")
    with at("2025-06-17", 15):
        assert sweep_and_send() == 0  # today's email is gone already
    with at("2025-06-18", 9):
        assert sweep_and_send() == 1
    assert "后来发现" in mails_to(cast.lead)[-1].body
    assert "逾期项目" not in mails_to(cast.lead)[-1].body


def test_nothing_is_escalated_on_a_holiday(cast, overdue):
    with at("2025-10-02"):
        assert sweep_and_send() == 0
