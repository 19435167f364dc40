"""The version rule (projects.pipeline.versions): every write that changes a project makes a new
version with its history (who, why), and a page opened on an older version is refused as stale.
The admin, confidentiality and the start of delivery used to skip it."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Stage

from .delivery_fixtures import signed_project
from .delivery_helpers import project_at


@pytest.fixture
def project(cast):
    return project_at(Stage.CONTRACT_SIGNED, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)


def _latest(project):
    return project.history.order_by("-history_date", "-history_id").first()


def _admin_post_data(response) -> dict:
    """What the admin's change form sends back unchanged (every field as shown)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def _details_post(project, version, site):
    return {"version": version, "site_location": site, "site_area_mu": "", "registered_on": "", "note": ""}


def test_an_admin_save_makes_a_new_version_and_the_page_opened_before_is_refused(client, cast, project):
    # The officer opens the delivery details at version 1...
    client.force_login(cast.officer)
    assert client.get(reverse("projects:project_details", args=[project.pk])).status_code == 200
    # ...an administrator fixes the title in the admin...
    client.force_login(cast.admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = _admin_post_data(client.get(url)) | {"title": "清河芯联二期"}
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.version) == ("清河芯联二期", 2)
    assert _latest(project).history_user == cast.admin
    # ...so the officer's save on the page seen at version 1 is refused, listing what changed.
    client.force_login(cast.officer)
    response = client.post(
        reverse("projects:project_details", args=[project.pk]), _details_post(project, 1, "纬三路以北")
    )
    assert response.status_code == 200 and response.context["conflict"]
    project.refresh_from_db()
    assert (project.site_location, project.version) == ("", 2)


def test_an_admin_form_opened_before_a_change_is_refused(client, cast, project):
    client.force_login(cast.admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = _admin_post_data(client.get(url)) | {"title": "管理员改的名字"}
    client.force_login(cast.officer)
    client.post(reverse("projects:project_details", args=[project.pk]), _details_post(project, 1, "纬三路以北"))
    client.force_login(cast.admin)
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "您打开页面后，他人修改了该项目" in page and "纬三路以北" in page  # what changed since
    project.refresh_from_db()
    assert (project.site_location, project.version) == ("纬三路以北", 2)
    assert project.title != "管理员改的名字"
    # Sent again as it is, it would undo the other change: still refused until opened again.
    assert client.post(url, data).status_code == 200
    data = _admin_post_data(client.get(url)) | {"title": "管理员改的名字"}
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.site_location, project.version) == ("管理员改的名字", "纬三路以北", 3)


def test_a_confidentiality_change_is_a_version_whose_history_names_who_was_added_and_removed(client, cast, project):
    cast.county_manager.first_name, cast.county_manager.last_name = "明", "周"
    cast.county_manager.save()
    cast.operator.first_name, cast.operator.last_name = "芳", "吴"
    cast.operator.save()
    client.force_login(cast.officer)
    url = reverse("projects:project_confidentiality", args=[project.pk])
    data = {"version": 1, "is_confidential": "on", "codename": "启明", "need_to_know": [cast.county_manager.pk]}
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.version == 2
    assert (_latest(project).history_user, _latest(project).history_change_reason) == (
        cast.officer,
        "知情名单：添加了 周明",
    )

    data = {"version": 2, "is_confidential": "on", "codename": "启明", "need_to_know": [cast.operator.pk]}
    assert client.post(url, data).status_code == 302
    assert _latest(project).history_change_reason == "知情名单：添加了 吴芳; 移除了 周明"
    # The project page's timeline tells it, with who did it.
    client.force_login(cast.lead)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "知情名单：添加了 吴芳; 移除了 周明" in page
    assert "知情名单：添加了 周明" in page


def test_a_confidentiality_form_opened_before_a_change_is_refused(client, cast, project):
    client.force_login(cast.officer)
    client.post(reverse("projects:project_details", args=[project.pk]), _details_post(project, 1, "纬三路以北"))
    response = client.post(
        reverse("projects:project_confidentiality", args=[project.pk]),
        {"version": 1, "is_confidential": "on", "codename": "启明"},
    )
    assert response.status_code == 200 and response.context["conflict"]
    project.refresh_from_db()
    assert (project.is_confidential, project.version) == (False, 2)


def test_starting_delivery_records_the_operating_company_as_a_version_with_history(client, cast):
    project = signed_project(cast, operating_company=None, service_contact=None)
    client.force_login(cast.officer)
    assert client.post(reverse("delivery:start", args=[project.pk])).status_code == 302
    project.refresh_from_db()
    assert (project.operating_company, project.version) == (cast.company_a, 2)
    latest = _latest(project)
    assert (latest.history_user, latest.operating_company_id) == (cast.officer, cast.company_a.pk)
    # A page opened before the start is refused.
    response = client.post(
        reverse("projects:project_details", args=[project.pk]), _details_post(project, 1, "纬三路以北")
    )
    assert response.status_code == 200 and response.context["conflict"]
