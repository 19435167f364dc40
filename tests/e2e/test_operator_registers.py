"""In a browser: an operator finds a signed-intention project of their zone, opens its project
page, moves it to registered with a credit code and the business licence in the stage form opened
in place; the owning officer sees it in the project page's timeline."""

import pytest

from projects.models import Attachment, Project, Stage, StageChange

from ..delivery_helpers import CREDIT_CODES, PDF_BYTES, project_at
from .conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, username, **context):
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_an_operator_registers_a_project_and_the_officer_sees_it(browser, live_server, cast, media, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    cast.operator.first_name, cast.operator.last_name = "运营", "李"
    cast.operator.save()
    project = project_at(
        Stage.INTENTION_SIGNED,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        title="集成电路封装测试项目",
    )
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF_BYTES)
    contract = tmp_path / "投资合同.pdf"
    contract.write_bytes(PDF_BYTES + b"% contract\n")

    page = _login(browser, live_server, "operator", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="我的园区").click()
    page.get_by_role("link", name="集成电路封装测试项目").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
    # Only the forms an operator may use are offered.
    assert page.locator("#change-status, #assign-owner, #edit-confidentiality").count() == 0
    page.locator("#change-stage").click()
    modal = page.locator("#project-modal")
    modal.locator("#stage-form").wait_for()
    assert modal.is_visible()
    page.select_option("select[name=to_stage]", "registered")
    page.fill("input[name=contract_signed_on]", "2026-03-15")
    page.fill("input[name=contract_amount]", "7500")
    page.set_input_files("input[name=file_contract]", str(contract))
    page.fill("input[name=registered_company]", "清河芯联封装测试有限公司")
    page.fill("input[name=registered_credit_code]", CREDIT_CODES[1].lower())
    page.set_input_files("input[name=file_business_licence]", str(licence))
    page.screenshot(path=str(SHOTS / "stage-form-operator.png"))
    modal.get_by_role("button", name="保存").click()
    page.locator("#registered-company").get_by_text("清河芯联封装测试有限公司").wait_for()
    assert page.url == f"{live_server.url}/projects/{project.pk}/"
    page.screenshot(path=str(SHOTS / "project-after-registration.png"), full_page=True)

    project.refresh_from_db()
    assert project.stage == Stage.REGISTERED
    assert project.registered_credit_code == CREDIT_CODES[1]
    assert set(Attachment.objects.filter(project=project).values_list("kind", flat=True)) == {
        "contract",
        "business_licence",
    }
    assert StageChange.objects.get(project=project).changed_by == cast.operator

    officer = _login(browser, live_server, "officer", viewport={"width": 375, "height": 800})
    officer.goto(f"{live_server.url}/projects/{project.pk}/")
    timeline = officer.locator("#follow-ups")
    text = timeline.inner_text()
    assert "李运营" in text
    assert "清河芯联封装测试有限公司" in text
    assert "营业执照.pdf" in text
    officer.screenshot(path=str(SHOTS / "timeline-officer-phone.png"), full_page=True)
    assert Project.objects.get(pk=project.pk).version == 2
