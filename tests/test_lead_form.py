"""Logging a lead: the form's detail fields follow the source mode; amounts typed in 万元."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from projects.core.errors import PipelineError
from projects.models import ChainLink, IndustryChain, Project, SourceMode
from projects.pipeline.forms import LeadForm, WanField, yuan_to_wan_text
from projects.pipeline.services import project_create
from projects.pipeline.sources import required_detail_fields
from tests.factories import ProjectFactory


@pytest.fixture
def chain(db):
    chain = IndustryChain.objects.create(name="电子信息")
    link = ChainLink.objects.create(chain=chain, name="集成电路封装测试", position="midstream")
    other = IndustryChain.objects.create(name="新能源汽车")
    other_link = ChainLink.objects.create(chain=other, name="动力电池", position="midstream")
    return chain, link, other_link


def details_for(mode, chain):
    chain_obj, link, _other = chain
    return {
        SourceMode.FUND: {
            "fund_name": "江州市集成电路产业投资基金",
            "fund_manager": "江州产业投资管理有限公司",
            "fund_committed_amount": "20000",
            "fund_condition": "被投企业在园区设立生产基地",
        },
        SourceMode.EQUITY: {
            "equity_vehicle": "清河经开区开发运营有限公司",
            "equity_stake_pct": "20",
            "equity_amount": "3000",
        },
        SourceMode.CHAIN: {"chain": str(chain_obj.pk), "chain_link": str(link.pk), "chain_leader": "华芯半导体"},
        SourceMode.REFERRAL: {"referrer": "园区企业瑞光电子"},
    }.get(mode, {"source_note": "第二十届中国国际投资贸易洽谈会"})


def lead_data(cast, mode, chain, **extra):
    return {
        "title": "集成电路封装测试项目",
        "investor_name": "华芯半导体封装测试股份有限公司",
        "organization": str(cast.committee_a.pk),
        "zone": str(cast.zone_a.pk),
        "owner": str(cast.officer.pk),
        "source_mode": mode,
        "planned_amount": "150000",
        "priority": "2",
        **details_for(mode, chain),
        **extra,
    }


@pytest.mark.parametrize("mode", SourceMode.values)
def test_it_accepts_a_complete_lead_of_each_mode(cast, chain, mode):
    form = LeadForm(lead_data(cast, mode, chain), user=cast.officer)
    assert form.is_valid(), form.errors
    project = project_create(user=cast.officer, **form.service_kwargs())
    assert project.source_mode == mode
    assert project.created_by == cast.officer
    assert project.planned_amount == Decimal("1500000000")


REQUIRED = [(mode, name) for mode in SourceMode.values for name in required_detail_fields(mode)]


@pytest.mark.parametrize(("mode", "missing"), REQUIRED)
def test_it_puts_the_error_on_the_missing_detail(cast, chain, mode, missing):
    data = lead_data(cast, mode, chain)
    data.pop(missing)
    form = LeadForm(data, user=cast.officer)
    with translation.override("en"):
        assert not form.is_valid()
        assert missing in form.errors
        assert "is required for a lead found by" in form.errors[missing][0]
    assert set(form.errors) == {missing}


@pytest.mark.parametrize(("mode", "missing"), REQUIRED)
def test_the_service_refuses_the_same_lead(cast, chain, mode, missing):
    form = LeadForm(lead_data(cast, mode, chain), user=cast.officer)
    assert form.is_valid()
    kwargs = form.service_kwargs()
    kwargs["details"][missing] = None
    with pytest.raises(PipelineError) as exc:
        project_create(user=cast.officer, **kwargs)
    assert missing in exc.value.errors
    assert not Project.objects.exists()


def test_it_refuses_a_link_of_another_chain(cast, chain):
    data = lead_data(cast, SourceMode.CHAIN, chain, chain_link=str(chain[2].pk))
    form = LeadForm(data, user=cast.officer)
    assert not form.is_valid()
    assert "chain_link" in form.errors


def test_it_keeps_only_the_details_of_the_chosen_mode(cast, chain):
    data = lead_data(cast, SourceMode.REFERRAL, chain, fund_name="不该保存的基金")
    form = LeadForm(data, user=cast.officer)
    assert form.is_valid(), form.errors
    project = project_create(user=cast.officer, **form.service_kwargs())
    assert project.referrer == "园区企业瑞光电子"
    assert project.fund_name == ""


def test_it_needs_an_investor(cast, chain):
    form = LeadForm(lead_data(cast, SourceMode.REFERRAL, chain, investor_name=""), user=cast.officer)
    assert not form.is_valid()
    assert "investor_name" in form.errors


def test_it_rejects_a_mistyped_credit_code(cast, chain):
    form = LeadForm(
        lead_data(cast, SourceMode.REFERRAL, chain, investor_credit_code="91320500MA1XXXXXX1"), user=cast.officer
    )
    assert not form.is_valid()
    assert "investor_credit_code" in form.errors


def test_it_offers_only_own_organisations_and_reachable_investors(cast, chain):
    mine = ProjectFactory(organization=cast.committee_a, owner=cast.officer)
    theirs = ProjectFactory(organization=cast.committee_b, owner=cast.outsider)
    form = LeadForm(user=cast.officer)
    assert list(form.fields["organization"].queryset) == [cast.committee_a]
    investors = set(form.fields["investor"].queryset)
    assert mine.investor in investors
    assert theirs.investor not in investors
    assert cast.outsider not in form.fields["owner"].queryset


def test_it_refuses_an_investor_out_of_reach(cast, chain):
    theirs = ProjectFactory(organization=cast.committee_b, owner=cast.outsider)
    form = LeadForm(lead_data(cast, SourceMode.REFERRAL, chain, investor=str(theirs.investor.pk)), user=cast.officer)
    assert not form.is_valid()
    assert "investor" in form.errors


def test_it_picks_an_existing_investor(cast, chain):
    investor = ProjectFactory(organization=cast.committee_a, owner=cast.officer).investor
    data = lead_data(cast, SourceMode.REFERRAL, chain, investor=str(investor.pk), acknowledge_duplicates="on")
    form = LeadForm(data, user=cast.officer)
    assert form.is_valid(), form.errors
    project = project_create(user=cast.officer, **form.service_kwargs())
    assert project.investor == investor


def test_it_creates_the_investor_inline_with_its_flags(cast, chain):
    data = lead_data(
        cast,
        SourceMode.REFERRAL,
        chain,
        investor_credit_code="91350100M000100Y43",
        investor_is_top500="on",
    )
    form = LeadForm(data, user=cast.officer)
    assert form.is_valid(), form.errors
    project = project_create(user=cast.officer, **form.service_kwargs())
    assert project.investor.name == "华芯半导体封装测试股份有限公司"
    assert project.investor.normalized_name == "华芯半导体封装测试"
    assert project.investor.credit_code == "91350100M000100Y43"
    assert project.investor.is_top500


# -- 万元 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("1", Decimal("10000")),
        ("2400000", Decimal("24000000000")),  # the report's 240 亿元
        ("12345.6789", Decimal("123456789")),
        ("0.0001", Decimal("1")),
        ("0.000001", Decimal("0.01")),
        ("99999999.999999", Decimal("999999999999.99")),
    ],
)
def test_wan_amounts_round_trip_exactly(typed, yuan):
    field = WanField()
    assert field.clean(typed) == yuan
    assert field.clean(field.prepare_value(yuan)) == yuan
    assert Decimal(field.prepare_value(yuan)) == Decimal(typed)


def test_wan_refuses_a_fraction_of_a_fen():
    with pytest.raises(ValidationError):
        WanField().clean("0.0000001")


def test_a_typed_amount_is_stored_and_shown_back_exactly(cast, chain):
    form = LeadForm(lead_data(cast, SourceMode.FUND, chain, planned_amount="12345.6789"), user=cast.officer)
    assert form.is_valid(), form.errors
    project = project_create(user=cast.officer, **form.service_kwargs())
    project.refresh_from_db()
    assert project.planned_amount == Decimal("123456789.00")
    assert project.fund_committed_amount == Decimal("200000000.00")
    assert yuan_to_wan_text(project.planned_amount) == "12345.6789"
    shown = LeadForm(user=cast.officer, initial={"planned_amount": project.planned_amount})
    assert shown["planned_amount"].value() is not None
    assert 'value="12345.6789"' in str(shown["planned_amount"])


def test_it_refuses_a_negative_amount(cast, chain):
    form = LeadForm(lead_data(cast, SourceMode.REFERRAL, chain, planned_amount="-5"), user=cast.officer)
    assert not form.is_valid()
    assert "planned_amount" in form.errors
