"""The board: a column per stage, moves by button or drag through project_move_stage."""

from decimal import Decimal

import pytest

from projects.models import Project, Stage, StageChange
from projects.pipeline.stages import project_move_stage
from tests.delivery_helpers import project_at
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
    html = response.content.decode()
    assert 'id="move-problem"' in html and "The board now shows the current state" in html
    assert not StageChange.objects.exists()


def test_a_stale_card_shows_what_changed_since_the_board_was_loaded(client, cast, project):
    FollowUpFactory(project=project)
    seen = project.version
    project_move_stage(project=project, user=cast.teammate, to_stage=Stage.CONTACTED, expected_version=seen)
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/",
        {"to_stage": "contacted", "version": seen},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert 'id="move-changes"' in html
    assert response.context["move_changes"] == [("stage", "Lead", "Contacted")]
    # The card is shown where it now is, with its current version.
    card = f'data-id="{project.pk}" data-version="{project.version}"'
    assert card in html
    assert StageChange.objects.count() == 1


def _opened_form(response) -> str:
    """The stage form sent out of band into the modal, or ''."""
    html = response.content.decode()
    marker = '<div id="project-modal-body" hx-swap-oob="innerHTML">'
    return html[html.index(marker) :] if marker in html else ""


def test_moving_back_opens_the_stage_form_for_the_reason(client, cast, project):
    Project.objects.filter(pk=project.pk).update(stage=Stage.CONTACTED)
    client.force_login(cast.officer)
    data = {"to_stage": "lead", "version": project.version}
    response = client.post(f"/projects/{project.pk}/move/", data, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    form = _opened_form(response)
    assert 'id="stage-form"' in form
    assert "Say why the project moves back." in form
    assert '<option value="lead" selected>' in form
    assert 'name="next" value="/projects/board/"' in form
    assert 'id="move-problem"' not in response.content.decode()
    assert Project.objects.get(pk=project.pk).stage == Stage.CONTACTED
    # The form in the modal posts to the stage view; done, it goes back to the board.
    response = client.post(
        f"/projects/{project.pk}/stage/",
        data | {"note": "企业暂停洽谈", "next": "/projects/board/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Redirect"] == "/projects/board/"
    assert Project.objects.get(pk=project.pk).stage == Stage.LEAD


def test_a_move_that_needs_evidence_opens_the_stage_form_prefilled(client, cast):
    project = project_at(
        Stage.NEGOTIATING,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        planned_amount=Decimal("50000000"),
    )
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/?zone={cast.zone_a.pk}",
        {"to_stage": "intention_signed", "version": project.version},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    form = _opened_form(response)
    assert '<option value="intention_signed" selected>' in form
    stage_form = response.context["stage_form"]["form"]
    assert set(stage_form.errors) == {"intention_signed_on", "intention_amount", "file_intention_agreement"}
    assert 'name="planned_amount" value="5000"' in form  # what the project has, in 万元
    assert f'name="next" value="/projects/board/?zone={cast.zone_a.pk}"' in form
    assert Project.objects.get(pk=project.pk).stage == Stage.NEGOTIATING


def test_without_htmx_a_move_that_needs_evidence_opens_the_stage_page(client, cast):
    project = project_at(Stage.NEGOTIATING, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    client.force_login(cast.officer)
    response = client.post(
        f"/projects/{project.pk}/move/", {"to_stage": "intention_signed", "version": project.version}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/projects/{project.pk}/stage/?to_stage=intention_signed")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert '<option value="intention_signed" selected>' in page.content.decode()


def test_an_operator_moving_to_an_early_stage_gets_the_rule_not_the_form(client, cast):
    project = project_at(Stage.REGISTERED, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    client.force_login(cast.operator)
    response = client.post(
        f"/projects/{project.pk}/move/",
        {"to_stage": "negotiating", "version": project.version, "note": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert not _opened_form(response)
    assert "An operating company updates registration" in response.content.decode()
    assert Project.objects.get(pk=project.pk).stage == Stage.REGISTERED


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
    # In scope, not theirs to change: refused, saying why (not "not found").
    assert response.status_code == 403


def test_it_rejects_get_on_move(client, cast, project):
    client.force_login(cast.officer)
    assert client.get(f"/projects/{project.pk}/move/").status_code == 405
