"""The delivery pages: moving a stage from the form, conflicts that show what changed, the
operator's zone page, owner reassignment, the dispute queue and the admin action."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from projects.core.errors import PipelineError, StaleVersion
from projects.models import Attachment, LostReason, PossibleDuplicate, Project, Stage, StageChange, Status
from projects.pipeline.disputes import duplicate_decide
from projects.pipeline.ownership import project_assign_owner
from projects.pipeline.stages import project_move_stage

from .delivery_helpers import CREDIT_CODES, EVIDENCE, pdf, project_at
from .factories import MembershipFactory, UserFactory


def _project(cast, stage=Stage.INTENTION_SIGNED, **kwargs):
    return project_at(stage, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer, **kwargs)


def test_an_operator_registers_a_project_from_the_form(client, cast, media):
    project = _project(cast)
    client.force_login(cast.operator)
    response = client.post(
        reverse("projects:project_stage", args=[project.pk]),
        {
            "version": 1,
            "to_stage": "registered",
            "contract_signed_on": "2025-06-01",
            "contract_amount": "7500",
            "file_contract": pdf("合同.pdf"),
            "registered_company": "清河芯联封装测试有限公司",
            "registered_credit_code": " 9144030071526726xg ",
            "file_business_licence": pdf("营业执照.pdf"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    project.refresh_from_db()
    assert project.stage == Stage.REGISTERED
    assert project.registered_credit_code == CREDIT_CODES[1]
    assert project.contract_amount == Decimal("75000000.00")
    assert set(project.attachments.values_list("kind", flat=True)) == {"contract", "business_licence"}
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "7,500 万元" in page


def test_the_form_shows_each_missing_piece_of_evidence(client, cast, media):
    project = _project(cast, Stage.CONTRACT_SIGNED)
    client.force_login(cast.officer)
    response = client.post(
        reverse("projects:project_stage", args=[project.pk]), {"version": 1, "to_stage": "registered"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"registered_company", "registered_credit_code"}
    assert Project.objects.get(pk=project.pk).version == 1


def test_the_stage_form_is_a_partial_for_htmx(client, cast):
    project = _project(cast)
    client.force_login(cast.officer)
    response = client.get(reverse("projects:project_stage", args=[project.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body


def test_a_conflict_shows_what_changed_since_the_page_was_opened(client, cast, media):
    project = _project(cast, Stage.NEGOTIATING, planned_amount=Decimal("50000000"))
    # Someone else moves it first and changes the planned amount.
    project_move_stage(
        project=Project.objects.get(pk=project.pk),
        user=cast.teammate,
        to_stage=Stage.INTENTION_SIGNED,
        expected_version=1,
        evidence={
            **{k: EVIDENCE[k] for k in ("intention_signed_on", "intention_amount")},
            "planned_amount": Decimal("80000000"),
        },
        uploads=[(Attachment.Kind.INTENTION_AGREEMENT, pdf())],
    )
    client.force_login(cast.officer)
    response = client.post(
        reverse("projects:project_stage", args=[project.pk]), {"version": 1, "to_stage": "site_visit", "note": "回退"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "5,000 万元" in body and "8,000 万元" in body
    conflict = {f: (a, b) for f, a, b in response.context["conflict"]}
    assert conflict[str(Project._meta.get_field("planned_amount").verbose_name)] == ("5,000 万元", "8,000 万元")
    assert response.context["form"].data["version"] == 2
    assert StageChange.objects.count() == 1


def test_stale_version_lists_the_changes_in_words(cast, media):
    project = _project(cast, Stage.NEGOTIATING, planned_amount=Decimal("50000000"))
    project_move_stage(
        project=Project.objects.get(pk=project.pk),
        user=cast.teammate,
        to_stage=Stage.SITE_VISIT,
        expected_version=1,
        note="投资方要求再考察",
    )
    with pytest.raises(StaleVersion) as caught:
        project_move_stage(project=project, user=cast.officer, to_stage=Stage.CONTACTED, expected_version=1, note="x")
    labels = [field for field, _seen, _now in caught.value.changes]
    assert len(labels) == 1
    assert caught.value.changes[0][1:] == (Stage.NEGOTIATING.label, Stage.SITE_VISIT.label)
    assert caught.value.current_version == 2


def test_the_timeline_reads_in_words(client, cast, media):
    project = _project(cast, Stage.NEGOTIATING, planned_amount=Decimal("50000000"))
    cast.teammate.first_name, cast.teammate.last_name = "三", "张"
    cast.teammate.save()
    project = Project.objects.get(pk=project.pk)
    project.planned_amount = Decimal("80000000")
    project._history_user = cast.teammate
    project.save()
    client.force_login(cast.officer)
    with translation.override("en"):
        body = client.get(reverse("projects:detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "张三 changed planned investment from 5,000 万元 to 8,000 万元" in body
    # And in Chinese, the default language.
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "张三 将计划投资额从 5,000 万元 改为 8,000 万元" in body


@time_machine.travel(datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_the_zone_page_lists_what_waits_on_the_operating_company(client, cast):
    late = _project(cast, Stage.CONTRACT_SIGNED, contract_signed_on=datetime.date(2026, 2, 1), title="逾期未注册项目")
    _project(cast, Stage.CONTRACT_SIGNED, contract_signed_on=datetime.date(2026, 4, 20), title="刚签约项目")
    other_zone = project_at(
        Stage.CONTRACT_SIGNED,
        organization=cast.committee_b,
        zone=cast.zone_b,
        contract_signed_on=datetime.date(2026, 1, 1),
        title="别区项目",
    )
    client.force_login(cast.operator)
    response = client.get(reverse("projects:zone_projects", args=[cast.zone_a.pk]))
    waiting = [row["project"] for row in response.context["awaiting_registration"]]
    assert waiting == [late]
    assert response.context["awaiting_registration"][0]["days"] == 89
    assert "刚签约项目" in response.content.decode()
    assert other_zone.title not in response.content.decode()
    assert client.get(reverse("projects:zone_projects", args=[cast.zone_b.pk])).status_code == 404


def test_operators_cannot_change_owner_status_or_confidentiality(client, cast):
    project = _project(cast, Stage.REGISTERED)
    client.force_login(cast.operator)
    for name in ("projects:project_owner", "projects:project_status", "projects:project_confidentiality"):
        assert client.post(reverse(name, args=[project.pk]), {"version": 1}).status_code == 403
    project.refresh_from_db()
    assert (project.owner, project.status, project.version) == (cast.officer, Status.ACTIVE, 1)


def test_operators_update_actual_investment_and_site(client, cast):
    project = _project(cast, Stage.UNDER_CONSTRUCTION)
    client.force_login(cast.operator)
    response = client.post(
        reverse("projects:project_details", args=[project.pk]),
        {"version": 1, "actual_investment": "3200", "site_location": "清河经开区纬三路以北", "site_area_mu": "120"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.actual_investment, project.site_location, project.version) == (
        Decimal("32000000.00"),
        "清河经开区纬三路以北",
        2,
    )


def test_a_team_lead_reassigns_the_owner_within_the_organisation(client, cast):
    project = _project(cast)
    client.force_login(cast.lead)
    response = client.post(
        reverse("projects:project_owner", args=[project.pk]), {"version": 1, "owner": cast.teammate.pk}
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).owner == cast.teammate
    # Someone of another organisation is not offered and not accepted.
    response = client.post(
        reverse("projects:project_owner", args=[project.pk]), {"version": 2, "owner": cast.outsider.pk}
    )
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    with pytest.raises(PipelineError):
        project_assign_owner(project=project, user=cast.lead, owner=cast.outsider, expected_version=2)


@pytest.mark.parametrize("who", ["officer", "teammate", "operator"])
def test_only_team_leads_reassign(client, cast, who):
    project = _project(cast)
    client.force_login(getattr(cast, who))
    assert (
        client.post(
            reverse("projects:project_owner", args=[project.pk]), {"version": 1, "owner": cast.teammate.pk}
        ).status_code
        == 403
    )
    assert Project.objects.get(pk=project.pk).owner == cast.officer


def _dispute(cast):
    bureau_officer = UserFactory(username="bureau_officer")
    MembershipFactory(user=bureau_officer, organization=cast.bureau_a, role="officer")
    mine = _project(cast, Stage.NEGOTIATING, title="芯片封装项目（管委会）")
    theirs = project_at(
        Stage.CONTACTED,
        organization=cast.bureau_a,
        zone=cast.zone_a,
        owner=bureau_officer,
        title="芯片封装项目（招商局）",
    )
    return PossibleDuplicate.objects.create(project=theirs, other=mine, matched_by="name", score=92), mine, theirs


def test_a_manager_settles_a_dispute_as_the_same_project(client, cast):
    link, mine, theirs = _dispute(cast)
    client.force_login(cast.county_manager)
    assert "芯片封装项目（招商局）" in client.get(reverse("projects:disputes")).content.decode()
    response = client.post(
        reverse("projects:dispute_decide", args=[link.pk]),
        {"decision": "same_project", "kept": mine.pk, "credit": "shared", "decision_note": "同一投资方，管委会先接触"},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.decision, link.kept, link.credit, link.decided_by) == (
        "same_project",
        mine,
        "shared",
        cast.county_manager,
    )
    assert link.decision_note == "同一投资方，管委会先接触" and link.decided_at
    theirs.refresh_from_db()
    assert (theirs.status, theirs.lost_reason) == (Status.LOST, LostReason.DUPLICATE)
    assert StageChange.objects.filter(project=theirs, to_status="lost", changed_by=cast.county_manager).exists()
    assert Project.objects.get(pk=mine.pk).status == Status.ACTIVE


def test_a_decision_needs_a_reason_and_a_keeper(cast):
    link, _mine, _theirs = _dispute(cast)
    with pytest.raises(PipelineError) as caught:
        duplicate_decide(link=link, user=cast.city_manager, decision="same_project", note="")
    assert set(caught.value.errors) == {"decision_note", "kept", "credit"}
    duplicate_decide(link=link, user=cast.city_manager, decision="different", note="不同的投资主体")
    link.refresh_from_db()
    assert (link.decision, link.decided_by) == ("different", cast.city_manager)
    with pytest.raises(PipelineError):
        duplicate_decide(link=link, user=cast.city_manager, decision="different", note="again")


@pytest.mark.parametrize("who", ["officer", "lead", "operator", "outsider"])
def test_only_managers_see_the_dispute_queue(client, cast, who):
    link, _mine, _theirs = _dispute(cast)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("projects:disputes")).status_code == 404
    assert client.get(reverse("projects:dispute_decide", args=[link.pk])).status_code == 404


def test_the_admin_action_goes_through_the_service(client, cast, media):
    ready = _project(
        cast, Stage.CONTRACT_SIGNED, **{k: EVIDENCE[k] for k in ("registered_company", "registered_credit_code")}
    )
    bare = _project(cast, Stage.CONTRACT_SIGNED)
    client.force_login(cast.admin)
    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "move_stage", "_selected_action": [ready.pk, bare.pk], "to_stage": "registered", "note": "后台批量"},
        follow=True,
    )
    assert response.status_code == 200
    assert Project.objects.get(pk=ready.pk).stage == Stage.REGISTERED
    assert Project.objects.get(pk=bare.pk).stage == Stage.CONTRACT_SIGNED
    assert StageChange.objects.filter(project=ready, changed_by=cast.admin, note="后台批量").count() == 1
    text = response.content.decode()
    assert bare.title in text
