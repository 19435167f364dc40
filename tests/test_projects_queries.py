"""The list, the board, the export and the project page cost a fixed number of queries,
whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Stage, StageChange
from projects.pipeline.attachments import attachment_upload
from tests.delivery_helpers import pdf
from tests.factories import FollowUpFactory, ProjectFactory


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_projects(cast, n):
    stages = list(Stage)
    today = timezone.localdate()
    for i in range(n):
        p = ProjectFactory(
            organization=cast.committee_a,
            owner=cast.officer if i % 2 else cast.teammate,
            created_by=cast.officer,
            stage=stages[i % len(stages)],
            next_follow_up_on=today - datetime.timedelta(days=i % 5 - 2),
            is_confidential=i % 7 == 0,
            codename=f"代号{i}",
        )
        if i % 11 == 0:
            p.need_to_know.add(cast.operator)


@pytest.mark.parametrize(
    "url",
    ["/projects/", "/projects/?sort=investor&overdue=on", "/projects/board/", "/projects/export.csv", "/"],
)
@pytest.mark.parametrize("who", ["officer", "operator"])
def test_pages_of_projects_cost_the_same_for_10_and_200(client, cast, url, who):
    client.force_login(getattr(cast, who))
    make_projects(cast, 10)
    few = queries(client, url)
    make_projects(cast, 190)
    many = queries(client, url)
    print(f"{url} as {who}: {few} queries with 10 projects, {many} with 200")
    assert many == few
    assert few <= 14


@pytest.mark.parametrize("who", ["officer", "operator"])
def test_the_project_page_costs_the_same_for_10_and_200_events(client, cast, media, who):
    """Follow-ups, stage changes, edits (owners too: names loaded once for the whole history) and
    files; seen by its officer, and by an operator for whom the deal is confidential (the opening
    is logged, the names masked)."""
    project = ProjectFactory(
        organization=cast.committee_a, owner=cast.officer, zone=cast.zone_a, is_confidential=True, codename="北极星"
    )
    client.force_login(getattr(cast, who))
    url = f"/projects/{project.pk}/"

    def add_events(n):
        for i in range(n):
            FollowUpFactory(project=project, author=cast.teammate)
            StageChange.objects.create(
                project=project,
                from_stage="lead",
                to_stage="contacted",
                changed_at=timezone.now(),
                changed_by=cast.officer,
            )
            project.industry = f"行业{i}"
            project.owner = cast.teammate if i % 2 else cast.officer
            project.save()
            attachment_upload(project=project, user=cast.officer, uploaded=pdf(f"文件{i}.pdf"))

    add_events(10)
    few = queries(client, url)
    add_events(190)
    many = queries(client, url)
    print(f"project page as {who}: {few} queries with 10 events of each kind, {many} with 200")
    assert many == few
    assert few <= 16
