"""An officer's day in a real browser: log a referral lead, add a follow-up, move it on the
board, find it in the filtered list and in the export. Saves the screenshots linked from the
README (docs/screenshots/)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import Project, Stage

from .conftest import SHOTS

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "officer_z01")
    page.fill("input[name=password]", "demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    return context, page


def test_an_officer_logs_follows_up_moves_and_finds_a_referral_lead(live_server, browser):
    call_command("seed_demo", verbosity=0)
    context, page = log_in(browser, live_server, DESKTOP)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # Log a referral lead; the referral detail appears when the mode is chosen.
    page.click("text=登记线索 >> nth=0")
    page.fill("#id_investor_name", "江州瑞光智能电子科技有限公司")
    page.fill("#id_title", "瑞光智能传感器生产基地项目")
    page.fill("#id_planned_amount", "8000.5")
    page.select_option("#id_source_mode", "referral")
    page.wait_for_selector("#id_referrer")
    page.fill("#id_referrer", "园区企业瑞光电子")
    page.click("#save-lead")
    if page.locator(".duplicate-match").count():  # a similar investor elsewhere: save anyway
        page.click("#save-lead")
    page.wait_for_selector("#follow-up-form")
    project = Project.objects.get(title="瑞光智能传感器生产基地项目")
    assert project.source_mode == "referral" and project.referrer == "园区企业瑞光电子"
    assert str(project.planned_amount) == "80005000.00"

    # Add a follow-up inline; the next follow-up date updates in place.
    due = timezone.localdate() + datetime.timedelta(days=3)
    page.select_option("#id_kind", "call")
    page.fill("#id_summary", "电话联系企业负责人，确认下周来园区考察")
    page.fill("#id_next_action", "安排实地考察")
    page.fill("#id_next_due_on", due.isoformat())
    page.click("#save-follow-up")
    page.wait_for_selector("text=跟进已记录。")
    assert due.isoformat() in page.inner_text("#next-follow-up")
    project.refresh_from_db()
    assert project.next_follow_up_on == due

    # Move it on the board by dragging its card to "Contacted".
    page.goto(live_server.url + "/projects/board/")
    card = page.locator(f'.board-card[data-id="{project.pk}"]')
    card.drag_to(page.locator('.board-cards[data-stage="contacted"]'))
    page.wait_for_selector("#move-message")
    assert page.locator(f'.board-cards[data-stage="contacted"] .board-card[data-id="{project.pk}"]').count() == 1
    project.refresh_from_db()
    assert project.stage == Stage.CONTACTED

    # Dragged back, the move needs a reason: the stage form opens in place for that move.
    page.locator(f'.board-card[data-id="{project.pk}"]').drag_to(page.locator('.board-cards[data-stage="lead"]'))
    form = page.locator("#project-modal #stage-form")
    form.wait_for()
    assert form.locator("select[name=to_stage]").input_value() == "lead"
    assert form.locator('[data-field="note"]').count() == 1  # the error on the reason
    page.screenshot(path=str(SHOTS / "board-move-needs-reason.png"))
    form.locator("textarea[name=note]").fill("企业要求暂缓考察，回到线索阶段")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f'.board-cards[data-stage="lead"] .board-card[data-id="{project.pk}"]')
    project.refresh_from_db()
    assert project.stage == Stage.LEAD
    # ... and forward again with the card's button.
    page.locator(f'.board-card[data-id="{project.pk}"] .board-next').click()
    page.wait_for_selector(f'.board-cards[data-stage="contacted"] .board-card[data-id="{project.pk}"]')
    project.refresh_from_db()
    assert project.stage == Stage.CONTACTED

    # Find it in the filtered list, and in the export of that list.
    page.goto(live_server.url + "/projects/")
    page.fill("#id_q", "瑞光智能")
    page.select_option("#id_stage", "contacted")
    page.click("#filter-form button[type=submit]")
    page.wait_for_url("**q=*")
    rows = page.locator("#project-table tbody tr")
    assert rows.count() == 1
    assert "瑞光智能传感器生产基地项目" in rows.first.inner_text()
    with page.expect_download() as download:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    lines = list(sheet.iter_rows(values_only=True))
    assert len(lines) == 2
    assert lines[1][1] == "瑞光智能传感器生产基地项目"
    assert lines[1][lines[0].index("计划投资额（万元）")] == 8000.5

    # Screenshots, desktop and phone: list, board and project page.
    pages = {
        "list": "/projects/",
        "board": "/projects/board/",
        "project": f"/projects/{project.pk}/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=name != "list")
    context.close()
    context, page = log_in(browser, live_server, PHONE)
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=name == "project")
    context.close()
