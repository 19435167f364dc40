"""The dashboard page and its Excel ledger: who may open them, what they show, what they cost."""

import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import FollowUp, PossibleDuplicate, Stage, StageChange, Status

from .factories import FollowUpFactory, ProjectFactory, UserFactory
from .metrics_data import NOW, YI, at, build_city, d

URL = "/dashboard/"


@pytest.fixture
def city(cast):
    with time_machine.travel(NOW, tick=False):
        yield build_city(cast)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def get(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="zh-hans")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_it_shows_a_county_managers_figures(client, cast, city, frozen):
    page = text(get(client, cast.county_manager, period="month"))
    assert "2026-03-01 – 2026-03-31" in page
    # KPI cards: March against February
    assert re.search(r'id="kpi-intentions".*?>2<.*?250 亿元 <span class="trend trend-good"[^>]*>▲', page)
    assert re.search(r'id="kpi-new_leads".*?>1<.*?trend-bad">▼', page)
    # the rates of 清河经开区: 1/2 → 50%, 1/2 → 50%, 0/1 → 0%, 53/206 亿 → 25.7%
    assert "25.7%" in page
    assert "53 亿元/206 亿元" in page
    # the 240 亿元 intention leads the signed list
    assert re.search(r'id="table-signed-intention".*?A1 芯片封装.*?240 亿元.*?A2 供应链平台.*?10 亿元', page)


def test_it_never_shows_another_countys_projects(client, cast, city, frozen):
    page = text(get(client, cast.county_manager, period="year"))
    assert "A1 芯片封装" in page
    for name in ("B1 云山意向", "B2 云山合同", cast.zone_b.short_name, cast.committee_b.name, "outsider"):
        assert name not in page


def test_city_manager_sees_both_counties(client, cast, city, frozen):
    page = text(get(client, cast.city_manager, period="month"))
    assert "B1 云山意向" in page
    assert cast.zone_b.short_name in page
    # total funds in place: 53 / 214 亿
    assert "24.8%" in page


def test_zone_filter_out_of_scope_is_refused(client, cast, city, frozen):
    response = get(client, cast.county_manager, zone=cast.zone_b.pk)
    assert response.status_code == 200
    page = text(response)
    assert "B1 云山意向" not in page
    assert 'class="invalid-feedback"' in page


def test_zone_filter_narrows_the_figures(client, cast, city, frozen):
    page = text(get(client, cast.city_manager, period="month", zone=cast.zone_b.pk))
    assert "B1 云山意向" in page
    assert "A1 芯片封装" not in page


def test_custom_period_needs_both_days_in_order(client, cast, frozen):
    page = text(get(client, cast.city_manager, period="custom", start="2026-03-10", end="2026-03-01"))
    assert 'class="invalid-feedback"' in page
    assert 'id="funnel"' not in page
    page = text(get(client, cast.city_manager, period="custom", start="2026-03-01", end="2026-03-10"))
    assert "2026-03-01 – 2026-03-10" in page


@pytest.mark.parametrize("who", ["officer", "operator", "nobody"])
def test_it_is_not_found_for_people_who_do_not_manage(client, cast, who):
    assert get(client, getattr(cast, who)).status_code == 404
    assert get(client, getattr(cast, who), "/dashboard/ledger.xlsx").status_code == 404


def test_it_asks_anonymous_users_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_rejects_post(client, cast):
    client.force_login(cast.city_manager)
    assert client.post(URL).status_code == 405


def test_team_lead_sees_the_organisations_figures(client, cast, city, frozen):
    page = text(get(client, cast.lead, period="month"))
    assert "A1 芯片封装" in page
    assert "B1 云山意向" not in page


def test_figures_link_to_the_projects_behind_them(client, cast, city, frozen):
    page = get(client, cast.county_manager, period="month").content.decode()
    assert "/projects/?intention_signed_after=2026-03-01&amp;intention_signed_before=2026-03-31" in page
    assert f"/projects/?owner={cast.officer.pk}&amp;overdue=1" in page
    assert "reached=contract_signed" in page


def test_the_menu_offers_the_dashboard_to_managers_only(client, cast):
    client.force_login(cast.county_manager)
    assert 'href="/dashboard/"' in client.get("/").content.decode()
    client.force_login(cast.officer)
    assert 'href="/dashboard/"' not in client.get("/").content.decode()


def _more_projects(cast, count: int) -> None:
    """Projects of every kind the dashboard counts: new, moved, signed, overdue, duplicates."""
    owners = [UserFactory() for _ in range(3)]
    previous = None
    for i in range(count):
        p = ProjectFactory(
            organization=cast.committee_a if i % 2 else cast.committee_b,
            zone=cast.zone_a if i % 2 else cast.zone_b,
            owner=owners[i % 3],
            stage=Stage.CONTRACT_SIGNED,
            intention_signed_on=d(3, 2),
            intention_amount=YI,
            contract_signed_on=d(3, 3),
            contract_amount=YI,
            next_follow_up_on=d(3, 1),
            status=Status.ACTIVE,
        )
        StageChange.objects.create(
            project=p, from_stage="lead", to_stage="contract_signed", changed_at=at(3, 3), changed_by=p.owner
        )
        FollowUpFactory(project=p, kind=FollowUp.Kind.VISIT)
        if previous is not None and i % 4 == 0:
            PossibleDuplicate.objects.create(
                project=p, other=previous, matched_by="name", decision="same_project", kept=previous, credit="shared"
            )
        previous = p


def _count_queries(client, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"period": "month"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_projects(client, cast, city, frozen):
    client.force_login(cast.city_manager)
    _count_queries(client, cast.city_manager)  # warm the session and caches
    few = _count_queries(client, cast.city_manager)
    _more_projects(cast, 40)
    many = _count_queries(client, cast.city_manager)
    assert many == few
    assert few <= 40


def test_ledger_export_is_an_excel_sheet_of_the_scope(client, cast, city, frozen):
    response = get(client, cast.county_manager, "/dashboard/ledger.xlsx", period="month")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("项目编号", "项目名称", "投资方")
    assert headers[-1] == "本期情况"
    titles = [r[1] for r in rows[1:]]
    assert sorted(titles) == sorted(
        ["A1 芯片封装", "A2 供应链平台", "A3 LED驱动", "A4 新线索", "A5 流失项目", "A6 回退项目"]
    )
    a1 = dict(zip(headers, rows[1 + titles.index("A1 芯片封装")], strict=True))
    assert a1["合同金额（万元）"] == 2_000_000
    assert a1["本期情况"] == "本期推进、本期签约"


@pytest.mark.parametrize(
    ("language", "disposition"),
    [
        ("zh-hans", "attachment; filename*=utf-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6-20260301-20260331.xlsx"),
        ("en", 'attachment; filename="ledger-20260301-20260331.xlsx"'),
    ],
)
def test_the_ledger_file_is_named_like_every_other_download(client, cast, frozen, language, disposition):
    """One way to name a saved file (projects.core.downloads, Django's own for FileResponse): a
    Chinese name percent-encoded, a plain ASCII name quoted as it is."""
    client.force_login(cast.county_manager)
    response = client.get("/dashboard/ledger.xlsx", {"period": "month"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response["Content-Disposition"] == disposition


def test_ledger_export_refuses_a_bad_period(client, cast, frozen):
    response = get(client, cast.city_manager, "/dashboard/ledger.xlsx", period="custom", start="2026-03-10")
    assert response.status_code == 400
    assert "custom period" in response.content.decode() or "自定义" in response.content.decode()
