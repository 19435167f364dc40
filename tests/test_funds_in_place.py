"""资金到位率 (funds-in-place rate) and the actual investment: one definition, one writer.

Funds in place are the recorded tranches once a project has any, else the recorded actual
investment (an imported or older project); the rate divides them by the contracted amount, and a
project without a contract is in neither side of it (docs/metrics.md). Every page, the digest,
the ledger export and the API show the same figures."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from operators.models import NotificationPreference
from projects.core.errors import PipelineError
from projects.core.validators import credit_code_check_char
from projects.delivery import services as delivery
from projects.ledger import imports
from projects.models import FundsTranche, Project, Stage
from projects.pipeline.stages import project_move_stage
from tasks import digests
from tasks.models import OutboxMessage

from .delivery_fixtures import WAN, YI, pdf, signed_project
from .ledger_files import sheet_bytes
from .metrics_data import SHANGHAI

NOW = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)  # a Friday
d = datetime.date
MARCH_5 = d(2026, 3, 5)


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        yield


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def words(html: str) -> str:
    """What a reader sees of a piece of a page: the tags gone, the spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def record(project, amount, on=MARCH_5, user=None):
    return delivery.tranche_record(
        project=project,
        user=user or project.service_contact,
        received_on=on,
        amount=amount,
        kind=FundsTranche.Kind.REGISTERED_CAPITAL,
        evidence=pdf(),
    )


def contracted(cast, *, contract_amount=4 * YI, **extra):
    """A project of zone A whose contract (4 亿元 unless told) was signed this month."""
    fields = {"stage": Stage.CONTRACT_SIGNED, "contract_signed_on": d(2026, 3, 2), "contract_amount": contract_amount}
    return signed_project(cast, **(fields | extra))


def project_page(client, project):
    page = text(client.get(reverse("projects:detail", args=[project.pk])))
    dd = re.search(r"累计实际投资</dt> ?<dd>(.*?)</dd>", page)
    return words(dd.group(1)) if dd else ""


def plan_page(client, project):
    page = text(client.get(reverse("delivery:plan", args=[project.pk])))
    return re.search(r'id="funds".*?</table>', page).group(0)


def plan_heading(client, project):
    page = text(client.get(reverse("delivery:plan", args=[project.pk])))
    return words(re.search(r"</h1>(.*?)</p>", page, re.S).group(1))


def overview_row(client, zone):
    page = text(client.get(reverse("delivery:overview")))
    row = re.search(rf'data-testid="funds-{zone.pk}">(.*?)</tr>', page)
    return words(row.group(1)) if row else ""


def dashboard_row(client, zone):
    page = text(client.get("/dashboard/", {"period": "month"}))
    row = re.search(rf"<td>{zone}</td>(.*?)</tr>", page)
    return words(row.group(1)) if row else ""


def weekly_digest(cast, user, *zones):
    pref, _created = NotificationPreference.objects.get_or_create(user=user)
    pref.digest_frequency = "weekly"
    pref.save()
    pref.digest_zones.set(zones)
    OutboxMessage.objects.all().delete()
    assert digests.digest_build(user_id=user.pk, frequency="weekly", start=d(2026, 3, 9), end=d(2026, 3, 15))
    message = OutboxMessage.objects.get()
    return re.sub(r"\s+", " ", message.body_text), re.sub(r"\s+", " ", message.body_html)


def export_row(client, project):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/projects/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headings = rows[0]
    row = next(r for r in rows[1:] if r[0] == project.pk)
    return dict(zip(headings, row, strict=True))


def api_project(client, project):
    response = client.get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 200
    return response.json()


# -- one project, one zone: every page says the same ------------------------------------------


def test_every_page_the_digest_the_export_and_the_api_show_the_same_rate_and_amount(client, cast):
    project = contracted(cast)
    record(project, 1 * YI, on=d(2026, 3, 5))
    record(project, 5000 * WAN, on=d(2026, 3, 16))
    client.force_login(cast.city_manager)
    rate, funds, contract = "37.5%", "1.5 亿元", "4 亿元"

    assert f"{funds} (资金到位率 {rate})" in project_page(client, project)
    plan = plan_page(client, project)
    assert f'data-testid="funds-rate">{rate}<' in plan and f"{funds} / {contract}" in plan
    assert f"合同金额 {contract}" in plan_heading(client, project)  # the denominator, named as such
    row = overview_row(client, cast.zone_a)
    assert funds in row and contract in row and rate in row
    row = dashboard_row(client, cast.zone_a)
    assert rate in row and f"{funds}/{contract}" in row
    for body in weekly_digest(cast, cast.city_manager, cast.zone_a):
        assert f"资金到位率 {rate}（{funds} / {contract}）" in body, body
    cells = export_row(client, project)
    assert cells["实际完成投资（万元）"] == 15000
    assert cells["资金到位率（%）"] == 37.5
    data = api_project(client, project)
    assert Decimal(data["actual_investment"]) == Decimal("1.5") * YI
    assert Decimal(data["funds_in_place_rate"]) == Decimal("0.375")


def test_a_project_without_a_contract_is_not_in_the_zone_rate(client, cast):
    project = contracted(cast)
    record(project, 1 * YI)
    # Signed an intention of 10 亿元 only, and already put 3 亿元 in: no contract, no rate.
    intention_only = signed_project(cast, amount=10 * YI)
    record(intention_only, 3 * YI)
    client.force_login(cast.city_manager)

    row = overview_row(client, cast.zone_a)
    assert "25%" in row and "1 亿元" in row and "4 亿元" in row
    row = dashboard_row(client, cast.zone_a)
    assert "25%" in row and "1 亿元/4 亿元" in row
    for body in weekly_digest(cast, cast.city_manager, cast.zone_a):
        assert "资金到位率 25%（1 亿元 / 4 亿元）" in body, body
    # Its own pages show the money, and no rate.
    assert "资金到位率" not in project_page(client, intention_only)
    assert 'data-testid="funds-rate">—<' in plan_page(client, intention_only)
    assert export_row(client, intention_only)["资金到位率（%）"] is None
    assert api_project(client, intention_only)["funds_in_place_rate"] is None


# -- a project with tranches: the typed figure is not offered -------------------------------


def test_the_details_form_does_not_offer_the_typed_figure_once_there_are_tranches(client, cast):
    project = contracted(cast)
    record(project, 1 * YI)
    project.refresh_from_db()
    client.force_login(cast.operator)
    url = reverse("projects:project_details", args=[project.pk])

    form = text(client.get(url))
    assert 'name="actual_investment"' not in form
    assert "到位资金" in form  # says where the figure comes from

    response = client.post(url, {"version": project.version, "actual_investment": "90000", "site_location": "纬三路"})
    page = text(response)
    assert "累计实际投资" in page and "到位资金" in page
    project.refresh_from_db()
    assert project.actual_investment == 1 * YI and project.site_location == ""


def test_the_typed_figure_is_refused_by_the_service_the_stage_move_and_the_import(cast):
    project = contracted(
        cast,
        stage=Stage.UNDER_CONSTRUCTION,
        registered_company="江州芯联半导体有限公司",
        registered_credit_code="91320500MA1XKQ2H3" + credit_code_check_char("91320500MA1XKQ2H3"),
        construction_started_on=d(2026, 3, 3),
    )
    record(project, 2 * YI)
    project.refresh_from_db()
    version = project.version

    from projects.pipeline.writes import project_update_delivery

    with pytest.raises(PipelineError) as refused:
        project_update_delivery(
            project=project, user=cast.operator, expected_version=version, values={"actual_investment": 9 * YI}
        )
    assert "actual_investment" in refused.value.errors

    with pytest.raises(PipelineError) as refused:
        project_move_stage(
            project=project,
            user=cast.operator,
            to_stage=Stage.IN_PRODUCTION,
            expected_version=version,
            evidence={"production_started_on": d(2026, 3, 18), "actual_investment": 9 * YI},
        )
    assert "actual_investment" in refused.value.errors

    data = sheet_bytes(
        [
            ["项目编号", "项目名称", "投资方", "实际完成投资（万元）"],
            [project.pk, project.title, project.investor.name, 90000],
        ]
    )
    plan = imports.import_ledger(user=cast.officer, organization=cast.committee_a, data=data, name="台账.xlsx")
    assert [p["column"] for p in plan.problems if p["level"] == "error"] == ["实际完成投资（万元）"]

    # Moving into production without typing it takes the tranches as the actual investment.
    project.refresh_from_db()
    project_move_stage(
        project=project,
        user=cast.operator,
        to_stage=Stage.IN_PRODUCTION,
        expected_version=project.version,
        evidence={"production_started_on": d(2026, 3, 18)},
    )
    project.refresh_from_db()
    assert (project.stage, project.actual_investment) == (Stage.IN_PRODUCTION, 2 * YI)


def test_a_blank_actual_investment_cell_leaves_the_tranches_sum_of_a_project(cast):
    """A ledger whose 实际完成投资 cell is empty gives no figure: the row imports, the sum stays."""
    project = contracted(cast)
    record(project, 2 * YI)
    data = sheet_bytes(
        [
            ["项目编号", "项目名称", "投资方", "实际完成投资（万元）", "项目选址"],
            [project.pk, project.title, project.investor.name, None, "江州高新区C区"],
        ]
    )
    plan = imports.import_ledger(user=cast.officer, organization=cast.committee_a, data=data, name="台账.xlsx")
    assert [p for p in plan.problems if p["level"] == "error"] == []
    project.refresh_from_db()
    assert (project.site_location, project.actual_investment) == ("江州高新区C区", 2 * YI)


def test_the_first_tranche_replaces_a_typed_figure_and_says_so(client, cast):
    project = contracted(cast, actual_investment=3 * YI)  # typed before tranches were recorded
    client.force_login(cast.operator)
    response = client.post(
        reverse("delivery:tranche_record", args=[project.pk]),
        {
            "received_on": "2026-03-05",
            "amount": "10000",
            "kind": "registered_capital",
            "evidence": pdf(),
            "evidence_kind": "voucher",
        },
        follow=True,
    )
    page = text(response)
    assert "3 亿元" in page and "1 亿元" in page  # the message names the typed figure it replaced
    project.refresh_from_db()
    assert project.actual_investment == 1 * YI
    assert project.history.first().actual_investment == 1 * YI
    assert project.history.all()[1].actual_investment == 3 * YI  # the typed figure stays in the history


# -- an imported project without tranches keeps its figure -----------------------------------


def test_an_imported_project_without_tranches_keeps_its_actual_investment_in_the_rate(client, cast):
    headings = [
        "项目名称",
        "投资方",
        "所属园区",
        "项目阶段",
        "计划投资额（万元）",
        "意向协议签订日期",
        "意向协议金额（万元）",
    ]
    headings += ["合同签订日期", "合同金额（万元）", "实际完成投资（万元）"]
    row = ["智能LED驱动研发基地", "江州光电有限公司", cast.zone_a.name, "签订正式合同", 100000, "2026-01-10", 100000]
    row += ["2026-03-02", 100000, 30000]
    plan = imports.import_ledger(
        user=cast.officer, organization=cast.committee_a, data=sheet_bytes([headings, row]), name="台账.xlsx"
    )
    assert [p for p in plan.problems if p["level"] == "error"] == []
    project = Project.objects.get(title="智能LED驱动研发基地")
    assert project.actual_investment == 3 * YI
    client.force_login(cast.city_manager)

    assert "3 亿元 (资金到位率 30%)" in project_page(client, project)
    assert 'data-testid="funds-rate">30%<' in plan_page(client, project)
    row = overview_row(client, cast.zone_a)
    assert "30%" in row and "3 亿元" in row and "10 亿元" in row
    assert "30%" in dashboard_row(client, cast.zone_a)
    assert export_row(client, project)["资金到位率（%）"] == 30
