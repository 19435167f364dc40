"""The list's rows, the board's cards, the project page's timeline and the filter form are built
in Python rather than through template nodes (issue 9: rendering was most of their time). What
they show is escaped as a template would escape it, and the forms keep what the user chose."""

import datetime
import html

import pytest
from django.utils import timezone

from projects.models import Stage
from projects.pipeline.services import followup_record
from tests.factories import InvestorFactory, ProjectFactory, UserFactory

MARKUP = '<b onclick="x()">A&B\'s</b>'


@pytest.fixture
def marked(cast):
    """A project whose every shown text carries markup."""
    cast.officer.first_name, cast.officer.last_name = "<u>Li</u>", "Lei"
    cast.officer.save()
    project = ProjectFactory(
        title=f"项目{MARKUP}",
        investor=InvestorFactory(name=f"企业{MARKUP}", is_top500=True),
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        stage=Stage.NEGOTIATING,
    )
    followup_record(
        project=project,
        user=cast.officer,
        kind="visit",
        occurred_on=timezone.localdate(),
        summary=f"第一行\r\n{MARKUP}",
        visitors=f"张三{MARKUP}",
        next_action=f"再谈{MARKUP}",
        next_due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    return project


@pytest.mark.parametrize("url", ["/projects/", "/projects/board/", "/projects/{pk}/"])
def test_what_users_typed_is_escaped(client, cast, marked, url):
    client.force_login(cast.officer)
    body = client.get(url.format(pk=marked.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert MARKUP not in body and "<u>Li</u>" not in body
    assert f"项目{html.escape(MARKUP)}" in body
    assert f"企业{html.escape(MARKUP)}" in body
    assert html.escape("<u>Li</u> Lei") in body or html.escape("<u>Li</u>") in body


def test_the_timeline_keeps_line_breaks_and_escapes_the_rest(client, cast, marked):
    client.force_login(cast.officer)
    body = client.get(f"/projects/{marked.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<div>第一行<br>{html.escape(MARKUP)}</div>" in body
    assert f"who came:</span> 张三{html.escape(MARKUP)}</div>" in body
    assert f"next:</span> 再谈{html.escape(MARKUP)} <span class=" in body


def test_the_board_card_links_and_moves_with_the_filters_kept(client, cast, marked):
    client.force_login(cast.officer)
    body = client.get(f"/projects/board/?zone={cast.zone_a.pk}&q=项目", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/projects/{marked.pk}/"' in body
    move = f"/projects/{marked.pk}/move/?zone={cast.zone_a.pk}&amp;q=%E9%A1%B9%E7%9B%AE"
    assert f'data-move-url="{move}" data-movable="1"' in body
    assert f'hx-post="{move}"' in body
    assert '<input type="hidden" name="to_stage" value="intention_signed">' in body


def test_an_overdue_card_is_marked(client, cast):
    due = timezone.localdate() - datetime.timedelta(days=1)
    late = ProjectFactory(organization=cast.committee_a, owner=cast.officer, next_follow_up_on=due)
    client.force_login(cast.officer)
    body = client.get("/projects/board/").content.decode()
    assert f'<article class="card board-card shadow-sm border-danger" data-id="{late.pk}"' in body
    assert f'<div class="small overdue"><i class="bi bi-calendar-event"></i> {due.isoformat()}</div>' in body


def test_a_reader_gets_no_move_button(client, cast, marked):
    client.force_login(cast.city_manager)
    body = client.get("/projects/board/").content.decode()
    assert f'data-id="{marked.pk}"' in body
    assert "data-movable" not in body and 'name="to_stage"' not in body


def test_the_owner_dropdown_names_people_and_keeps_the_choice(client, cast):
    named = UserFactory(username="wang", first_name="Wang", last_name="Fang")
    unnamed = UserFactory(username="zhao_only", first_name="", last_name="")
    for person in (named, unnamed):
        ProjectFactory(organization=cast.committee_a, owner=person)
    client.force_login(cast.city_manager)
    body = client.get(f"/projects/?owner={named.pk}").content.decode()
    assert f'<option value="{named.pk}" selected>Wang Fang</option>' in body
    assert f'<option value="{unnamed.pk}">zhao_only</option>' in body
    assert '<option value="">---------</option>' in body


def test_the_filter_inputs_keep_what_was_typed(client, cast):
    client.force_login(cast.officer)
    query = "q=a%22b&amount_min=10&created_after=2024-01-02&overdue=on&reached=negotiating"
    body = client.get(f"/projects/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<input type="search" name="q" value="a&quot;b" placeholder="Project or investor"' in body
    assert 'name="amount_min" value="10"' in body
    assert '<input type="date" name="created_after" value="2024-01-02"' in body
    assert '<input type="checkbox" name="overdue" class="form-check-input" id="id_overdue" checked>' in body
    assert '<input type="hidden" name="reached" value="negotiating" id="id_reached">' in body


def test_next_means_next_page_in_the_list_and_next_step_in_the_timeline(client, cast, marked):
    """Two different words in Chinese: the list's page link is 下一页, a follow-up's agreed next
    action 下一步 (the project's own "next" once overrode django-tables2's page link)."""
    for i in range(3):
        ProjectFactory(title=f"翻页项目{i}", organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    client.force_login(cast.officer)
    listing = client.get("/projects/?per_page=2", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "下一页" in listing and "下一步" not in listing
    page = client.get(f"/projects/{marked.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "下一步：</span> 再谈" in page or "下一步:</span> 再谈" in page
