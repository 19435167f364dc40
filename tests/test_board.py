"""The board: a column per stage, moves by button or drag through project_move_stage."""

from decimal import Decimal

import pytest

from projects.models import Project, Stage, StageChange
from tests.factories import FollowUpFactory, ProjectFactory


@pytest.fixture
def project(cast):
    return ProjectFactory(organization=cast.committee_a, owner=cast.officer, planned_amount=Decimal("50000000"))


def test_each_stage_has_a_column_with_count_and_total(client, cast, project):
    ProjectFactory(organization=cast.committee_a, owner=cast.officer, planned_amount=Decimal("24000000000"))
    ProjectFactory(organization=cast.committee_a, owner=cast.officer, status="on_hold")
    client.force_login(cast.officer)
    response = client.get("/projects/board/", HTTP_ACCEPT_LANGUAGE="en")
    columns = response.context["columns"]
    assert [c["stage"] for c in columns] == Stage.values
    lead = columns[0]
    assert lead["count"] == 2  # on-hold projects are not on the board
    assert lead["total"] == Decimal("24050000000")
    assert "240.5 亿元" in response.content.decode()


def test_the_button_moves_a_card_through_the_transition_service(client, cast, project):
    FollowUpFactory(project=project)
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/", {"to_stage": "contacted", "version": project.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.stage == Stage.CONTACTED
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("lead", "contacted", cast.officer)
    assert 'id="move-message"' in response.content.decode()


def test_missing_evidence_shows_the_per_field_messages(client, cast, project):
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/",
        {"to_stage": "contacted", "version": project.version},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert 'id="move-problem"' in html
    assert "Record a follow-up before moving to" in html
    assert Project.objects.get(pk=project.pk).stage == Stage.LEAD


def test_a_stale_card_is_refused_with_a_reload_message(client, cast, project):
    FollowUpFactory(project=project)
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/",
        {"to_stage": "contacted", "version": project.version + 1},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Reload the board" in response.content.decode()
    assert not StageChange.objects.exists()


def test_moving_back_needs_a_reason(client, cast, project):
    Project.objects.filter(pk=project.pk).update(stage=Stage.CONTACTED)
    client.force_login(cast.officer)
    data = {"to_stage": "lead", "version": project.version}
    response = client.post(f"/projects/{project.pk}/move/", data, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert "Say why the project moves back." in response.content.decode()
    response = client.post(f"/projects/{project.pk}/move/", data | {"note": "企业暂停洽谈"}, HTTP_HX_REQUEST="true")
    assert Project.objects.get(pk=project.pk).stage == Stage.LEAD


def test_without_htmx_it_redirects_with_a_message(client, cast, project):
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/",
        {"to_stage": "contacted", "version": project.version, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/projects/board/"


def test_readers_see_the_card_without_a_move_button(client, cast, project):
    client.force_login(cast.city_manager)
    html = client.get("/projects/board/").content.decode()
    assert f'data-id="{project.pk}"' in html
    assert f'action="/projects/{project.pk}/move/' not in html
    response = client.post(f"/projects/{project.pk}/move/", {"to_stage": "contacted", "version": 1})
    assert response.status_code == 404


def test_it_rejects_get_on_move(client, cast, project):
    client.force_login(cast.officer)
    assert client.get(f"/projects/{project.pk}/move/").status_code == 405
