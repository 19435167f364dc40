"""Confidential deals: the codename stands in for the real names outside need-to-know, and every
opening of the page or a file is logged, visible to the owner."""

import pytest
from django.urls import reverse

from projects.core.errors import PipelineError
from projects.models import ConfidentialAccess, PossibleDuplicate, Stage
from projects.pipeline.attachments import attachment_upload
from projects.pipeline.need_to_know import project_set_confidentiality

from .confidential_checks import assert_no_confidential_leak
from .delivery_helpers import CREDIT_CODES, pdf, project_at
from .factories import InvestorFactory


@pytest.fixture
def secret(cast, media):
    project = project_at(
        Stage.REGISTERED,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        title="宁德时代储能电池基地",
        investor=InvestorFactory(name="宁德时代新能源科技股份有限公司"),
        registered_company="清河时代储能科技有限公司",
        registered_credit_code=CREDIT_CODES[2],
        is_confidential=True,
        codename="北极星",
    )
    attachment_upload(project=project, user=cast.officer, uploaded=pdf("宁德时代营业执照.pdf"), kind="business_licence")
    return project


# Outside the owning organisation and not on the need-to-know list, but able to see the project.
OUTSIDE = ["operator", "county_manager", "city_manager"]


@pytest.mark.parametrize("who", OUTSIDE)
def test_the_pages_show_the_codename_only(client, cast, secret, who):
    user = getattr(cast, who)
    client.force_login(user)
    rival = project_at(Stage.CONTACTED, organization=cast.bureau_a, zone=cast.zone_a, owner=cast.county_manager)
    PossibleDuplicate.objects.create(project=rival, other=secret, matched_by="name", score=88)
    urls = [
        reverse("projects:detail", args=[secret.pk]),
        reverse("projects:zone_projects", args=[cast.zone_a.pk]),
    ]
    if who != "operator":
        urls += [
            reverse("projects:disputes"),
            reverse("projects:dispute_decide", args=[PossibleDuplicate.objects.get().pk]),
        ]
    else:
        urls += [
            reverse("projects:project_stage", args=[secret.pk]),
            reverse("projects:project_details", args=[secret.pk]),
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_confidential_leak(response.content, secret)
        assert "北极星" in response.content.decode(), url


def test_the_downloaded_file_name_is_masked(client, cast, secret):
    client.force_login(cast.operator)
    attachment = secret.attachments.get()
    response = client.get(reverse("projects:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert_no_confidential_leak(response["Content-Disposition"].encode(), secret)


def test_the_history_is_masked_too(client, cast, secret):
    from projects.pipeline.stages import project_move_stage

    project_move_stage(
        project=secret,
        user=cast.officer,
        to_stage=Stage.CONTRACT_SIGNED,
        expected_version=1,
        note="补充材料",
    )
    secret.refresh_from_db()
    secret.registered_company = "清河宁德储能有限公司"
    secret._history_user = cast.officer
    secret.save()
    client.force_login(cast.city_manager)
    body = client.get(reverse("projects:detail", args=[secret.pk])).content
    assert_no_confidential_leak(body, secret)
    assert "清河时代储能科技有限公司".encode() not in body


@pytest.mark.parametrize("who", ["officer", "teammate", "lead", "admin"])
def test_the_owning_organisation_sees_the_names(client, cast, secret, who):
    client.force_login(getattr(cast, who))
    assert secret.title in client.get(reverse("projects:detail", args=[secret.pk])).content.decode()


def test_need_to_know_shows_the_names(client, cast, secret):
    project_set_confidentiality(
        project=secret, user=cast.officer, is_confidential=True, codename="北极星", need_to_know=[cast.city_manager]
    )
    client.force_login(cast.city_manager)
    assert secret.title in client.get(reverse("projects:detail", args=[secret.pk])).content.decode()
    client.force_login(cast.county_manager)
    assert_no_confidential_leak(client.get(reverse("projects:detail", args=[secret.pk])).content, secret)


def test_every_opening_is_logged_and_the_owner_reads_the_log(client, cast, secret):
    attachment = secret.attachments.get()
    client.force_login(cast.city_manager)
    client.get(reverse("projects:detail", args=[secret.pk]))
    client.get(reverse("projects:detail", args=[secret.pk]))
    client.get(reverse("projects:attachment_download", args=[attachment.pk]))
    client.force_login(cast.operator)
    client.get(reverse("projects:detail", args=[secret.pk]))
    rows = list(ConfidentialAccess.objects.order_by("pk").values_list("user__username", "attachment"))
    assert rows == [("city_manager", None), ("city_manager", None), ("city_manager", attachment.pk), ("operator", None)]
    client.force_login(cast.officer)
    log = client.get(reverse("projects:project_access_log", args=[secret.pk]))
    assert log.status_code == 200
    assert len(log.context["page"].object_list) == 4
    client.force_login(cast.city_manager)
    assert client.get(reverse("projects:project_access_log", args=[secret.pk])).status_code == 403


def test_opening_an_ordinary_project_is_not_logged(client, cast, media):
    project = project_at(Stage.LEAD, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    client.force_login(cast.city_manager)
    client.get(reverse("projects:detail", args=[project.pk]))
    assert not ConfidentialAccess.objects.exists()


def test_the_owner_edits_confidentiality_and_the_list(client, cast, media):
    project = project_at(Stage.LEAD, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    client.force_login(cast.officer)
    response = client.post(
        reverse("projects:project_confidentiality", args=[project.pk]),
        {"version": 1, "is_confidential": "on", "codename": "", "need_to_know": [cast.county_manager.pk]},
    )
    assert response.status_code == 200 and "codename" in response.context["form"].errors
    response = client.post(
        reverse("projects:project_confidentiality", args=[project.pk]),
        {"version": 1, "is_confidential": "on", "codename": "启明", "need_to_know": [cast.county_manager.pk]},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.is_confidential and project.codename == "启明"
    assert list(project.need_to_know.all()) == [cast.county_manager]


def test_only_people_the_owner_can_see_are_added(cast, media):
    project = project_at(Stage.LEAD, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    with pytest.raises(PipelineError):
        project_set_confidentiality(
            project=project, user=cast.officer, is_confidential=True, codename="启明", need_to_know=[cast.outsider]
        )
    with pytest.raises(PipelineError):
        project_set_confidentiality(project=project, user=cast.teammate, is_confidential=True, codename="启明")


def test_the_people_offered_for_need_to_know_are_those_who_can_see_it(cast, media):
    from django.contrib.auth import get_user_model

    from operators.access import users_seeing_project, visible_projects
    from projects.models import Project

    for project in (
        project_at(Stage.LEAD, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer),
        project_at(Stage.LEAD, organization=cast.committee_b, zone=cast.zone_b, owner=cast.outsider),
    ):
        seeing = set(users_seeing_project(project, get_user_model().objects.all()))
        for user in get_user_model().objects.all():
            sees = visible_projects(user, Project.objects.filter(pk=project.pk)).exists()
            assert (user in seeing) == sees, user.username
