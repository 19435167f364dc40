"""My work: the officer's home page."""

import datetime

import time_machine
from django.utils import timezone

from tests.factories import ProjectFactory

# A Wednesday.
NOW = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_it_lists_what_is_due_overdue_and_logged_this_week(client, cast):
    today = timezone.localdate()
    due = ProjectFactory(title="今天要跟进", organization=cast.committee_a, owner=cast.officer, next_follow_up_on=today)
    late = ProjectFactory(
        title="已经逾期",
        organization=cast.committee_a,
        owner=cast.officer,
        next_follow_up_on=today - datetime.timedelta(days=3),
    )
    ProjectFactory(
        title="下周再说",
        organization=cast.committee_a,
        owner=cast.officer,
        next_follow_up_on=today + datetime.timedelta(days=7),
    )
    ProjectFactory(title="同事的项目", organization=cast.committee_a, owner=cast.teammate, next_follow_up_on=today)
    ProjectFactory(
        title="暂缓的项目", organization=cast.committee_a, owner=cast.officer, next_follow_up_on=today, status="on_hold"
    )
    mine = ProjectFactory(
        title="本周新线索", organization=cast.committee_a, owner=cast.teammate, created_by=cast.officer
    )
    with time_machine.travel(NOW - datetime.timedelta(days=7)):
        ProjectFactory(title="上周的线索", organization=cast.committee_a, owner=cast.officer, created_by=cast.officer)

    client.force_login(cast.officer)
    response = client.get("/")
    context = response.context
    assert context["due_today"] == [due]
    assert context["overdue"] == [late]
    assert context["logged_this_week"] == [mine]
    assert dict((s, n) for s, _label, n in context["by_stage"])["lead"] == 4  # active ones only
    html = response.content.decode()
    assert f'href="/projects/{due.pk}/#follow-up-form"' in html  # one click to record a follow-up
    assert "同事的项目" not in html and "下周再说" not in html
    # who you are is still there
    assert "清河经开区管委会" in html


def test_a_manager_gets_who_they_are_without_officer_sections(client, cast):
    client.force_login(cast.city_manager)
    response = client.get("/")
    assert response.status_code == 200
    assert not response.context["works_pipeline"]
    assert "江州市商务局" in response.content.decode()


def test_home_needs_login(client, cast):
    assert client.get("/").status_code == 302
