"""Confidential deals in the pipeline's pages: the list, its search, the board, the ledger export
(XLSX and CSV), duplicate warnings, the project page and My work never show a confidential
project's real name or investor to someone outside its organisation and need-to-know list."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from operators.models import Role
from projects.models import ConfidentialAccess, PossibleDuplicate, Stage
from projects.pipeline.need_to_know import project_set_confidentiality

from .confidential_checks import assert_no_confidential_leak
from .delivery_helpers import CREDIT_CODES, project_at
from .factories import InvestorFactory, MembershipFactory, UserFactory

CODENAME = "北极星"
# Outside the owning organisation and not on the need-to-know list, but able to see the project.
OUTSIDE = ["operator", "county_manager", "city_manager"]


@pytest.fixture
def secret(cast):
    return project_at(
        Stage.REGISTERED,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=cast.officer,
        title="宁德时代储能电池基地",
        investor=InvestorFactory(name="宁德时代新能源科技股份有限公司", credit_code=CREDIT_CODES[0]),
        registered_company="清河时代储能科技有限公司",
        registered_credit_code=CREDIT_CODES[2],
        is_confidential=True,
        codename=CODENAME,
        next_follow_up_on=timezone.localdate() - datetime.timedelta(days=1),
    )


def _get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("who", OUTSIDE)
@pytest.mark.parametrize(
    "url",
    ["/projects/", "/projects/?sort=investor", "/projects/?q=北极", "/projects/board/", "/projects/?stage=registered"],
)
def test_the_list_and_the_board_show_the_codename_only(client, cast, secret, who, url):
    client.force_login(getattr(cast, who))
    body = _get(client, url).content
    assert_no_confidential_leak(body, secret)
    assert CODENAME in body.decode()


@pytest.mark.parametrize("who", OUTSIDE)
def test_search_by_a_real_name_finds_nothing(client, cast, secret, who):
    client.force_login(getattr(cast, who))
    for text in ("宁德", "储能电池", "新能源科技"):
        response = _get(client, "/projects/?q=" + text)
        assert_no_confidential_leak(response.content, secret)
        assert CODENAME not in response.content.decode()
    # The owning organisation finds it by its real name.
    client.force_login(cast.teammate)
    assert secret.title in _get(client, "/projects/?q=宁德").content.decode()


def _sheet_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)


@pytest.mark.parametrize("who", OUTSIDE)
def test_the_ledger_export_shows_the_codename_only(client, cast, secret, who):
    client.force_login(getattr(cast, who))
    csv = _get(client, "/projects/export.csv").content.decode("utf-8-sig")
    xlsx = _sheet_text(_get(client, "/projects/export.xlsx").content)
    for text in (csv, xlsx):
        assert_no_confidential_leak(text, secret)
        assert CODENAME in text
    # Searching the export by a real name finds nothing either.
    assert CODENAME not in _sheet_text(_get(client, "/projects/export.xlsx?q=宁德").content)
    # The check can fail: the owning organisation's export has the real names.
    client.force_login(cast.officer)
    assert secret.title in _sheet_text(_get(client, "/projects/export.xlsx").content)


@pytest.mark.parametrize("who", OUTSIDE)
def test_the_project_page_shows_the_codename_only_and_is_logged(client, cast, secret, who):
    client.force_login(getattr(cast, who))
    body = _get(client, reverse("projects:detail", args=[secret.pk])).content
    assert_no_confidential_leak(body, secret)
    assert CODENAME in body.decode()
    assert list(ConfidentialAccess.objects.values_list("user__username", "attachment")) == [(who, None)]


def test_need_to_know_sees_the_names_in_list_board_and_export(client, cast, secret):
    project_set_confidentiality(
        project=secret, user=cast.officer, is_confidential=True, codename=CODENAME, need_to_know=[cast.city_manager]
    )
    client.force_login(cast.city_manager)
    for url in ("/projects/", "/projects/board/", "/projects/?q=宁德"):
        assert secret.title in _get(client, url).content.decode(), url
    assert secret.title in _sheet_text(_get(client, "/projects/export.xlsx").content)
    client.force_login(cast.county_manager)
    assert_no_confidential_leak(_get(client, "/projects/").content, secret)


@pytest.fixture
def bureau_officer(cast):
    user = UserFactory(username="bureau_officer")
    MembershipFactory(user=user, organization=cast.bureau_a, role=Role.OFFICER)
    return user


@pytest.mark.parametrize("who", ["bureau_officer", "county_manager", "city_manager"])
@pytest.mark.parametrize(
    "query",
    [
        {"investor_name": "宁德时代新能源科技有限公司"},  # a similar name
        {"investor_name": "", "investor_credit_code": CREDIT_CODES[0]},  # the same credit code
    ],
)
def test_duplicate_warnings_show_the_codename_or_nothing(client, cast, secret, bureau_officer, who, query):
    user = bureau_officer if who == "bureau_officer" else getattr(cast, who)
    client.force_login(user)
    response = _get(client, reverse("projects:duplicate_check"), data=query)
    assert response.context["matches"], "the duplicate finder should have found the secret project"
    assert_no_confidential_leak(response.content, secret)


def test_the_possible_duplicate_card_shows_the_codename_only(client, cast, secret, bureau_officer):
    rival = project_at(Stage.CONTACTED, organization=cast.bureau_a, zone=cast.zone_a, owner=bureau_officer)
    PossibleDuplicate.objects.create(project=rival, other=secret, matched_by="name", score=91)
    for user in (bureau_officer, cast.county_manager):
        client.force_login(user)
        body = _get(client, reverse("projects:detail", args=[rival.pk])).content
        assert_no_confidential_leak(body, secret)
        assert (
            "Possible duplicates"
            in _get(client, reverse("projects:detail", args=[rival.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )


def test_my_work_shows_the_codename_to_an_owner_who_left_the_organisation(client, cast, secret):
    """An officer who moved to the county bureau as a manager still owns (and logged) the deal
    until a team lead reassigns it: their My work lists it, by its codename."""
    moved = UserFactory(username="moved")
    MembershipFactory(user=moved, organization=cast.bureau_a, role=Role.MANAGER)
    type(secret).objects.filter(pk=secret.pk).update(owner=moved, created_by=moved)
    client.force_login(moved)
    response = _get(client, "/")
    assert [p.pk for p in response.context["overdue"]] == [secret.pk]
    assert [p.pk for p in response.context["logged_this_week"]] == [secret.pk]
    assert_no_confidential_leak(response.content, secret)
    assert response.content.decode().count(CODENAME) == 2


@pytest.mark.parametrize("who", OUTSIDE)
def test_my_work_of_people_outside_never_names_it(client, cast, secret, who):
    client.force_login(getattr(cast, who))
    assert_no_confidential_leak(_get(client, "/").content, secret)
