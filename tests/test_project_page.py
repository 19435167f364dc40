"""The project page is THE page of a project: issue 4's forms opened in place (for those allowed
to use them), evidence, files with download and replace, the timeline told in words, and the old
delivery URL redirecting to it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Attachment, Project, SourceMode, Stage, StageChange, Status
from projects.pipeline.attachments import attachment_upload
from projects.pipeline.history import person
from projects.pipeline.stages import project_move_stage

from .delivery_helpers import CREDIT_CODES, pdf, project_at

# The page's buttons that open issue 4's forms, and the view each opens.
BUTTONS = {
    "change-stage": "projects:project_stage",
    "change-status": "projects:project_status",
    "edit-details": "projects:project_details",
    "upload-evidence": "projects:attachment_new",
    "assign-owner": "projects:project_owner",
    "edit-confidentiality": "projects:project_confidentiality",
}
# Who gets which button on a project of committee A owned by the officer.
SEES = {
    "officer": {"change-stage", "change-status", "edit-details", "upload-evidence", "edit-confidentiality"},
    "teammate": {"change-stage", "change-status", "edit-details", "upload-evidence"},
    "lead": set(BUTTONS),
    "admin": set(BUTTONS),
    "operator": {"change-stage", "edit-details", "upload-evidence"},
    "county_manager": set(),
    "city_manager": set(),
}


@pytest.fixture
def project(cast, media):
    project = project_at(
        Stage.CONTRACT_SIGNED,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        title="集成电路封装测试项目",
    )
    attachment_upload(project=project, user=cast.officer, uploaded=pdf("投资合同.pdf"), kind="contract")
    return project


@pytest.mark.parametrize("who", list(SEES))
def test_each_role_sees_the_forms_it_may_use_and_only_those(client, cast, project, who):
    client.force_login(getattr(cast, who))
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    shown = {button for button in BUTTONS if f'id="{button}"' in html}
    assert shown == SEES[who]
    for button in shown:
        url = reverse(BUTTONS[button], args=[project.pk])
        # Opened in place with htmx (a modal), and a page without JavaScript.
        assert f'href="{url}" hx-get="{url}" hx-target="#project-modal-body"' in html
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and response.content.decode().lstrip().startswith("<form")
    assert 'id="project-modal"' in html


def test_every_button_the_page_hides_is_refused_by_its_view(client, cast, project):
    """The page and the views use the same checks: what is hidden is also refused."""
    for who, shown in SEES.items():
        client.force_login(getattr(cast, who))
        for button, name in BUTTONS.items():
            status = client.get(reverse(name, args=[project.pk])).status_code
            assert (status == 200) == (button in shown), (who, button, status)


def test_files_have_download_links_and_replace_for_those_who_change(client, cast, project):
    attachment = project.attachments.get()
    download = reverse("projects:attachment_download", args=[attachment.pk])
    replace = reverse("projects:attachment_replace", args=[attachment.pk])
    client.force_login(cast.operator)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert f'href="{download}"' in html and "投资合同.pdf" in html
    assert f'hx-get="{replace}"' in html
    client.force_login(cast.city_manager)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert f'href="{download}"' in html
    assert replace not in html


def test_the_evidence_and_the_stage_progress_are_on_the_page(client, cast, project):
    client.force_login(cast.officer)
    html = client.get(reverse("projects:detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2025-06-01 · 7,500 万元" in html  # contract date and amount
    assert 'id="stage-progress"' in html and "Contract signed" in html


def test_a_form_done_in_the_modal_returns_to_the_project_page(client, cast, project):
    client.force_login(cast.operator)
    response = client.post(
        reverse("projects:project_details", args=[project.pk]),
        {"version": project.version, "actual_investment": "3200", "site_location": "纬三路以北"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("projects:detail", args=[project.pk])


def test_a_move_is_told_once_in_words_with_its_evidence(client, cast, project):
    cast.operator.first_name, cast.operator.last_name = "运营", "李"
    cast.operator.save()
    project_move_stage(
        project=Project.objects.get(pk=project.pk),
        user=cast.operator,
        to_stage=Stage.REGISTERED,
        expected_version=project.version,
        note="营业执照已取得",
        evidence={"registered_company": "清河芯联封装测试有限公司", "registered_credit_code": CREDIT_CODES[1]},
        uploads=[(Attachment.Kind.BUSINESS_LICENCE, pdf("营业执照.pdf"))],
    )
    client.force_login(cast.officer)
    response = client.get(reverse("projects:detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert html.count("Stage: Contract signed → Registered") == 1
    assert "changed stage" not in html  # the StageChange tells the move, not the history too
    assert html.count("营业执照已取得") == 1
    assert "李运营 set registered company to 清河芯联封装测试有限公司" in html
    assert "李运营 uploaded 营业执照.pdf (Business licence)" in html
    kinds = [item["kind"] for item in response.context["timeline"]]
    assert kinds.count("stage") == 1 and kinds.count("file") == 2


def test_a_status_change_is_told_once_with_its_reason(client, cast, project):
    client.force_login(cast.officer)
    response = client.post(
        reverse("projects:project_status", args=[project.pk]),
        {"version": project.version, "status": Status.ON_HOLD, "note": "企业资金调整"},
    )
    assert response.status_code == 302
    html = client.get(reverse("projects:detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("Status: Active → On hold") == 1
    assert html.count("企业资金调整") == 2  # in the timeline, and as the status reason in the summary


def test_owner_reassignment_reads_in_words(client, cast, project):
    cast.teammate.first_name, cast.teammate.last_name = "四", "李"
    cast.teammate.save()
    client.force_login(cast.lead)
    client.post(
        reverse("projects:project_owner", args=[project.pk]), {"version": project.version, "owner": cast.teammate.pk}
    )
    html = client.get(reverse("projects:detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{person(cast.lead)} changed owner from {person(cast.officer)} to 李四" in html


# -- operators: the later stages, details and files; never owner, source or attribution --------


def test_an_operator_uses_the_later_stage_details_and_file_forms_from_the_page(client, cast, project):
    client.force_login(cast.operator)
    page = client.get(reverse("projects:detail", args=[project.pk]))
    assert page.status_code == 200
    form = client.get(reverse("projects:project_stage", args=[project.pk]), HTTP_HX_REQUEST="true").context["form"]
    assert [value for value, _label in form.fields["to_stage"].choices] == [
        "registered",
        "under_construction",
        "in_production",
    ]
    response = client.post(
        reverse("projects:attachment_new", args=[project.pk]),
        {"kind": "photo", "file": pdf("现场照片.pdf")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert project.attachments.count() == 2


@pytest.mark.parametrize("view", ["projects:project_stage", "projects:project_details"])
def test_no_form_lets_an_operator_change_owner_source_or_attribution(client, cast, project, view):
    client.force_login(cast.operator)
    data = {
        "version": project.version,
        "to_stage": "registered",
        "registered_company": "清河芯联封装测试有限公司",
        "registered_credit_code": CREDIT_CODES[1],
        "file_business_licence": pdf("营业执照.pdf"),
        "actual_investment": "100",
        # What an operator must not change, slipped into the form.
        "owner": cast.operator.pk,
        "organization": cast.company_a.pk,
        "source_mode": SourceMode.FUND,
        "fund_name": "清河产业基金",
        "referrer": "运营公司",
    }
    response = client.post(reverse(view, args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.version == 2  # the form was saved...
    assert (project.owner, project.organization, project.source_mode, project.fund_name, project.referrer) == (
        cast.officer,
        cast.committee_a,
        SourceMode.DIRECT,
        "",
        "",
    )  # ...without any of these


@pytest.mark.parametrize(
    "view", ["projects:project_owner", "projects:project_status", "projects:project_confidentiality"]
)
def test_an_operator_is_refused_the_owner_status_and_confidentiality_forms(client, cast, project, view):
    client.force_login(cast.operator)
    data = {"version": project.version, "owner": cast.operator.pk, "status": "lost", "is_confidential": "on"}
    assert client.post(reverse(view, args=[project.pk]), data).status_code == 403
    project.refresh_from_db()
    assert (project.owner, project.status, project.is_confidential, project.version) == (
        cast.officer,
        Status.ACTIVE,
        False,
        1,
    )


def test_an_operator_cannot_move_a_project_back_into_the_pipeline(client, cast, project):
    client.force_login(cast.operator)
    response = client.post(
        reverse("projects:project_stage", args=[project.pk]),
        {"version": project.version, "to_stage": "negotiating", "note": "x"},
    )
    assert response.status_code == 200 and "to_stage" in response.context["form"].errors
    assert Project.objects.get(pk=project.pk).stage == Stage.CONTRACT_SIGNED
    assert not StageChange.objects.exists()


def test_planned_amount_is_shown_in_wan_without_an_exponent(client, cast):
    project = project_at(
        Stage.NEGOTIATING,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        planned_amount=Decimal("50000000"),
    )
    client.force_login(cast.officer)
    html = client.get(reverse("projects:project_stage", args=[project.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="planned_amount" value="5000"' in html


def test_a_project_without_history_rows_opens(client, cast):
    """Rows written in bulk (imports) have no history yet."""
    project = project_at(Stage.LEAD, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    project.history.all().delete()
    client.force_login(cast.officer)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert [item["kind"] for item in response.context["timeline"]] == []
