"""A city manager opens the dashboard in a real browser, picks the year and a zone, and the page
is saved as screenshots (desktop, phone, print) under docs/screenshots/."""

import re

import pytest
from django.core.management import call_command

from .conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(transactional_db, monkeypatch):
    call_command("seed_demo", verbosity=0)
    # Playwright's sync API keeps an event loop in this thread; the database teardown that
    # follows runs here too and is safe (no coroutine touches it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(city, browser):
    """The shared browser, once the demo city is seeded."""
    return browser


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_a_manager_picks_the_period_and_a_zone(browser, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    login(page, live_server, "manager")

    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "招商引资工作看板"
    assert page.locator("#kpis .kpi").count() == 6

    page.click("label[for=period-year]")
    page.wait_for_url(re.compile(r"period=year"))
    assert re.search(r"\d{4}-01-01 – \d{4}-12-31", page.locator("#period-label").inner_text())
    # the high-tech zone's 240 亿元 of intentions: 150 + 50 + 40
    signed = page.locator("#table-signed-intention").inner_text()
    assert "集成电路芯片封装测试项目" in signed and "150 亿元" in signed
    page.wait_for_function("document.querySelectorAll('canvas').length === 4")
    page.screenshot(path=str(SHOTS / "dashboard-desktop.png"), full_page=True)

    page.select_option("#id_zone", label="江州高新区")
    page.wait_for_url(re.compile(r"zone=\d+"))
    assert "period=year" in page.url
    assert "江州高新区" in page.locator("#period-label").inner_text()
    rates = page.locator("#table-rates tbody tr")
    assert rates.count() == 1
    assert "江州高新区" in rates.first.inner_text()
    page.screenshot(path=str(SHOTS / "dashboard-desktop-zone.png"), full_page=True)

    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "dashboard-print.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True)
    login(phone, live_server, "manager")
    phone.goto(f"{live_server.url}/dashboard/?period=year")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
