"""Every figure of the dashboard links to the project list; the list behind a link shows exactly as
many projects as the figure says (the known data set of tests/metrics_data.py, March 2026)."""

import pytest
import time_machine

from projects.models import Stage

from .metrics_data import NOW, build_city


@pytest.fixture
def city(cast):
    with time_machine.travel(NOW, tick=False):
        yield build_city(cast)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get("/dashboard/", {"period": "month", **params})
    assert response.status_code == 200
    return response.context


def listed(client, url) -> list[str]:
    """The projects the list shows for a link (one page is enough for this data set)."""
    assert url.startswith("/projects/?")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].form.errors
    return sorted(row.record.title for row in response.context["table"].page.object_list)


def test_a_funnel_stage_lists_the_projects_that_reached_it(client, cast, city, frozen):
    context = dashboard(client, cast.city_manager)
    rows = {row["stage"]: row for row in context["funnel"]}
    contract = rows[Stage.CONTRACT_SIGNED]
    assert contract["reached"] == 3
    assert listed(client, contract["url"]) == ["A1 芯片封装", "A3 LED驱动", "B2 云山合同"]
    # the lost project counts at the stage it reached
    assert "A5 流失项目" in listed(client, rows[Stage.NEGOTIATING]["url"])
    for row in context["funnel"]:
        assert len(listed(client, row["url"])) == row["reached"], row["stage"]
        assert len(listed(client, row["at_url"])) == row["at"], row["stage"]


def test_a_rates_numerator_and_cohort_list_their_projects(client, cast, city, frozen):
    context = dashboard(client, cast.county_manager)
    (zone_a,) = context["rates"]["rows"]
    assert (zone_a["intention_contract_converted"], zone_a["intention_contract_n"]) == (1, 2)
    assert listed(client, zone_a["intention_contract_converted_url"]) == ["A1 芯片封装"]
    assert listed(client, zone_a["intention_contract_url"]) == ["A1 芯片封装", "A2 供应链平台"]
    for row in [*context["rates"]["rows"], context["rates"]["total"]]:
        for key in ("intention_contract", "contract_construction", "construction_production"):
            assert len(listed(client, row[f"{key}_converted_url"])) == row[f"{key}_converted"], key
            assert len(listed(client, row[f"{key}_url"])) == row[f"{key}_n"], key


def test_an_officers_overdue_count_lists_the_overdue_projects(client, cast, city, frozen):
    context = dashboard(client, cast.city_manager)
    by_owner = {row["owner"]: row for row in context["overdue_owners"]}
    assert by_owner[cast.officer.pk]["n"] == 1
    assert listed(client, by_owner[cast.officer.pk]["url"]) == ["A4 新线索"]
    for row in context["overdue_owners"] + context["overdue_orgs"]:
        assert len(listed(client, row["url"])) == row["n"]
    officer_row = next(r for r in context["officers"] if r["user_id"] == cast.officer.pk)
    assert listed(client, officer_row["overdue_url"]) == ["A4 新线索"]


def test_a_chain_link_lists_its_open_projects(client, cast, city, frozen):
    context = dashboard(client, cast.city_manager)
    (chain,) = context["chains"]
    links = {row["link"]: row for row in chain["links"]}
    assert links[city.packaging]["n"] == 1
    assert listed(client, links[city.packaging]["url"]) == ["A1 芯片封装"]
    assert listed(client, links[city.design]["url"]) == []  # a gap to fill
    assert len(listed(client, chain["url"])) == chain["n"] == 2


def test_links_keep_the_dashboards_zone(client, cast, city, frozen):
    context = dashboard(client, cast.city_manager, zone=cast.zone_b.pk)
    rows = {row["stage"]: row for row in context["funnel"]}
    assert listed(client, rows[Stage.INTENTION_SIGNED]["url"]) == ["B1 云山意向", "B2 云山合同"]
    kpis = {k["key"]: k for k in context["kpis"]}
    assert len(listed(client, kpis["contracts"]["url"])) == kpis["contracts"]["value"] == 1


def test_stage_and_status_take_several_values(client, cast, city, frozen):
    client.force_login(cast.city_manager)
    assert listed(client, "/projects/?stage=lead&stage=negotiating") == ["A4 新线索", "A5 流失项目", "A6 回退项目"]
    assert listed(client, "/projects/?status=lost&status=on_hold") == ["A5 流失项目"]
    page = client.get("/projects/?stage=lead&stage=negotiating").content.decode()
    assert 'name="stage" multiple' in page or "multiple" in page.split('name="stage"')[1].split(">")[0]


def test_the_list_says_what_hidden_filters_narrow_it(client, cast, city, frozen):
    client.force_login(cast.city_manager)
    page = client.get(f"/projects/?reached=contract_signed&open=1&chain_link={city.packaging.pk}").content.decode()
    assert 'id="hidden-filters"' in page
    assert 'type="hidden" name="reached" value="contract_signed"' in page


def test_the_organization_filter_is_scoped(client, cast, city, frozen):
    client.force_login(cast.county_manager)
    response = client.get(f"/projects/?organization={cast.committee_b.pk}")
    assert not response.context["filter"].is_valid()
    assert list(response.context["table"].page.object_list) == []
    assert "B1 云山意向" not in response.content.decode()
