"""What must always hold (messages in Chinese, the default language) is enforced twice: full_clean() gives a clear message, and the database
refuses what slips past it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from operators.models import Membership, Organization, Role
from projects.models import Attachment, Investor, PossibleDuplicate, Project

from .factories import InvestorFactory, MembershipFactory, OrganizationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@pytest.mark.parametrize(
    "field",
    [
        "planned_amount",
        "fund_committed_amount",
        "equity_amount",
        "intention_amount",
        "contract_amount",
        "actual_investment",
    ],
)
def test_it_rejects_a_negative_amount(field):
    project = ProjectFactory.build(**{field: Decimal("-1")})
    project.investor.save()
    project.organization.zone.save()
    project.organization.save()
    project.zone = project.organization.zone
    project.owner.save()
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    assert field in exc.value.message_dict
    saved = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=saved.pk).update(**{field: Decimal("-1")})


@pytest.mark.parametrize("stake", [Decimal("-0.01"), Decimal("100.01")])
def test_it_rejects_a_stake_outside_0_to_100(stake):
    project = ProjectFactory()
    project.equity_stake_pct = stake
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    assert "equity_stake_pct" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(equity_stake_pct=stake)


def test_it_accepts_the_stake_bounds():
    project = ProjectFactory(equity_stake_pct=Decimal("100"))
    project.full_clean()


def test_a_lost_project_needs_a_reason():
    project = ProjectFactory()
    project.status = "lost"
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    assert "终止的项目必须填写原因" in _messages(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(status="lost", lost_reason="")
    Project.objects.filter(pk=project.pk).update(status="lost", lost_reason="other_region")


def test_a_committee_must_belong_to_a_zone():
    org = Organization(name="无区管委会", kind=Organization.Kind.COMMITTEE)
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "必须隶属于一个开发区" in _messages(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        org.save()
    Organization.objects.create(name="某县招商局", kind=Organization.Kind.COUNTY_BUREAU, county="某县")


def test_a_user_belongs_to_an_organisation_once():
    membership = MembershipFactory()
    again = Membership(user=membership.user, organization=membership.organization, role=Role.TEAM_LEAD)
    with pytest.raises(ValidationError) as exc:
        again.full_clean()
    assert "该用户已属于此组织" in _messages(exc.value)


def test_two_investors_cannot_share_a_credit_code_but_many_have_none():
    InvestorFactory(credit_code="914403001922038216")
    with pytest.raises(ValidationError) as exc:
        Investor(name="另一家", credit_code="914403001922038216").full_clean()
    assert "credit_code" in exc.value.message_dict
    InvestorFactory(credit_code=None)
    InvestorFactory(credit_code=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Investor.objects.create(name="另一家", credit_code="914403001922038216")


def test_an_investor_with_a_mistyped_credit_code_is_refused():
    with pytest.raises(ValidationError) as exc:
        Investor(name="错码企业", credit_code="914403001922038217").full_clean()
    assert "校验位错误" in _messages(exc.value)


def test_a_project_cannot_duplicate_itself():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PossibleDuplicate.objects.create(project=project, other=project, matched_by="name")


def test_an_attachment_digest_must_be_hex():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.create(
            project=project,
            file="x",
            original_name="a.pdf",
            content_type="application/pdf",
            size=1,
            sha256="not-a-digest",
            uploaded_by=UserFactory(),
        )


def test_an_organisation_needs_no_zone_when_it_is_a_city_office():
    OrganizationFactory(name="市商务局", zone=None, county="", kind=Organization.Kind.CITY_OFFICE).full_clean()
