"""The ledger export and the import share their columns: exporting and importing again is a no-op."""

import datetime
from decimal import Decimal

import pytest

from projects.core.validators import credit_code_check_char
from projects.ledger import columns as ledger
from projects.ledger import imports
from projects.models import IndustryChain, Investor, Project, Stage, Status

from .factories import ProjectFactory


def _code(body: str) -> str:
    return body + credit_code_check_char(body)


@pytest.fixture
def ledger_projects(cast):
    chain = IndustryChain.objects.create(name="电子信息")
    cast.teammate.first_name = "张敏"
    cast.teammate.save()
    investor = Investor.objects.create(
        name="江州芯联半导体有限公司", normalized_name="芯联半导体", credit_code=_code("91320500MA1X2Y3W4")
    )
    common = {"organization": cast.committee_a, "owner": cast.officer}
    return [
        ProjectFactory(
            title="集成电路芯片封装项目",
            investor=investor,
            chain=chain,
            planned_amount=Decimal("12345678.91"),
            **common,
        ),
        ProjectFactory(title='=HYPERLINK("http://x")', planned_amount=None, industry="+电商", **common),
        ProjectFactory(
            title="智能LED驱动研发及产业化基地",
            stage=Stage.CONTRACT_SIGNED,
            planned_amount=Decimal("2400000000"),
            intention_signed_on=datetime.date(2026, 1, 5),
            intention_amount=Decimal("2000000000"),
            contract_signed_on=datetime.date(2026, 3, 1),
            contract_amount=Decimal("2400000000.50"),
            next_follow_up_on=datetime.date(2026, 4, 1),
            source_mode="chain",
            **common,
        ),
        ProjectFactory(
            title="有色金属供应链电商平台",
            status=Status.LOST,
            lost_reason="other_region",
            status_note="落户外地",
            site_area_mu=Decimal("120.5"),
            organization=cast.committee_a,
            owner=cast.teammate,
            is_confidential=True,
            codename="X项目",
        ),
        ProjectFactory(organization=cast.committee_b),  # not ours: not in our export
    ]


def export(user, fmt):
    queryset = Project.objects.filter(organization__in=user.memberships.values("organization"))
    data = ledger.export_dataset(queryset, user).export(fmt)
    return data.encode("utf-8-sig") if isinstance(data, str) else data


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(cast, ledger_projects, fmt):
    before = {p.pk: (p.version, p.updated_at) for p in Project.objects.all()}
    history = Project.history.count()

    plan = imports.import_ledger(
        user=cast.officer, organization=cast.committee_a, data=export(cast.officer, fmt), name=f"台账.{fmt}"
    )

    assert plan.problems == []
    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 0, 4)
    assert {p.pk: (p.version, p.updated_at) for p in Project.objects.all()} == before
    assert Project.history.count() == history


def test_export_has_chinese_headings_amounts_in_wan_and_neutralised_cells(cast, ledger_projects):
    dataset = ledger.export_dataset(Project.objects.filter(organization=cast.committee_a), cast.officer)
    assert dataset.headers[:3] == ["项目编号", "项目名称", "投资方"]
    rows = {row[1]: dict(zip(dataset.headers, row, strict=True)) for row in dataset}
    assert rows["集成电路芯片封装项目"]["计划投资额（万元）"] == Decimal("1234.567891")
    assert rows["智能LED驱动研发及产业化基地"]["项目阶段"] == "签订正式合同"
    assert '\'=HYPERLINK("http://x")' in rows
    assert rows['\'=HYPERLINK("http://x")']["所属行业"] == "'+电商"


def test_a_confidential_project_shows_its_codename_outside_its_organisation(cast, ledger_projects):
    dataset = ledger.export_dataset(Project.objects.filter(organization=cast.committee_a), cast.city_manager)
    titles = [row[1] for row in dataset]
    assert "X项目" in titles and "有色金属供应链电商平台" not in titles


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_list_export_imports_back_as_a_no_op(client, cast, ledger_projects, fmt):
    client.force_login(cast.officer)
    exported = client.get(f"/projects/export.{fmt}")
    assert exported.status_code == 200
    versions = dict(Project.objects.values_list("pk", "version"))

    plan = imports.import_ledger(
        user=cast.officer, organization=cast.committee_a, data=exported.content, name=f"ledger.{fmt}"
    )

    assert plan.problems == []
    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 0, 4)
    assert dict(Project.objects.values_list("pk", "version")) == versions
