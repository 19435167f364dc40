"""Milestones: planned from the agreement by the delivery settings, coloured against the plan."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from projects.core.errors import PipelineError
from projects.delivery import services as delivery
from projects.delivery.models import MilestoneColour, MilestoneKind, milestone_colour
from projects.models import DeliverySettings, Milestone, Project

from .delivery_fixtures import signed_project

PLANNED = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 2, 28), MilestoneColour.ON_TRACK),  # the day before the plan
        (datetime.date(2026, 3, 1), MilestoneColour.ON_TRACK),  # on the planned day
        (datetime.date(2026, 3, 2), MilestoneColour.AMBER),  # one day late
        (datetime.date(2026, 3, 31), MilestoneColour.AMBER),  # 30 days late: still within the grace
        (datetime.date(2026, 4, 1), MilestoneColour.RED),  # 31 days late
    ],
)
def test_colour_at_each_boundary(today, expected):
    assert milestone_colour(PLANNED, None, today, 30) == expected


def test_a_reached_milestone_is_done_even_when_late_and_no_plan_is_unplanned():
    assert milestone_colour(PLANNED, datetime.date(2026, 5, 1), datetime.date(2026, 6, 1), 30) == MilestoneColour.DONE
    assert milestone_colour(None, None, datetime.date(2026, 6, 1), 30) == MilestoneColour.UNPLANNED


def test_the_grace_period_is_a_setting(db):
    policy = DeliverySettings.current()
    policy.grace_days = 10
    policy.save()
    m = Milestone(planned_on=PLANNED)
    grace = DeliverySettings.current().grace_days
    assert m.colour(datetime.date(2026, 3, 11), grace) == MilestoneColour.AMBER
    assert m.colour(datetime.date(2026, 3, 12), grace) == MilestoneColour.RED


def _badge(client, project, kind):
    html = client.get(reverse("delivery:plan", args=[project.pk])).content.decode()
    row = html.split(f'data-testid="milestone-{kind}"', 1)[1].split("</tr>", 1)[0]
    return row.split('data-colour="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("today", "colour"),
    [("2026-03-01", "on_track"), ("2026-03-02", "amber"), ("2026-03-31", "amber"), ("2026-04-01", "red")],
)
def test_the_delivery_page_shows_the_colour(cast, client, today, colour):
    project = signed_project(cast)
    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0)):
        delivery.delivery_start(project=project, user=cast.operator)
    Milestone.objects.filter(project=project, kind=MilestoneKind.CONSTRUCTION).update(planned_on=PLANNED)
    client.force_login(cast.operator)
    with time_machine.travel(datetime.datetime.fromisoformat(f"{today}T09:00:00+08:00")):
        assert _badge(client, project, MilestoneKind.CONSTRUCTION) == colour


def test_the_plan_is_set_at_signing_from_the_settings(cast):
    policy = DeliverySettings.current()
    policy.construction_offset_days = 100
    policy.save()
    project = signed_project(cast, signed_on=datetime.date(2026, 1, 5))
    delivery.delivery_start(project=project, user=cast.operator)
    planned = dict(Milestone.objects.filter(project=project).values_list("kind", "planned_on"))
    assert len(planned) == len(MilestoneKind.values)
    assert planned[MilestoneKind.CONSTRUCTION] == datetime.date(2026, 4, 15)
    assert planned[MilestoneKind.CONTRACT] == datetime.date(2026, 3, 6)  # default: 60 days


def test_delivery_does_not_start_before_signing(cast):
    project = signed_project(cast, stage="negotiating", intention_signed_on=None)
    with pytest.raises(PipelineError):
        delivery.delivery_start(project=project, user=cast.operator)


def test_recording_construction_start_writes_the_project_date_too(cast):
    project = signed_project(cast)
    version = project.version
    with time_machine.travel(datetime.datetime(2026, 5, 10, 9, 0)):
        delivery.milestone_record(
            project=project, user=cast.operator, kind=MilestoneKind.CONSTRUCTION, actual_on=datetime.date(2026, 5, 8)
        )
    project = Project.objects.get(pk=project.pk)
    assert project.construction_started_on == datetime.date(2026, 5, 8)
    assert project.version == version + 1
    assert Milestone.objects.get(project=project, kind=MilestoneKind.CONSTRUCTION).actual_on == datetime.date(
        2026, 5, 8
    )
    assert project.history.order_by("-history_id").first().history_user == cast.operator


def test_a_milestone_cannot_be_reached_in_the_future(cast):
    project = signed_project(cast)
    with time_machine.travel(datetime.datetime(2026, 5, 10, 9, 0)), pytest.raises(PipelineError) as exc:
        delivery.milestone_record(
            project=project, user=cast.operator, kind=MilestoneKind.LAND, actual_on=datetime.date(2026, 5, 11)
        )
    assert "actual_on" in exc.value.errors
    assert not Milestone.objects.filter(project=project, actual_on__isnull=False).exists()


def test_a_manager_cannot_record_milestones(cast):
    project = signed_project(cast)
    with pytest.raises(PipelineError):
        delivery.milestone_record(
            project=project, user=cast.city_manager, kind=MilestoneKind.LAND, actual_on=datetime.date(2026, 1, 6)
        )


def test_the_plan_can_be_revised_and_history_keeps_the_old_date(cast):
    project = signed_project(cast)
    delivery.delivery_start(project=project, user=cast.operator)
    old = Milestone.objects.get(project=project, kind=MilestoneKind.LAND).planned_on
    delivery.milestones_plan(
        project=project, user=cast.operator, planned={MilestoneKind.LAND: datetime.date(2026, 9, 1)}
    )
    land = Milestone.objects.get(project=project, kind=MilestoneKind.LAND)
    assert land.planned_on == datetime.date(2026, 9, 1)
    assert [h.planned_on for h in land.history.all()] == [datetime.date(2026, 9, 1), old]
