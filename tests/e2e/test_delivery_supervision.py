"""Browser: a manager supervises the 240 亿元 chip-packaging project; the operating company's
service contact acknowledges, records construction start and a first funds tranche with a
voucher; the manager's overview and the next digest show the change."""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from operators.models import Organization, Role, Zone
from projects.delivery.selectors import delivery_digest
from projects.models import FundsTranche, Project, Stage, SupervisionOrder

from ..delivery_fixtures import PDF
from ..factories import (
    InvestorFactory,
    MembershipFactory,
    OrganizationFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
)
from .conftest import SHOTS

pytestmark = pytest.mark.browser

YI = Decimal(100_000_000)


@pytest.fixture
def city(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    zone = ZoneFactory(
        name="江州高新技术产业开发区", short_name="江州高新区", kind=Zone.Kind.HIGH_TECH, county="江北区"
    )
    committee = OrganizationFactory(name="江州高新区管委会", zone=zone)
    company = OrganizationFactory(
        name="江州高新区开发运营有限公司", zone=zone, kind=Organization.Kind.OPERATING_COMPANY
    )
    office = OrganizationFactory(name="江州市商务局", zone=None, county="", kind=Organization.Kind.CITY_OFFICE)

    def member(username, name, org, role):
        user = UserFactory(username=username, first_name=name)
        MembershipFactory(user=user, organization=org, role=role)
        return user

    manager = member("manager", "周建国", office, Role.MANAGER)
    leader = member("leader", "王副市长", office, Role.MANAGER)
    officer = member("officer_z01", "陈晓东", committee, Role.OFFICER)
    contact = member("operator_z01", "刘海涛", company, Role.OPERATOR)
    signed_on = timezone.localdate() - datetime.timedelta(days=200)
    project = ProjectFactory(
        title="集成电路芯片封装测试项目",
        investor=InvestorFactory(name="华芯半导体封装测试股份有限公司", is_top500=True),
        zone=zone,
        organization=committee,
        owner=officer,
        operating_company=company,
        service_contact=contact,
        stage=Stage.CONTRACT_SIGNED,
        planned_amount=240 * YI,
        intention_signed_on=signed_on,
        intention_amount=240 * YI,
        # 资金到位率 is measured against the contracted amount (docs/metrics.md).
        contract_signed_on=signed_on,
        contract_amount=240 * YI,
    )
    return {"manager": manager, "leader": leader, "contact": contact, "project": project, "zone": zone}


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def logout(page):
    page.click("nav form[action$='/logout/'] button")


def test_supervise_acknowledge_and_deliver(live_server, browser, city, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    project = city["project"]
    plan_url = f"{base}/projects/{project.pk}/delivery/"
    before = timezone.now()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    # The manager names the responsible leader and issues an order.
    login(page, base, "manager")
    page.goto(f"{base}/delivery/")
    assert page.get_by_test_id("count-not_started").inner_text() == "1"
    page.click(f"a[href='/projects/{project.pk}/delivery/']")
    page.select_option("select[name=leader]", str(city["leader"].pk))
    page.click("form[action$='/delivery/leader/'] button")
    assert page.get_by_test_id("leader").inner_text() == "王副市长"
    page.click("details:has([data-testid=order-form]) > summary")
    page.fill("[data-testid=order-form] textarea[name=instruction]", "两周内完成施工许可办理并开工，首期注册资本金到位")
    page.fill(
        "[data-testid=order-form] input[name=due_on]", (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    )
    assert page.input_value("[data-testid=order-form] select[name=assignee]") == str(city["contact"].pk)
    page.click("[data-testid=order-form] button")
    assert page.get_by_test_id("order-status").inner_text() in ("Issued", "已下达")
    page.screenshot(path=str(SHOTS / "delivery-manager-order.png"), full_page=True)
    logout(page)

    # The operating company's service contact acknowledges and delivers.
    login(page, base, "operator_z01")
    page.goto(f"{base}/delivery/")
    page.click("form[action$='/acknowledge/'] button")
    order = SupervisionOrder.objects.get(project=project)
    assert order.status == SupervisionOrder.Status.ACKNOWLEDGED
    page.goto(plan_url)
    page.fill(f"#order-{order.pk} input[name=text]", "施工许可已取得，已进场施工")
    page.click(f"#order-{order.pk} form[action$='/report/'] button")
    page.click("details:has([data-testid=milestone-form]) > summary")
    page.select_option("[data-testid=milestone-form] select[name=kind]", "construction")
    page.fill("[data-testid=milestone-form] input[name=actual_on]", timezone.localdate().isoformat())
    page.click("[data-testid=milestone-form] button")
    assert page.get_by_test_id("milestone-construction").locator("[data-colour=done]").count() == 1
    voucher = tmp_path / "首期资金银行回单.pdf"
    voucher.write_bytes(PDF)
    page.click("details:has([data-testid=tranche-form]) > summary")
    page.fill("[data-testid=tranche-form] input[name=amount]", "50000")
    page.select_option("[data-testid=tranche-form] select[name=kind]", "registered_capital")
    page.set_input_files("[data-testid=tranche-form] input[name=evidence]", str(voucher))
    page.click("[data-testid=tranche-form] button")
    assert page.get_by_test_id("funds-rate").inner_text() == "2.1%"
    page.screenshot(path=str(SHOTS / "delivery-operator-plan.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True, locale="zh-CN")
    phone.context.add_cookies(page.context.cookies())
    phone.goto(plan_url)
    phone.screenshot(path=str(SHOTS / "delivery-operator-plan-phone.png"), full_page=True)
    phone.close()
    logout(page)

    project = Project.objects.get(pk=project.pk)
    assert project.construction_started_on == timezone.localdate()
    assert project.actual_investment == 5 * YI
    assert FundsTranche.objects.get(project=project).evidence.original_name == "首期资金银行回单.pdf"

    # The manager sees the project move from "not started" to "not completed", and the funds.
    login(page, base, "manager")
    page.goto(f"{base}/delivery/")
    assert page.get_by_test_id("count-not_started").inner_text() == "0"
    assert page.get_by_test_id("count-not_built").inner_text() == "1"
    funds = page.get_by_test_id(f"funds-{city['zone'].pk}").inner_text()
    assert "5 亿元" in funds and "240 亿元" in funds and "2.1%" in funds
    recent = page.get_by_test_id("delivery-digest").inner_text()
    assert "集成电路芯片封装测试项目" in recent and "5 亿元" in recent
    page.screenshot(path=str(SHOTS / "delivery-manager-overview.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=str(SHOTS / "delivery-manager-overview-phone.png"), full_page=True)

    # The next digest carries the same change.
    digest = delivery_digest(city["manager"], since=before, until=timezone.now())
    assert digest.counts == {"not_started": 0, "not_built": 1, "not_producing": 0}
    assert [title for title, _m in digest.milestones] == ["集成电路芯片封装测试项目"]
    assert digest.tranches_total == 5 * YI
    text = render_to_string("projects/delivery/_digest.txt", {"recent": digest})
    assert "集成电路芯片封装测试项目" in text and "5 亿元" in text
