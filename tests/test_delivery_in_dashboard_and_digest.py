"""The 三未 lists one click from the dashboard (a card with the three counts, filtered by the
dashboard's zone) and in the managers' weekly digest."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine

from operators.models import NotificationPreference
from projects.delivery.models import FundsTranche, MilestoneKind
from projects.models import Milestone, Stage
from tasks import digests
from tasks.models import OutboxMessage

from .delivery_fixtures import signed_project
from .delivery_helpers import pdf
from .metrics_data import SHANGHAI

NOW = datetime.datetime(2026, 6, 30, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
MONDAY = datetime.datetime(2026, 6, 29, 9, 0, tzinfo=SHANGHAI)
d = datetime.date


def plan(project, kind, planned=None, actual=None):
    Milestone.objects.update_or_create(
        project=project, kind=kind, defaults={"planned_on": planned, "actual_on": actual}
    )


@pytest.fixture
def delivery(cast):
    with time_machine.travel(NOW, tick=False):
        late = signed_project(cast, title="迟迟未开工")
        plan(late, MilestoneKind.CONSTRUCTION, d(2026, 5, 1))
        also_late = signed_project(cast, title="也未开工")
        building = signed_project(
            cast, title="在建未竣工", stage=Stage.UNDER_CONSTRUCTION, construction_started_on=d(2026, 3, 1)
        )
        completed = signed_project(cast, title="竣工未投产")
        plan(completed, MilestoneKind.CONSTRUCTION, d(2026, 2, 1), d(2026, 2, 10))
        plan(completed, MilestoneKind.COMPLETION, d(2026, 5, 1), d(2026, 5, 1))
        yunshan = signed_project(
            cast,
            title="云山未开工",
            organization=cast.committee_b,
            zone=cast.zone_b,
            owner=cast.outsider,
            operating_company=None,
            service_contact=None,
        )
        yield {"late": late, "also_late": also_late, "building": building, "completed": completed, "b": yunshan}


def counts(page: str) -> dict:
    return {
        key: int(re.search(rf'id="not-yet-{key}".*?kpi-value[^>]*>(\d+)<', page, re.S).group(1))
        for key in ("not_started", "not_built", "not_producing")
    }


def test_the_dashboard_shows_the_three_counts_and_links_to_the_overview(client, cast, delivery):
    client.force_login(cast.city_manager)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/").content.decode()
        assert counts(page) == {"not_started": 3, "not_built": 1, "not_producing": 1}
        assert 'href="/delivery/#not_started"' in page
        overview = client.get("/delivery/").content.decode()
    # one click: the overview lists what the card counts
    assert re.search(r'data-testid="count-not_started">3<', overview)
    for title in ("迟迟未开工", "也未开工", "在建未竣工", "竣工未投产", "云山未开工"):
        assert title in overview


def test_the_card_follows_the_dashboards_zone(client, cast, delivery):
    client.force_login(cast.city_manager)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/", {"period": "month", "zone": cast.zone_b.pk}).content.decode()
        assert counts(page) == {"not_started": 1, "not_built": 0, "not_producing": 0}
        url = f"/delivery/?zone={cast.zone_b.pk}"
        assert f'href="{url}"' in page and f'href="{url}#not_started"' in page
        overview = client.get(url).content.decode()
    assert re.search(r'data-testid="count-not_started">1<', overview)
    assert "云山未开工" in overview and "迟迟未开工" not in overview


def test_a_county_manager_counts_only_the_county(client, cast, delivery):
    client.force_login(cast.county_manager)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/").content.decode()
    assert counts(page) == {"not_started": 2, "not_built": 1, "not_producing": 1}
    assert "云山未开工" not in page


def wants(user, frequency, *zones):
    pref, _ = NotificationPreference.objects.get_or_create(user=user)
    pref.digest_frequency = frequency
    pref.save()
    pref.digest_zones.set(zones)


def test_the_weekly_digest_carries_the_three_not_yets_and_the_weeks_delivery(cast, delivery, media):
    wants(cast.county_manager, "weekly", cast.zone_a)
    # a tranche recorded in the week of 06-22 (the digest's week), another after it
    with time_machine.travel(datetime.datetime(2026, 6, 24, 15, 0, tzinfo=SHANGHAI), tick=False):
        from projects.delivery.services import tranche_record

        tranche_record(
            project=delivery["building"],
            user=cast.operator,
            received_on=d(2026, 6, 24),
            amount=Decimal("30000000"),
            kind=FundsTranche.Kind.REGISTERED_CAPITAL,
            evidence=pdf("凭证.pdf"),
            evidence_kind="voucher",
        )
    with time_machine.travel(MONDAY, tick=False):
        assert digests.digest_build(
            user_id=cast.county_manager.pk, frequency="weekly", start=d(2026, 6, 22), end=d(2026, 6, 28)
        )
    message = OutboxMessage.objects.get()
    for body in (message.body_text, message.body_html):
        assert "三未：签约未开工 2 个 · 开工未竣工 1 个 · 竣工未投产 1 个" in body, body
        assert "在建未竣工" in body and "3,000" in body  # 3000 万元 received
        assert f"/delivery/?zone={cast.zone_a.pk}" in body
        assert "云山未开工" not in body


def test_a_quiet_week_still_reports_the_three_not_yets(cast, delivery):
    wants(cast.city_manager, "weekly")
    with time_machine.travel(MONDAY, tick=False):
        digests.digest_build(user_id=cast.city_manager.pk, frequency="weekly", start=d(2026, 6, 22), end=d(2026, 6, 28))
    body = OutboxMessage.objects.get().body_text
    assert "没有新变化" in body
    assert "三未：签约未开工 3 个 · 开工未竣工 1 个 · 竣工未投产 1 个" in body, body
    assert "/delivery/" in body


def test_a_quiet_day_stays_one_line(cast, delivery):
    wants(cast.city_manager, "daily")
    with time_machine.travel(MONDAY, tick=False):
        digests.digest_build(user_id=cast.city_manager.pk, frequency="daily", start=d(2026, 6, 28), end=d(2026, 6, 28))
    body = OutboxMessage.objects.get().body_text
    assert "没有新变化" in body and "三未" not in body
