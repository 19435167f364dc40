"""Importing a ledger in a real browser: upload, read the preview with a problem, upload the fixed
file, confirm. Screenshots of the preview, desktop and phone width (docs/screenshots/)."""

import pytest
from django.contrib.auth import get_user_model

from operators.models import Membership, Organization, Role, Zone
from projects.models import Project
from tests.e2e.conftest import SHOTS
from tests.e2e.test_pipeline_browser import DESKTOP, PHONE
from tests.ledger_files import ledger_rows, ledger_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_imports_a_ledger(live_server, browser, tmp_path):
    zone = Zone.objects.create(
        name="清河经济开发区", short_name="清河经开区", kind="economic_tech", level="provincial", county="清河县"
    )
    org = Organization.objects.create(name="清河经开区管委会", kind="committee", zone=zone, county="清河县")
    user = get_user_model().objects.create_user("officer", password="pw-123456", first_name="officer")
    Membership.objects.create(user=user, organization=org, role=Role.OFFICER)
    colleague = get_user_model().objects.create_user("zhangmin", password="x-123456789", first_name="张敏")
    Membership.objects.create(user=colleague, organization=org, role=Role.OFFICER)
    rows = ledger_rows(40)
    good = tmp_path / "台账.xlsx"
    good.write_bytes(ledger_xlsx(rows))
    rows[7]["stage"] = "快成了"
    bad = tmp_path / "有问题的台账.xlsx"
    bad.write_bytes(ledger_xlsx(rows))

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", "officer")
        page.fill("input[name=password]", "pw-123456")
        page.click("button[type=submit]")
        page.goto(live_server.url + "/projects/import/")
        page.set_input_files("input[name=file]", str(bad))
        page.click("button.btn-primary")
        page.wait_for_selector("#import-problems")
        assert "快成了" in page.inner_text("#import-problems")
        assert page.locator("text=确认导入").count() == 0
        page.screenshot(path=str(SHOTS / f"import-problems-{name}.png"), full_page=False)
        if name == "desktop":
            page.goto(live_server.url + "/projects/import/")
            page.set_input_files("input[name=file]", str(good))
            page.click("button.btn-primary")
            page.wait_for_selector("#import-counts")
            assert page.inner_text("[data-count=created]") == "40"
            page.screenshot(path=str(SHOTS / "import-preview-desktop.png"), full_page=False)
            page.click("text=确认导入")
            page.wait_for_selector("text=已导入。")
            assert Project.objects.filter(organization=org).count() == 40
        context.close()
