"""Recording a follow-up: derived dates, validation, the inline htmx form."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from projects.core.errors import PipelineError
from projects.models import FollowUp, Project
from projects.pipeline.services import followup_record
from tests.factories import ProjectFactory

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def project(cast):
    return ProjectFactory(organization=cast.committee_a, owner=cast.officer)


@time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False)
def test_it_updates_the_next_follow_up_and_last_activity(cast, project):
    version = project.version
    followup_record(
        project=project,
        user=cast.officer,
        kind="call",
        occurred_on=TODAY,
        summary="电话沟通",
        next_due_on=TODAY + datetime.timedelta(days=7),
    )
    project.refresh_from_db()
    assert project.next_follow_up_on == datetime.date(2026, 12, 2)
    assert project.last_activity_at == timezone.now()
    assert project.version == version  # a follow-up is not an edit of the project


@time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False)
def test_an_older_follow_up_recorded_late_does_not_override_the_latest(cast, project):
    followup_record(
        project=project,
        user=cast.officer,
        kind="call",
        occurred_on=TODAY,
        summary="a",
        next_due_on=TODAY + datetime.timedelta(days=3),
    )
    followup_record(
        project=project,
        user=cast.officer,
        kind="call",
        occurred_on=TODAY - datetime.timedelta(days=10),
        summary="b",
        next_due_on=TODAY + datetime.timedelta(days=30),
    )
    project.refresh_from_db()
    assert project.next_follow_up_on == TODAY + datetime.timedelta(days=3)


def test_without_a_next_date_nothing_is_due(cast, project):
    project.next_follow_up_on = timezone.localdate()
    project.save()
    followup_record(
        project=project, user=cast.officer, kind="call", occurred_on=timezone.localdate(), summary="结束跟进"
    )
    project.refresh_from_db()
    assert project.next_follow_up_on is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"occurred_on": timezone.localdate() + datetime.timedelta(days=1)}, "occurred_on"),
        ({"next_due_on": timezone.localdate() - datetime.timedelta(days=1)}, "next_due_on"),
        ({"kind": "visit"}, "visitors"),
        ({"summary": ""}, "summary"),
    ],
)
def test_it_refuses_bad_input_with_the_field(cast, project, kwargs, field):
    base = {"kind": "call", "occurred_on": timezone.localdate(), "summary": "电话沟通"}
    with pytest.raises(PipelineError) as exc:
        followup_record(project=project, user=cast.officer, **(base | kwargs))
    assert field in exc.value.errors
    assert not FollowUp.objects.exists()


def test_a_manager_may_not_record_one(cast, project):
    with pytest.raises(PipelineError):
        followup_record(
            project=project, user=cast.city_manager, kind="call", occurred_on=timezone.localdate(), summary="x"
        )


def post_data(**extra):
    today = timezone.localdate()
    return {
        "kind": "visit",
        "occurred_on": today.isoformat(),
        "summary": "企业来园区考察",
        "visitors": "张总、李总",
        "next_action": "发送投资协议草案",
        "next_due_on": (today + datetime.timedelta(days=5)).isoformat(),
    } | extra


def test_the_inline_form_answers_htmx_with_the_timeline_and_the_new_date(client, cast, project):
    client.force_login(cast.officer)
    response = client.post(f"/projects/{project.pk}/follow-ups/", post_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert "企业来园区考察" in html
    assert 'id="next-follow-up" hx-swap-oob="true"' in html
    assert due in html
    assert Project.objects.get(pk=project.pk).next_follow_up_on.isoformat() == due


def test_the_inline_form_shows_errors_on_the_field(client, cast, project):
    client.force_login(cast.officer)
    response = client.post(f"/projects/{project.pk}/follow-ups/", post_data(visitors=""), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="id_visitors_error"' in html
    assert not FollowUp.objects.exists()


def test_without_htmx_it_redirects_to_the_timeline(client, cast, project):
    client.force_login(cast.officer)
    response = client.post(f"/projects/{project.pk}/follow-ups/", post_data())
    assert response.status_code == 302
    assert response["Location"].endswith(f"/projects/{project.pk}/#timeline")


def test_it_rejects_get_and_readers(client, cast, project):
    client.force_login(cast.officer)
    assert client.get(f"/projects/{project.pk}/follow-ups/").status_code == 405
    client.force_login(cast.city_manager)
    assert client.get(f"/projects/{project.pk}/").status_code == 200
    assert client.post(f"/projects/{project.pk}/follow-ups/", post_data()).status_code == 403
