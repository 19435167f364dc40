"""Supervision orders (督办): issued by a manager, acknowledged and reported on by the recipient,
escalated once per level when overdue (leader, then the issuing manager), never twice."""

import datetime

import pytest
import time_machine

from projects.core.errors import PipelineError
from projects.delivery import supervision
from projects.models import DeliverySettings, Project, Status, SupervisionOrder
from tasks import models as task_models
from tasks.supervision import on_hold_resume_sweep, supervision_escalation_sweep

from .delivery_fixtures import signed_project
from .factories import MembershipFactory, ProjectFactory, UserFactory

if not hasattr(task_models, "OutboxMessage"):  # pragma: no cover - until issue 5 lands on main
    pytest.skip("needs the notification outbox of the reminders issue (branch issue-5)", allow_module_level=True)
OutboxMessage = task_models.OutboxMessage
DUE = datetime.date(2026, 3, 10)


@pytest.fixture
def leader(cast):
    user = UserFactory(username="leader", first_name="李局长")
    MembershipFactory(user=user, organization=cast.city, role="manager")
    return user


@pytest.fixture
def order(cast, leader):
    project = signed_project(cast)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0)):
        supervision.plan_assign_leader(project=project, user=cast.city_manager, leader=leader)
        return supervision.supervision_issue(
            project=project,
            user=cast.city_manager,
            instruction="3月10日前完成开工准备",
            due_on=DUE,
            assignee=cast.operator,
        )


def sweep(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0))):
        return supervision_escalation_sweep(today=day)


def keys():
    return sorted(OutboxMessage.objects.filter(key__startswith="supervision:").values_list("key", "user__username"))


def test_the_recipient_acknowledges_and_reports(cast, order):
    supervision.supervision_acknowledge(order=order, user=cast.operator)
    order.refresh_from_db()
    assert order.status == SupervisionOrder.Status.ACKNOWLEDGED
    first = order.acknowledged_at
    supervision.supervision_acknowledge(order=order, user=cast.operator)
    order.refresh_from_db()
    assert order.acknowledged_at == first
    supervision.supervision_report(order=order, user=cast.operator, text="已完成施工许可申报")
    assert [r.text for r in order.reports.all()] == ["已完成施工许可申报"]


def test_only_the_recipient_may_acknowledge(cast, order):
    with pytest.raises(PipelineError):
        supervision.supervision_acknowledge(order=order, user=cast.officer)
    order.refresh_from_db()
    assert order.status == SupervisionOrder.Status.OPEN


def test_only_a_manager_issues_orders(cast):
    project = signed_project(cast)
    with pytest.raises(PipelineError):
        supervision.supervision_issue(
            project=project, user=cast.lead, instruction="x", due_on=datetime.date(2099, 1, 1), assignee=cast.operator
        )


def test_the_recipient_must_see_the_project(cast):
    project = signed_project(cast)
    with pytest.raises(PipelineError) as exc:
        supervision.supervision_issue(
            project=project,
            user=cast.city_manager,
            instruction="x",
            due_on=datetime.date(2099, 1, 1),
            assignee=cast.outsider,
        )
    assert "assignee" in exc.value.errors


def test_a_county_manager_cannot_supervise_another_county(cast):
    project = signed_project(
        cast, organization=cast.committee_b, zone=cast.zone_b, operating_company=None, owner=cast.outsider
    )
    with pytest.raises(PipelineError):
        supervision.plan_assign_leader(project=project, user=cast.county_manager, leader=None)


def test_nothing_escalates_on_the_due_date(cast, order):
    assert sweep(DUE) == 0
    assert keys() == []


def test_overdue_goes_to_the_leader_once(cast, order, leader):
    assert sweep(DUE + datetime.timedelta(days=1)) == 1
    assert sweep(DUE + datetime.timedelta(days=1)) == 0
    assert sweep(DUE + datetime.timedelta(days=2)) == 0
    assert keys() == [(f"supervision:{order.pk}:1", "leader")]
    order.refresh_from_db()
    assert order.escalation_level == 1
    message = OutboxMessage.objects.get()
    assert "3月10日前完成开工准备" in message.body_text
    assert f"/projects/{order.project_id}/delivery/#order-{order.pk}" in message.body_text


def test_then_to_the_issuing_manager_once(cast, order):
    # Default: more than 3 days past due.
    sweep(DUE + datetime.timedelta(days=1))
    assert sweep(DUE + datetime.timedelta(days=3)) == 0
    assert sweep(DUE + datetime.timedelta(days=4)) == 1
    assert sweep(DUE + datetime.timedelta(days=4)) == 0
    assert sweep(DUE + datetime.timedelta(days=30)) == 0
    assert keys() == [(f"supervision:{order.pk}:1", "leader"), (f"supervision:{order.pk}:2", "city_manager")]
    order.refresh_from_db()
    assert order.escalation_level == 2


def test_a_missed_week_sends_both_levels_once(cast, order):
    assert sweep(DUE + datetime.timedelta(days=10)) == 2
    assert sweep(DUE + datetime.timedelta(days=10)) == 0
    assert len(keys()) == 2


def test_the_manager_delay_is_a_setting(cast, order):
    policy = DeliverySettings.current()
    policy.manager_escalation_days = 0
    policy.save()
    assert sweep(DUE + datetime.timedelta(days=1)) == 2


def test_an_acknowledged_order_still_escalates_but_a_done_one_does_not(cast, order):
    supervision.supervision_acknowledge(order=order, user=cast.operator)
    other = supervision.supervision_issue(
        project=order.project,
        user=cast.city_manager,
        instruction="y",
        due_on=datetime.date(2099, 1, 1),
        assignee=cast.operator,
    )
    SupervisionOrder.objects.filter(pk=other.pk).update(due_on=DUE)
    supervision.supervision_close(order=other, user=cast.city_manager)
    assert sweep(DUE + datetime.timedelta(days=1)) == 1
    assert keys() == [(f"supervision:{order.pk}:1", "leader")]


def test_without_a_leader_the_first_level_goes_to_the_issuer(cast):
    project = signed_project(cast)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0)):
        order = supervision.supervision_issue(
            project=project, user=cast.city_manager, instruction="z", due_on=DUE, assignee=cast.operator
        )
    sweep(DUE + datetime.timedelta(days=1))
    assert keys() == [(f"supervision:{order.pk}:1", "city_manager")]


def test_a_paused_project_comes_back_to_its_owner_on_its_date_once(cast):
    project = signed_project(cast)
    Project.objects.filter(pk=project.pk).update(
        status=Status.ON_HOLD, on_hold_until=datetime.date(2026, 4, 1), status_note="等待能评批复"
    )
    assert on_hold_resume_sweep(today=datetime.date(2026, 3, 31)) == 0
    assert on_hold_resume_sweep(today=datetime.date(2026, 4, 1)) == 1
    assert on_hold_resume_sweep(today=datetime.date(2026, 4, 2)) == 0
    message = OutboxMessage.objects.get()
    assert message.key == f"resume:{project.pk}:2026-04-01"
    assert message.user == cast.officer
    assert "等待能评批复" in message.body_text
    # Put on hold again with a new date: it comes back again on that date.
    Project.objects.filter(pk=project.pk).update(on_hold_until=datetime.date(2026, 5, 1))
    assert on_hold_resume_sweep(today=datetime.date(2026, 5, 1)) == 1


def test_a_paused_project_is_not_stale_but_its_active_twin_is(cast):
    Notice = task_models.Notice
    from tasks.sweeps import stale_sweep

    idle = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)
    active = ProjectFactory(owner=cast.officer, organization=cast.committee_a, last_activity_at=idle)
    paused = ProjectFactory(
        owner=cast.officer,
        organization=cast.committee_a,
        last_activity_at=idle,
        status=Status.ON_HOLD,
        on_hold_until=datetime.date(2025, 7, 1),
        status_note="等待环评批复",
    )
    with time_machine.travel(datetime.datetime(2025, 6, 12, 10, 0, tzinfo=datetime.UTC)):  # a Thursday
        stale_sweep()
    noticed = set(Notice.objects.filter(kind=Notice.Kind.STALE).values_list("project_id", flat=True))
    assert noticed == {active.pk}
    assert paused.pk not in noticed
