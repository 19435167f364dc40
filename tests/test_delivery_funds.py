"""Funds in place (资金到位): the tranches once a project has any, corrections kept in history; the
rate is over the contracted amount (docs/metrics.md; the cross-page test is test_funds_in_place)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.core.errors import PipelineError
from projects.delivery import services as delivery
from projects.delivery.selectors import zone_funds_in_place
from projects.models import Attachment, FundsTranche, Project, Stage, Status

from .delivery_fixtures import WAN, YI, exe, pdf, signed_project
from .factories import ProjectFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def contracted(cast, amount, **extra):
    """A signed project whose contract says `amount`."""
    fields = {"stage": Stage.CONTRACT_SIGNED, "contract_signed_on": datetime.date(2026, 1, 20)}
    return signed_project(cast, amount=amount, contract_amount=amount, **(fields | extra))


def record(project, user, amount, on=datetime.date(2026, 2, 1), kind=FundsTranche.Kind.REGISTERED_CAPITAL):
    return delivery.tranche_record(project=project, user=user, received_on=on, amount=amount, kind=kind, evidence=pdf())


def test_two_tranches_on_one_day_both_count(cast):
    project = contracted(cast, 10 * YI)
    record(project, cast.operator, 1 * YI, on=datetime.date(2026, 2, 1))
    record(
        project, cast.operator, Decimal("5000") * WAN, on=datetime.date(2026, 2, 1), kind=FundsTranche.Kind.FIXED_ASSET
    )
    project.refresh_from_db()
    assert project.actual_investment == Decimal("150000000")
    assert project.funds_in_place_rate == Decimal("0.15")
    assert FundsTranche.objects.filter(project=project, received_on=datetime.date(2026, 2, 1)).count() == 2


def test_a_correction_changes_the_rate_and_history_keeps_the_wrong_figure(cast):
    project = contracted(cast, 10 * YI)
    record(project, cast.operator, 1 * YI)
    wrong = record(project, cast.operator, 5 * YI)  # a slip: 5 亿 instead of 5,000 万
    project.refresh_from_db()
    assert project.funds_in_place_rate == Decimal("0.6")

    delivery.tranche_correct(
        tranche=wrong,
        user=cast.operator,
        received_on=datetime.date(2026, 2, 1),
        amount=Decimal("5000") * WAN,
        kind=FundsTranche.Kind.REGISTERED_CAPITAL,
        reason="多录了一个零",
    )
    project.refresh_from_db()
    assert project.actual_investment == Decimal("150000000")
    assert project.funds_in_place_rate == Decimal("0.15")
    history = list(FundsTranche.objects.get(pk=wrong.pk).history.order_by("history_id"))
    assert [h.amount for h in history] == [5 * YI, Decimal("5000") * WAN]
    assert history[-1].history_change_reason == "多录了一个零"
    assert history[-1].history_user == cast.operator


def test_the_correction_page_shows_the_history(cast, client):
    project = signed_project(cast, amount=10 * YI)
    wrong = record(project, cast.operator, 5 * YI)
    client.force_login(cast.operator)
    url = reverse("delivery:tranche_correct", args=[project.pk, wrong.pk])
    response = client.post(
        url,
        {
            "received_on": "2026-02-01",
            "amount": "5000",
            "kind": "registered_capital",
            "evidence_kind": "voucher",
            "reason": "多录了一个零",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("delivery:tranche_correct_form", args=[project.pk, wrong.pk])).content.decode()
    assert page.count('data-testid="history-row"') == 2
    assert "5 亿元" in page and "5,000 万元" in page and "多录了一个零" in page


def test_a_correction_needs_a_reason(cast):
    project = signed_project(cast)
    tranche = record(project, cast.operator, 1 * YI)
    with pytest.raises(PipelineError) as exc:
        delivery.tranche_correct(
            tranche=tranche,
            user=cast.operator,
            received_on=tranche.received_on,
            amount=2 * YI,
            kind="other",
            reason=" ",
        )
    assert "reason" in exc.value.errors
    assert FundsTranche.objects.get(pk=tranche.pk).amount == 1 * YI


def test_the_contracted_amount_is_the_measure_and_without_a_contract_there_is_no_rate(cast):
    project = signed_project(cast, amount=10 * YI)  # an intention of 10 亿元, no contract yet
    record(project, cast.operator, 2 * YI)
    project.refresh_from_db()
    assert project.actual_investment == 2 * YI
    assert project.funds_in_place_rate is None
    Project.objects.filter(pk=project.pk).update(contract_signed_on=datetime.date(2026, 1, 20), contract_amount=8 * YI)
    project.refresh_from_db()
    assert project.funds_in_place_rate == Decimal("0.25")


def test_the_zone_rate_is_over_the_contracted_signed_projects_not_lost(cast):
    a1 = contracted(cast, 10 * YI)
    a2 = contracted(cast, 30 * YI)
    lost = contracted(cast, 50 * YI)
    record(a1, cast.operator, 3 * YI)
    record(a2, cast.operator, 1 * YI)
    record(lost, cast.operator, 5 * YI)
    Project.objects.filter(pk=lost.pk).update(status=Status.LOST, lost_reason="other")
    # An older project without tranches counts with its recorded actual investment.
    ProjectFactory(
        organization=cast.committee_a,
        zone=cast.zone_a,
        stage=Stage.CONTRACT_SIGNED,
        contract_signed_on=datetime.date(2025, 6, 1),
        contract_amount=10 * YI,
        actual_investment=9 * YI,
    )
    # A project without a contract is in neither side of the rate, tranches or not.
    record(signed_project(cast, amount=20 * YI), cast.operator, 2 * YI)
    b = contracted(
        cast,
        4 * YI,
        organization=cast.committee_b,
        zone=cast.zone_b,
        operating_company=None,
        service_contact=None,
        owner=cast.outsider,
    )
    record(b, cast.outsider, 1 * YI)

    rows = {r.zone: r for r in zone_funds_in_place(cast.city_manager)}
    assert rows[cast.zone_a].received == 13 * YI
    assert rows[cast.zone_a].contracted == 50 * YI
    assert rows[cast.zone_a].rate == Decimal("0.26")
    assert rows[cast.zone_b].rate == Decimal("0.25")
    # A county manager of zone A's county sees zone A only.
    assert [r.zone for r in zone_funds_in_place(cast.county_manager)] == [cast.zone_a]


def test_the_evidence_is_checked_by_content(cast):
    project = signed_project(cast)
    with pytest.raises(PipelineError) as exc:
        delivery.tranche_record(
            project=project,
            user=cast.operator,
            received_on=datetime.date(2026, 2, 1),
            amount=YI,
            kind="other",
            evidence=exe(),
        )
    assert "evidence" in exc.value.errors
    assert not FundsTranche.objects.exists()
    assert not Attachment.objects.exists()


def test_the_evidence_is_kept_as_a_voucher_attachment(cast):
    project = signed_project(cast)
    tranche = record(project, cast.operator, YI)
    assert tranche.evidence.kind == Attachment.Kind.VOUCHER
    assert tranche.evidence.project == project
    assert len(tranche.evidence.sha256) == 64


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_a_tranche_must_be_positive(cast, amount):
    project = signed_project(cast)
    with pytest.raises(PipelineError) as exc:
        record(project, cast.operator, amount)
    assert "amount" in exc.value.errors


def test_an_officer_of_another_organisation_cannot_record_funds(cast):
    project = signed_project(cast)
    with pytest.raises(PipelineError):
        record(project, cast.outsider, YI)
    assert not FundsTranche.objects.exists()


def test_the_form_takes_wan_and_stores_yuan(cast, client):
    project = signed_project(cast, amount=10 * YI)
    client.force_login(cast.operator)
    response = client.post(
        reverse("delivery:tranche_record", args=[project.pk]),
        {
            "received_on": "2026-02-01",
            "amount": "12345.67",
            "kind": "fixed_asset",
            "evidence": pdf(),
            "evidence_kind": "voucher",
        },
    )
    assert response.status_code == 302
    assert FundsTranche.objects.get().amount == Decimal("123456700.00")


def test_the_form_says_which_field_is_wrong(cast, client):
    project = signed_project(cast)
    client.force_login(cast.operator)
    response = client.post(
        reverse("delivery:tranche_record", args=[project.pk]),
        {
            "received_on": "2026-02-01",
            "amount": "100",
            "kind": "fixed_asset",
            "evidence": exe(),
            "evidence_kind": "voucher",
        },
    )
    assert response.status_code == 400
    assert "不是 PDF" in response.content.decode() or "is not a PDF" in response.content.decode()


def test_the_delivery_page_lists_the_tranches_and_the_rate(cast, client):
    project = contracted(cast, 10 * YI)
    record(project, cast.operator, 1 * YI)
    record(project, cast.operator, 1 * YI)
    client.force_login(cast.city_manager)
    html = client.get(reverse("delivery:plan", args=[project.pk])).content.decode()
    assert html.count('data-testid="tranche"') == 2
    assert 'data-testid="funds-rate">20%<' in html


def test_date_fields_keep_the_iso_format_in_chinese(cast, client):
    project = signed_project(cast)
    client.force_login(cast.operator)
    html = client.get(reverse("delivery:plan", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "资金到位率" in html
    today = timezone.localdate().isoformat()
    assert f'name="received_on" value="{today}"' in html


def test_the_correction_form_offers_the_amount_in_plain_wan(cast, client):
    """5000 in the input, as typed: not 5E+3, which a Decimal's normalize() gives."""
    project = signed_project(cast, amount=10 * YI)
    wrong = record(project, cast.operator, 5000 * WAN)
    client.force_login(cast.operator)
    page = client.get(reverse("delivery:tranche_correct_form", args=[project.pk, wrong.pk])).content.decode()
    assert 'name="amount" value="5000"' in page
