"""The 三未 lists on a known data set: signed but not started, started but not completed,
completed but not producing; per zone, with days late against the plan."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from projects.delivery.models import MilestoneKind
from projects.delivery.selectors import three_not_yets, three_not_yets_counts
from projects.models import Milestone, Stage, Status

from .delivery_fixtures import signed_project

TODAY = datetime.date(2026, 6, 30)


def plan(project, kind, planned=None, actual=None):
    Milestone.objects.update_or_create(
        project=project, kind=kind, defaults={"planned_on": planned, "actual_on": actual}
    )


@pytest.fixture
def data(cast):
    d = datetime.date
    p = {}
    p["late_start"] = signed_project(cast, title="迟迟未开工")
    plan(p["late_start"], MilestoneKind.CONSTRUCTION, d(2026, 5, 1))
    p["start_not_due"] = signed_project(cast, title="尚未到开工期")
    plan(p["start_not_due"], MilestoneKind.CONSTRUCTION, d(2026, 7, 15))
    # Started by a stage move: only the project's own date is set.
    p["building"] = signed_project(
        cast, title="在建未竣工", stage=Stage.UNDER_CONSTRUCTION, construction_started_on=d(2026, 3, 1)
    )
    plan(p["building"], MilestoneKind.COMPLETION, d(2026, 6, 20))
    p["completed"] = signed_project(cast, title="竣工未投产")
    plan(p["completed"], MilestoneKind.CONSTRUCTION, d(2026, 2, 1), d(2026, 2, 10))
    plan(p["completed"], MilestoneKind.COMPLETION, d(2026, 5, 1), d(2026, 5, 1))
    plan(p["completed"], MilestoneKind.PRODUCTION, d(2026, 5, 31))
    p["producing"] = signed_project(
        cast,
        title="已投产",
        stage=Stage.IN_PRODUCTION,
        construction_started_on=d(2026, 1, 20),
        production_started_on=d(2026, 6, 1),
    )
    p["lost"] = signed_project(cast, title="已终止", status=Status.LOST, lost_reason="other")
    p["paused"] = signed_project(cast, title="暂缓项目", status=Status.ON_HOLD, on_hold_until=d(2026, 8, 1))
    p["negotiating"] = signed_project(cast, title="洽谈中", stage=Stage.NEGOTIATING, intention_signed_on=None)
    p["zone_b"] = signed_project(
        cast,
        title="云山未开工",
        organization=cast.committee_b,
        zone=cast.zone_b,
        owner=cast.outsider,
        operating_company=None,
        service_contact=None,
    )
    plan(p["zone_b"], MilestoneKind.CONSTRUCTION, d(2026, 6, 1))
    return p


def summary(groups):
    return {
        g.zone.short_name: {key: [(r.project.title, r.days_late) for r in rows] for key, _label, rows in g.lists()}
        for g in groups
    }


def test_the_lists_are_exact(cast, data):
    assert summary(three_not_yets(cast.city_manager, today=TODAY)) == {
        "清河经开区": {
            "not_started": [("迟迟未开工", 60), ("尚未到开工期", 0), ("暂缓项目", None)],
            "not_built": [("在建未竣工", 10)],
            "not_producing": [("竣工未投产", 30)],
        },
        "云山高新区": {"not_started": [("云山未开工", 29)], "not_built": [], "not_producing": []},
    }


def test_rows_carry_since_planned_and_pause(cast, data):
    (group,) = three_not_yets(cast.operator, today=TODAY)
    built = group.not_built[0]
    assert built.since == datetime.date(2026, 3, 1)
    assert built.planned_on == datetime.date(2026, 6, 20)
    assert [r.is_paused for r in group.not_started] == [False, False, True]
    assert group.not_started[0].since == datetime.date(2026, 1, 5)


def test_each_user_sees_the_zones_of_their_scope(cast, data):
    assert [g.zone for g in three_not_yets(cast.county_manager, today=TODAY)] == [cast.zone_a]
    assert [g.zone for g in three_not_yets(cast.operator, today=TODAY)] == [cast.zone_a]
    assert [g.zone for g in three_not_yets(cast.outsider, today=TODAY)] == [cast.zone_b]
    assert [g.zone for g in three_not_yets(cast.city_manager, today=TODAY, zone_ids=[cast.zone_b.pk])] == [cast.zone_b]


def test_the_counts_match_the_lists(cast, data):
    assert three_not_yets_counts(cast.city_manager) == {"not_started": 4, "not_built": 1, "not_producing": 1}
    assert three_not_yets_counts(cast.county_manager) == {"not_started": 3, "not_built": 1, "not_producing": 1}


def test_the_queries_do_not_grow_with_the_projects(cast, data, django_assert_max_num_queries):
    for _ in range(20):
        signed_project(cast)
    with django_assert_max_num_queries(3):  # scope, projects, need-to-know prefetch
        three_not_yets(cast.city_manager, today=TODAY)


def test_the_overview_page_lists_them_with_days_late(cast, data, client):
    client.force_login(cast.city_manager)
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0)):
        html = client.get(reverse("delivery:overview")).content.decode()
    rows = html.split(f'data-testid="list-not_started-{cast.zone_a.pk}"', 1)[1].split("</table>", 1)[0]
    assert rows.index("迟迟未开工") < rows.index("尚未到开工期") < rows.index("暂缓项目")
    assert ">60<" in rows
    assert 'data-testid="count-not_started">4<' in html
    assert "已投产" not in html and "已终止" not in html and "洽谈中" not in html
