"""What a confidential deal hides is one list (projects.core.confidential): every field of
CONFIDENTIAL_FIELDS and of CONFIDENTIAL_FOLLOW_UP_FIELDS, filled with a value of its own, appears
on none of the pages, exports, emails and API answers a reader outside the need-to-know list gets,
and appears to the owning organisation. Sorting by title sorts a deal by the name its reader sees."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from operators.models import NotificationPreference
from projects.core.confidential import CONFIDENTIAL_FIELDS, CONFIDENTIAL_FOLLOW_UP_FIELDS
from projects.models import Investor, LostReason, Project, SourceMode, Stage, Status, SupervisionOrder
from projects.pipeline.need_to_know import project_set_confidentiality
from projects.pipeline.stages import project_set_status
from tasks import digests
from tasks.models import OutboxMessage
from tasks.sender import outbox_send_due
from tasks.supervision import on_hold_resume_sweep, supervision_escalation_sweep
from tasks.sweeps import reminders_sweep, stale_sweep

from .delivery_helpers import CREDIT_CODES, project_at
from .factories import FollowUpFactory, InvestorFactory
from .notify_helpers import SHANGHAI, at

CODENAME = "北极星代号"
# One value per listed field, found nowhere else. The investor's name stands for `investor`;
# its credit code and Top-500 flag are masked with it.
SECRETS = {name: f"秘{name}值" for name in CONFIDENTIAL_FIELDS | CONFIDENTIAL_FOLLOW_UP_FIELDS}
SECRETS["registered_credit_code"] = CREDIT_CODES[2]  # 18 characters, as the column allows
INVESTOR_CREDIT_CODE = CREDIT_CODES[0]
PROJECT_FIELDS = sorted(CONFIDENTIAL_FIELDS - {"investor"})
FOLLOW_UP_FIELDS = sorted(CONFIDENTIAL_FOLLOW_UP_FIELDS)
# Outside the owning organisation and not on the need-to-know list, but able to see the project.
OUTSIDE = ["operator", "county_manager"]


def every_secret() -> list[str]:
    return [*SECRETS.values(), INVESTOR_CREDIT_CODE]


def assert_hidden(text: str, where: str = "") -> None:
    leaked = [value for value in every_secret() if value in text]
    assert not leaked, f"{where}: hidden values shown: {leaked}"


def confidential_project(cast, *, owner=None, stage=Stage.REGISTERED, **extra) -> Project:
    """A confidential deal of committee A with every listed field filled, edited once after it was
    logged (so its history tells the values too), put on hold and resumed with the status reason
    (so its stage changes carry it), and a follow-up whose every listed field is filled."""
    project = project_at(
        stage,
        organization=cast.committee_a,
        zone=cast.zone_a,
        owner=owner or cast.officer,
        operating_company=cast.company_a,
        title=SECRETS["title"],
        investor=Investor.objects.filter(credit_code=INVESTOR_CREDIT_CODE).first()
        or InvestorFactory(name=SECRETS["investor"], credit_code=INVESTOR_CREDIT_CODE, is_top500=True),
        source_mode=SourceMode.FUND,
        is_confidential=True,
        codename=CODENAME,
        **extra,
    )
    for name in PROJECT_FIELDS:
        if name not in ("title", "status_note"):
            setattr(project, name, SECRETS[name])
    project._history_user = cast.officer
    project.save()
    for status in (Status.ON_HOLD, Status.ACTIVE):
        project.refresh_from_db()
        project_set_status(
            project=project,
            user=cast.officer,
            status=status,
            expected_version=project.version,
            note=SECRETS["status_note"],
        )
    project.refresh_from_db()
    FollowUpFactory(project=project, author=cast.officer, **{name: SECRETS[name] for name in FOLLOW_UP_FIELDS})
    return project


@pytest.fixture
def secret(cast):
    return confidential_project(cast)


def test_the_fixture_fills_every_listed_field(secret):
    follow_up = secret.follow_ups.get()
    assert {name: getattr(secret, name) for name in PROJECT_FIELDS} == {name: SECRETS[name] for name in PROJECT_FIELDS}
    assert secret.investor.name == SECRETS["investor"]
    assert {name: getattr(follow_up, name) for name in FOLLOW_UP_FIELDS} == {n: SECRETS[n] for n in FOLLOW_UP_FIELDS}


# -- pages ---------------------------------------------------------------------------------------


def _pages(cast, project, who) -> list[str]:
    urls = [
        reverse("projects:detail", args=[project.pk]),
        "/projects/",
        "/projects/?sort=title",
        "/projects/?sort=-title",
        "/projects/?sort=investor",
        "/projects/board/",
        reverse("projects:zone_projects", args=[cast.zone_a.pk]),
    ]
    if who == "operator":  # the forms an operator of the zone opens on the project
        urls += [
            reverse("projects:project_details", args=[project.pk]),
            reverse("projects:project_stage", args=[project.pk]),
        ]
    return urls


@pytest.mark.parametrize("who", OUTSIDE)
def test_no_page_shows_a_listed_field_outside_need_to_know(client, cast, secret, who):
    client.force_login(getattr(cast, who))
    for url in _pages(cast, secret, who):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert_hidden(body, url)
        assert CODENAME in body, url


def test_the_project_page_shows_every_field_to_the_owning_organisation(client, cast, secret):
    client.force_login(cast.teammate)
    body = client.get(reverse("projects:detail", args=[secret.pk])).content.decode()
    shown = ["title", "investor", "registered_company", "registered_credit_code", "status_note", "site_location"]
    shown += ["fund_name", "fund_manager", *FOLLOW_UP_FIELDS]  # a fund lead's details; the follow-up
    assert [name for name in shown if SECRETS[name] not in body] == []
    assert INVESTOR_CREDIT_CODE in body


def test_need_to_know_shows_every_field_on_the_project_page(client, cast, secret):
    project_set_confidentiality(
        project=secret, user=cast.officer, is_confidential=True, codename=CODENAME, need_to_know=[cast.county_manager]
    )
    client.force_login(cast.county_manager)
    body = client.get(reverse("projects:detail", args=[secret.pk])).content.decode()
    assert SECRETS["status_note"] in body and SECRETS["site_location"] in body and SECRETS["summary"] in body


def test_an_operator_saving_delivery_details_keeps_the_hidden_site(client, cast, secret):
    client.force_login(cast.operator)
    response = client.post(
        reverse("projects:project_details", args=[secret.pk]),
        {"version": secret.version, "site_area_mu": "120", "note": "补充用地面积"},
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.site_area_mu == 120 and secret.site_location == SECRETS["site_location"]


# -- exports -------------------------------------------------------------------------------------


def _export_cells(client, fmt: str) -> list[list[str]]:
    response = client.get(f"/projects/export.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("who", OUTSIDE)
def test_the_ledger_export_hides_every_listed_field(client, cast, secret, who, fmt):
    client.force_login(getattr(cast, who))
    headings, *rows = _export_cells(client, fmt)
    assert_hidden("\n".join("\t".join(row) for row in rows), fmt)
    [row] = rows
    assert row[headings.index("项目名称")] == CODENAME


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_ledger_export_has_every_field_for_the_owning_organisation(client, cast, secret, fmt):
    client.force_login(cast.officer)
    text = "\n".join("\t".join(row) for row in _export_cells(client, fmt))
    exported = ["title", "investor", "registered_company", "registered_credit_code", "referrer", "chain_leader"]
    exported += ["fund_name", "status_note", "site_location"]
    assert [name for name in exported if SECRETS[name] not in text] == []
    assert INVESTOR_CREDIT_CODE in text


# -- the API -------------------------------------------------------------------------------------


def _api_text(user, project) -> dict[str, str]:
    client = APIClient()
    client.force_authenticate(user)
    answers = {}
    for url in (
        "/api/v1/projects/",
        "/api/v1/projects/?ordering=title",
        f"/api/v1/projects/{project.pk}/",
        "/api/v1/follow-ups/",
        f"/api/v1/follow-ups/{project.follow_ups.get().pk}/",
        "/api/v1/stage-changes/",
        "/api/v1/investors/",
    ):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, url
        answers[url] = json.dumps(response.json(), ensure_ascii=False)
    return answers


@pytest.mark.parametrize("who", OUTSIDE)
def test_the_api_hides_every_listed_field(cast, secret, who):
    for url, text in _api_text(getattr(cast, who), secret).items():
        assert_hidden(text, url)


def test_the_api_shows_every_field_to_the_owning_organisation(cast, secret):
    text = "\n".join(_api_text(cast.officer, secret).values())
    assert [name for name in SECRETS if SECRETS[name] not in text] == []


# -- emails --------------------------------------------------------------------------------------


def _bodies(user) -> str:
    messages = OutboxMessage.objects.filter(user=user)
    return "\n".join(f"{m.subject}\n{m.body_text}\n{m.body_html}" for m in messages)


def _every_email(cast, *, owner, need_to_know=()) -> None:
    """A confidential deal owned by `owner` earns each email a reader outside the organisation
    can get: the daily reminder and the stale-lead nudge (its owner, who may have left the
    organisation after handing it over), the resume reminder (its owner), the supervision
    escalation (the leader and the issuing manager) and the managers' weekly digest. A second
    deal with the same values is lost in the digest's week, with the status reason."""
    pref, _created = NotificationPreference.objects.get_or_create(user=cast.county_manager)
    pref.digest_frequency = "weekly"
    pref.save()
    with at("2026-06-24"):
        lost = confidential_project(cast, stage=Stage.NEGOTIATING)
        project_set_status(
            project=lost,
            user=cast.officer,
            status=Status.LOST,
            expected_version=lost.version,
            note=SECRETS["status_note"],
            lost_reason=LostReason.values[0],
        )
        project = confidential_project(cast, owner=owner, stage=Stage.INTENTION_SIGNED)
        for p in (lost, project):
            project_set_confidentiality(
                project=p, user=cast.lead, is_confidential=True, codename=CODENAME, need_to_know=list(need_to_know)
            )
    project.refresh_from_db()
    project.next_follow_up_on = datetime.date(2026, 6, 29)
    project.save()
    Project.objects.filter(pk=project.pk).update(
        last_activity_at=datetime.datetime(2026, 5, 1, 10, tzinfo=SHANGHAI)  # idle beyond its stage's 45 days
    )
    SupervisionOrder.objects.create(
        project=project,
        instruction="六月底前完成供地",
        due_on=datetime.date(2026, 5, 1),
        assignee=cast.operator,
        issued_by=cast.city_manager,
        leader=cast.county_manager,
    )
    with at("2026-06-29"):
        assert reminders_sweep() and stale_sweep()
        digests.digest_build(
            user_id=cast.county_manager.pk,
            frequency="weekly",
            start=datetime.date(2026, 6, 22),
            end=datetime.date(2026, 6, 28),
        )
        outbox_send_due()
    with at("2026-06-30"):
        assert supervision_escalation_sweep(today=datetime.date(2026, 6, 30)) == 2
        Project.objects.filter(pk=project.pk).update(status=Status.ON_HOLD, on_hold_until=datetime.date(2026, 6, 30))
        assert on_hold_resume_sweep(today=datetime.date(2026, 6, 30)) == 1


def test_no_email_shows_a_listed_field_outside_need_to_know(cast):
    _every_email(cast, owner=cast.operator)
    kinds = {
        who: set(OutboxMessage.objects.filter(user=getattr(cast, who)).values_list("kind", flat=True))
        for who in OUTSIDE
    }
    assert kinds == {
        "operator": {"reminder", "stale", "resume"},
        "county_manager": {"supervision", "digest"},
    }
    for who in [*OUTSIDE, "city_manager"]:  # the manager who issued the order gets its escalation
        text = _bodies(getattr(cast, who))
        assert_hidden(text, who)
        assert CODENAME in text, who


def test_the_emails_show_the_fields_to_need_to_know(cast):
    _every_email(cast, owner=cast.operator, need_to_know=[cast.operator, cast.county_manager])
    reminded = _bodies(cast.operator)
    assert SECRETS["title"] in reminded and SECRETS["investor"] in reminded and SECRETS["next_action"] in reminded
    assert SECRETS["status_note"] in reminded  # the resume reminder's reason
    digest = _bodies(cast.county_manager)
    assert SECRETS["title"] in digest and SECRETS["status_note"] in digest  # the lost deal's reason


# -- sorting by title ----------------------------------------------------------------------------


@pytest.fixture
def three(cast):
    """Two ordinary projects and a confidential one whose codename sorts first and whose real
    title would sort last, all at the same stage in zone A."""
    common = {"organization": cast.committee_a, "zone": cast.zone_a, "owner": cast.officer}
    project_at(Stage.INTENTION_SIGNED, title="BBB项目", **common)
    project_at(Stage.INTENTION_SIGNED, title="MMM项目", **common)
    project_at(Stage.INTENTION_SIGNED, title="ZZZ绝密", is_confidential=True, codename="AAA代号", **common)


def _order(text: str, names: list[str]) -> list[str]:
    found = [name for name in names if name in text]
    return sorted(found, key=text.index)


@pytest.mark.parametrize("url", ["/projects/?sort=title", "zone"], ids=["list", "zone page"])
def test_sorting_by_title_places_a_deal_where_its_codename_sorts(client, cast, three, url):
    url = reverse("projects:zone_projects", args=[cast.zone_a.pk]) if url == "zone" else url
    client.force_login(cast.county_manager)
    body = client.get(url).content.decode()
    assert _order(body, ["AAA代号", "BBB项目", "MMM项目", "ZZZ绝密"]) == ["AAA代号", "BBB项目", "MMM项目"]
    if "sort" in url:
        body = client.get("/projects/?sort=-title").content.decode()
        assert _order(body, ["AAA代号", "BBB项目", "MMM项目"]) == ["MMM项目", "BBB项目", "AAA代号"]
    # The owning organisation sees, and sorts by, the real title.
    client.force_login(cast.officer)
    body = client.get(url).content.decode()
    assert _order(body, ["AAA代号", "BBB项目", "MMM项目", "ZZZ绝密"]) == ["BBB项目", "MMM项目", "ZZZ绝密"]


def test_the_api_sorts_by_the_title_its_reader_sees(cast, three):
    client = APIClient()
    for user, expected in (
        (cast.county_manager, ["AAA代号", "BBB项目", "MMM项目"]),
        (cast.officer, ["BBB项目", "MMM项目", "ZZZ绝密"]),
    ):
        client.force_authenticate(user)
        titles = [row["title"] for row in client.get("/api/v1/projects/?ordering=title").json()["results"]]
        assert titles == expected
        titles = [row["title"] for row in client.get("/api/v1/projects/?ordering=-title").json()["results"]]
        assert titles == expected[::-1]
