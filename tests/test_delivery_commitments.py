"""Commitments (promised against achieved, each report with evidence) and the handoff."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.core.errors import PipelineError
from projects.delivery import services as delivery
from projects.delivery import supervision
from projects.models import CommitmentReport, DeliveryPlan, Project

from .delivery_fixtures import WAN, YI, pdf, png, signed_project
from .factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_starting_delivery_prefills_the_promise_and_hands_over_to_the_zone_company(cast):
    project = signed_project(
        cast, amount=240 * YI, operating_company=None, service_contact=None, site_area_mu=Decimal("500")
    )
    plan = delivery.delivery_start(project=project, user=cast.officer)
    project.refresh_from_db()
    assert plan.promised_total_investment == 240 * YI
    assert plan.promised_land_mu == Decimal("500")
    assert project.operating_company == cast.company_a
    # The credit stays where it was.
    assert project.organization == cast.committee_a and project.owner == cast.officer


def test_a_report_with_evidence_updates_what_was_achieved(cast):
    project = signed_project(cast)
    delivery.commitments_set(
        project=project,
        user=cast.operator,
        promised_fixed_asset_investment=20 * YI,
        promised_jobs=800,
        promised_land_mu=Decimal("300"),
    )
    delivery.commitment_report(
        project=project,
        user=cast.operator,
        metric="fixed_asset_investment",
        value=6 * YI,
        as_of=datetime.date(2026, 3, 31),
        evidence=pdf("audit.pdf"),
    )
    delivery.commitment_report(
        project=project,
        user=cast.operator,
        metric="land_mu",
        value=Decimal("300"),
        as_of=datetime.date(2026, 3, 31),
        evidence=png(),
    )
    # An older report entered later does not overwrite the latest figure.
    delivery.commitment_report(
        project=project,
        user=cast.operator,
        metric="fixed_asset_investment",
        value=2 * YI,
        as_of=datetime.date(2026, 1, 31),
        evidence=pdf(),
    )
    plan = DeliveryPlan.objects.get(project=project)
    assert plan.achieved_fixed_asset_investment == 6 * YI
    assert plan.achieved_intensity == Decimal("200.00")  # 60,000 万元 / 300 mu
    assert CommitmentReport.objects.filter(project=project).count() == 3
    assert CommitmentReport.objects.get(value=6 * YI).evidence.original_name == "audit.pdf"


def test_a_report_needs_its_evidence(cast):
    project = signed_project(cast)
    with pytest.raises(PipelineError) as exc:
        delivery.commitment_report(
            project=project,
            user=cast.operator,
            metric="jobs",
            value=Decimal("120"),
            as_of=datetime.date(2026, 3, 31),
            evidence=None,
        )
    assert "evidence" in exc.value.errors


def test_the_report_form_takes_amounts_in_wan(cast, client):
    project = signed_project(cast)
    client.force_login(cast.operator)
    response = client.post(
        reverse("delivery:commitment_report", args=[project.pk]),
        {
            "metric": "annual_tax",
            "value": "1200",
            "as_of": "2026-03-31",
            "evidence": pdf(),
            "evidence_kind": "audit_report",
        },
    )
    assert response.status_code == 302
    assert DeliveryPlan.objects.get(project=project).achieved_annual_tax == Decimal("1200") * WAN


def test_the_page_shows_both_credit_and_delivery(cast, client):
    project = signed_project(cast)
    client.force_login(cast.city_manager)
    html = client.get(reverse("delivery:plan", args=[project.pk])).content.decode()
    credit = html.split('data-testid="credit-org">', 1)[1].split("<", 1)[0]
    delivering = html.split('data-testid="delivery-org">', 1)[1].split("<", 1)[0]
    assert credit == cast.committee_a.name
    assert delivering == cast.company_a.name


def test_the_handoff_goes_to_the_zone_company_and_one_of_its_people(cast):
    project = signed_project(cast, operating_company=None, service_contact=None)
    other_company = OrganizationFactory(name="云山运营", zone=cast.zone_b, kind="operating_company")
    with pytest.raises(PipelineError) as exc:
        supervision.project_hand_over(
            project=project, user=cast.officer, operating_company=other_company, service_contact=None
        )
    assert "operating_company" in exc.value.errors
    with pytest.raises(PipelineError) as exc:
        supervision.project_hand_over(
            project=project, user=cast.officer, operating_company=cast.company_a, service_contact=cast.officer
        )
    assert "service_contact" in exc.value.errors
    contact = UserFactory(username="contact")
    MembershipFactory(user=contact, organization=cast.company_a, role="operator")
    supervision.project_hand_over(
        project=project, user=cast.officer, operating_company=cast.company_a, service_contact=contact
    )
    project = Project.objects.get(pk=project.pk)
    assert (project.operating_company, project.service_contact, project.owner) == (
        cast.company_a,
        contact,
        cast.officer,
    )
