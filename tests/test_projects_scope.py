"""An officer never sees another organisation's projects: list, export, board, search, pages."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.factories import ProjectFactory


@pytest.fixture
def two_orgs(cast):
    mine = ProjectFactory(title="清河芯片封测项目", organization=cast.committee_a, owner=cast.officer)
    theirs = ProjectFactory(title="云山动力电池项目", organization=cast.committee_b, owner=cast.outsider)
    secret = ProjectFactory(
        title="云山保密整车项目",
        organization=cast.committee_b,
        owner=cast.outsider,
        is_confidential=True,
        codename="X-7",
    )
    return mine, theirs, secret


def text_of(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("url", ["/projects/", "/projects/board/", "/projects/export.xlsx", "/projects/export.csv"])
def test_an_officer_sees_only_own_organisation(client, cast, two_orgs, url):
    client.force_login(cast.officer)
    body = text_of(client.get(url))
    assert "清河芯片封测项目" in body
    assert "云山动力电池项目" not in body
    assert "云山保密整车项目" not in body
    assert "X-7" not in body


@pytest.mark.parametrize("url", ["/projects/?q=项目", "/projects/board/?q=项目", "/projects/export.csv?q=项目"])
def test_search_finds_nothing_outside_scope(client, cast, two_orgs, url):
    client.force_login(cast.officer)
    body = text_of(client.get(url))
    assert "清河芯片封测项目" in body
    assert "云山动力电池项目" not in body
    assert "云山保密整车项目" not in body


def test_outsiders_get_404_on_the_project_page_and_its_actions(client, cast, two_orgs):
    _mine, theirs, _secret = two_orgs
    client.force_login(cast.officer)
    assert client.get(f"/projects/{theirs.pk}/").status_code == 404
    assert client.post(f"/projects/{theirs.pk}/follow-ups/", {}).status_code == 404
    assert client.post(f"/projects/{theirs.pk}/move/", {}).status_code == 404


def test_a_zone_operator_sees_the_zone_but_not_confidential_names(client, cast):
    secret = ProjectFactory(
        title="清河保密芯片项目",
        organization=cast.bureau_a,
        zone=cast.zone_a,
        owner=cast.officer,
        is_confidential=True,
        codename="代号青松",
    )
    client.force_login(cast.operator)
    for url in ["/projects/", "/projects/board/", "/projects/export.csv", f"/projects/{secret.pk}/"]:
        body = text_of(client.get(url))
        assert "代号青松" in body, url
        assert "清河保密芯片项目" not in body, url
        assert secret.investor.name not in body, url
    # Searching by the real name finds nothing; by the codename it is found.
    assert "代号青松" not in text_of(client.get("/projects/?q=清河保密"))
    assert "代号青松" in text_of(client.get("/projects/?q=青松"))


def test_filter_dropdowns_do_not_list_other_zones_or_people(client, cast, two_orgs):
    client.force_login(cast.officer)
    body = client.get("/projects/").content.decode()
    assert "云山高新技术产业开发区" not in body
    assert cast.outsider.first_name not in body


def test_the_city_manager_sees_all(client, cast, two_orgs):
    client.force_login(cast.city_manager)
    body = text_of(client.get("/projects/export.csv"))
    assert "清河芯片封测项目" in body and "云山动力电池项目" in body
    assert "云山保密整车项目" not in body and "X-7" in body


def test_someone_without_organisation_sees_nothing(client, cast, two_orgs):
    client.force_login(cast.nobody)
    rows = list(csv.reader(io.StringIO(text_of(client.get("/projects/export.csv")))))
    assert len(rows) == 1  # the headings
    assert client.get("/projects/new/").status_code == 404
