"""Managers' digests: the figures of a known week, once per period, a line when nothing happened."""

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from operators.models import NotificationPreference
from projects.core import periods
from projects.reporting.digest import digest_content
from projects.reporting.metrics import Filters
from tasks import digests, sender
from tasks.models import OutboxMessage
from tasks.tasks import build_digest

from .metrics_data import NOW, SHANGHAI, YI, build_city, d

MONDAY = NOW.replace(day=16, hour=9)  # Monday 2026-03-16, after the 08:30 email hour
LAST_WEEK = periods.Period(d(3, 9), d(3, 15), periods.WEEK)


@pytest.fixture
def city(cast):
    with time_machine.travel(NOW, tick=False):
        yield build_city(cast)


@pytest.fixture
def eager():
    """Tasks run in the test's process (the broker is the outside world)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def wants(user, frequency, *zones):
    pref, _ = NotificationPreference.objects.get_or_create(user=user)
    pref.digest_frequency = frequency
    pref.save()
    pref.digest_zones.set(zones)
    return pref


def test_the_weeks_figures(cast, city):
    with time_machine.travel(MONDAY, tick=False):
        content = digest_content(cast.county_manager, Filters(), LAST_WEEK, timezone.localdate())
    totals = {key: (t["value"], t["previous"], t["arrow"]) for key, t in content["totals"].items()}
    assert totals == {
        "new_leads": (0, 1, "▼"),
        "moves": (4, 1, "▲"),
        "intentions": (1, 1, "="),
        "intention_amount": (10 * YI, 240 * YI, "▼"),
        "contracts": (2, 0, "▲"),
        "contract_amount": (206 * YI, 0, "▲"),
        "lost": (0, 1, "▼"),
    }
    # stage moves, most valuable project first: A1 200 亿, A2 10 亿, A3 6 亿, A6 0.5 亿
    assert [m["title"] for m in content["moves"]] == ["A1 芯片封装", "A2 供应链平台", "A3 LED驱动", "A6 回退项目"]
    assert [(c["title"], c["amount"]) for c in content["contracts"]] == [
        ("A1 芯片封装", 200 * YI),
        ("A3 LED驱动", 6 * YI),
    ]
    assert [(i["title"], i["amount"]) for i in content["intentions"]] == [("A2 供应链平台", 10 * YI)]
    assert content["overdue_orgs"] == [{"organization": cast.committee_a.name, "n": 1, "oldest": d(3, 10)}]
    assert content["has_news"]


def test_projects_lost_and_why(cast, city):
    march = periods.Period(d(3, 1), d(3, 31), periods.MONTH)
    content = digest_content(cast.county_manager, Filters(), march, d(3, 18))
    assert [(line["title"], str(line["reason"]), line["note"]) for line in content["lost"]] == [
        ("A5 流失项目", "落户其他地区", "落户邻市")
    ]


def test_the_weekly_email_in_chinese(cast, city, eager, django_capture_on_commit_callbacks):
    wants(cast.county_manager, "weekly")
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert digests.digest_sweep() == 1
    (email,) = mail.outbox
    assert email.to == ["county_manager@example.cn"]
    assert email.subject.startswith("招商周报 2026-03-09 至 2026-03-15")
    body = email.body
    assert "- 新增线索: 0 ▼ (上期 1)" in body
    assert "- 阶段推进: 4 ▲ (上期 1)" in body
    assert "- 签订意向: 1 = · 10 亿元 ▼ (上期 1 · 240 亿元)" in body
    assert "- 签订合同: 2 ▲ · 206 亿元 ▲ (上期 0 · 0 亿元)" in body
    assert "- 终止项目: 0 ▼ (上期 1)" in body
    assert "- 200 亿元 · A1 芯片封装" in body
    moves = body.split("== 阶段推进（按项目金额从大到小） ==")[1]
    assert (
        moves.index("A1 芯片封装")
        < moves.index("A2 供应链平台")
        < moves.index("A3 LED驱动")
        < moves.index("A6 回退项目")
    )
    assert "A1 芯片封装 · 清河经开区: 签订意向协议 → 签订正式合同 · 200 亿元" in moves
    assert "- 清河经开区管委会: 1 (最早应跟进 2026-03-10)" in body
    assert "/dashboard/?period=custom&start=2026-03-09&end=2026-03-15" in body
    for outsider in ("B1 云山意向", "B2 云山合同", cast.committee_b.name):
        assert outsider not in body
    html = email.alternatives[0][0]
    assert "206 亿元" in html and "A1 芯片封装" in html


def test_the_digest_is_sent_once_when_the_task_runs_twice(cast, city, eager, django_capture_on_commit_callbacks):
    wants(cast.county_manager, "weekly")
    user_id = cast.county_manager.pk
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = build_digest.apply(args=[user_id, "weekly", "2026-03-09", "2026-03-15"]).get()
        second = build_digest.apply(args=[user_id, "weekly", "2026-03-09", "2026-03-15"]).get()
    assert (first, second) == (True, False)
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == [f"digest:{user_id}:2026-W11"]
    sender.outbox_send_due()
    assert len(mail.outbox) == 1


def test_sweeps_run_twice_send_each_digest_once(cast, city, eager, django_capture_on_commit_callbacks):
    wants(cast.county_manager, "weekly")
    wants(cast.city_manager, "daily")
    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            # two sweeps before any build task has run: both enqueue, the outbox key keeps one
            assert digests.digest_sweep() == 2
            assert digests.digest_sweep() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert digests.digest_sweep() == 0
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == sorted(
        [f"digest:{cast.county_manager.pk}:2026-W11", f"digest:{cast.city_manager.pk}:2026-03-15"]
    )
    assert len(mail.outbox) == 2


def test_nothing_before_the_email_hour_and_weekly_only_on_monday(cast, city):
    wants(cast.county_manager, "weekly")
    wants(cast.city_manager, "daily")
    with time_machine.travel(MONDAY.replace(hour=8, minute=0), tick=False):
        assert digests.due_digests(timezone.now()) == []
    tuesday = MONDAY.replace(day=17)
    with time_machine.travel(tuesday, tick=False):
        due = digests.due_digests(timezone.now())
    assert due == [(cast.city_manager.pk, "daily", periods.Period(d(3, 16), d(3, 16), "day"))]


def test_officers_and_people_without_a_digest_get_none(cast, city):
    wants(cast.officer, "daily")
    wants(cast.lead, "none")
    with time_machine.travel(MONDAY, tick=False):
        assert digests.due_digests(timezone.now()) == []


def test_nothing_happened_gives_a_one_line_digest(cast, city, eager, django_capture_on_commit_callbacks):
    wants(cast.county_manager, "daily")
    quiet = MONDAY.replace(day=14)  # Saturday 03-14: reports Friday 03-13, when nothing happened
    with time_machine.travel(quiet, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert digests.digest_sweep() == 1
    (email,) = mail.outbox
    assert "无变化" in email.subject
    first_line, *rest = email.body.strip().splitlines()
    assert first_line.startswith("2026-03-13 至 2026-03-13，您关注的开发区没有新变化。 http")
    # the rest is the footer: the settings and unsubscribe links
    assert [line for line in rest if line.strip() and line != "--" and "http" not in line] == []


def test_digest_zones_narrow_a_city_managers_digest(cast, city):
    wants(cast.city_manager, "weekly", cast.zone_b)
    with time_machine.travel(MONDAY, tick=False):
        digests.digest_build(user_id=cast.city_manager.pk, frequency="weekly", start=d(3, 9), end=d(3, 15))
    message = OutboxMessage.objects.get()
    # zone_b had nothing in the week of 03-09 (B1 and B2 signed the week before)
    assert "没有新变化" in message.body_text
    assert "A1 芯片封装" not in message.body_text
    assert f"zone={cast.zone_b.pk}" in message.body_text


def test_the_digest_is_in_english_when_the_manager_asks(cast, city):
    pref = wants(cast.county_manager, "weekly")
    pref.language = "en"
    pref.save()
    with time_machine.travel(MONDAY, tick=False):
        digests.digest_build(user_id=cast.county_manager.pk, frequency="weekly", start=d(3, 9), end=d(3, 15))
    message = OutboxMessage.objects.get()
    assert message.subject.startswith("Weekly digest 2026-03-09 – 2026-03-15")
    assert "- Contracts signed: 2 ▲ · 206 亿元 ▲ (previous period 0 · 0 亿元)" in message.body_text


def test_week_labels_follow_iso_weeks():
    assert digests.period_label("weekly", periods.Period(d(3, 9), d(3, 15), periods.WEEK)) == "2026-W11"
    assert digests.digest_period("weekly", d(3, 16)) == LAST_WEEK
    assert digests.digest_period("daily", d(3, 16)) == periods.Period(d(3, 15), d(3, 15), "day")
    assert SHANGHAI.key == "Asia/Shanghai"
