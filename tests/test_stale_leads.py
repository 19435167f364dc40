"""Stale leads: an active project idle longer than its stage allows nudges its owner, at most weekly."""

import datetime

from django.core import mail

from operators.models import NotificationPreference
from projects.models import Stage
from tasks.selectors import DEFAULT_STALE_DAYS, stale_thresholds
from tasks.sender import outbox_send_due
from tasks.sweeps import stale_sweep

from .factories import ProjectFactory
from .notify_helpers import SHANGHAI, at


def sweep_and_send():
    queued = stale_sweep()
    outbox_send_due()
    return queued


def idle_project(cast, *, days_idle_on, stage=Stage.LEAD, **extra):
    """A project whose last activity was at 10:00 on `days_idle_on`."""
    day = datetime.date.fromisoformat(days_idle_on)
    return ProjectFactory(
        owner=cast.officer,
        organization=cast.committee_a,
        stage=stage,
        last_activity_at=datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI),
        **extra,
    )


def test_a_lead_idle_for_more_than_14_days_nudges_its_owner(cast):
    idle_project(cast, days_idle_on="2025-05-28", title="沉睡线索")
    with at("2025-06-12"):  # 15 days
        assert sweep_and_send() == 1
    [email] = mail.outbox
    assert email.to == [cast.officer.email]
    assert "沉睡线索" in email.body


def test_a_lead_idle_for_less_is_left_alone(cast):
    idle_project(cast, days_idle_on="2025-06-01")
    with at("2025-06-12"):
        assert sweep_and_send() == 0


def test_negotiations_get_30_days(cast):
    idle_project(cast, days_idle_on="2025-05-20", stage=Stage.NEGOTIATING)
    with at("2025-06-12"):  # 23 days
        assert sweep_and_send() == 0
    with at("2025-06-20"):  # 31 days
        assert sweep_and_send() == 1


def test_projects_in_production_are_never_stale(cast):
    idle_project(cast, days_idle_on="2024-01-02", stage=Stage.IN_PRODUCTION)
    with at("2025-06-12"):
        assert sweep_and_send() == 0


def test_the_nudge_comes_at_most_once_a_week(cast):
    idle_project(cast, days_idle_on="2025-05-20")
    with at("2025-06-09"):
        assert sweep_and_send() == 1
        assert sweep_and_send() == 0
    for day in ["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13"]:
        with at(day):
            assert sweep_and_send() == 0
    with at("2025-06-16"):  # seven days later: still idle, nudged again
        assert sweep_and_send() == 1
    assert len(mail.outbox) == 2


def test_the_organisation_can_change_a_stages_limit(cast):
    cast.committee_a.stale_days = {"lead": 30}
    cast.committee_a.save()
    idle_project(cast, days_idle_on="2025-05-28")
    with at("2025-06-12"):
        assert sweep_and_send() == 0
    cast.committee_a.stale_days = {"lead": 7}
    cast.committee_a.save()
    idle_project(cast, days_idle_on="2025-06-03")
    with at("2025-06-12"):
        assert sweep_and_send() == 1
    assert mail.outbox[0].body.count("/projects/") == 2


def test_no_nudge_for_a_user_who_turned_emails_off(cast):
    NotificationPreference.objects.create(user=cast.officer, reminders_enabled=False)
    idle_project(cast, days_idle_on="2025-05-01")
    with at("2025-06-12"):
        assert sweep_and_send() == 0


def test_a_project_never_touched_counts_from_its_creation(cast):
    with at("2025-05-01"):
        ProjectFactory(owner=cast.officer, organization=cast.committee_a, stage=Stage.LEAD, last_activity_at=None)
    with at("2025-06-12"):
        assert sweep_and_send() == 1


def test_bad_overrides_fall_back_to_the_defaults():
    table = stale_thresholds({"lead": "x", "contacted": -3, "negotiating": 0, "unknown": 5, "registered": 99})
    assert table["lead"] == DEFAULT_STALE_DAYS["lead"]
    assert table["contacted"] == DEFAULT_STALE_DAYS["contacted"]
    assert table["negotiating"] is None
    assert table["registered"] == 99
