"""The API's permission matrix: every route of /api/v1/, for every role of the cast, on objects
in and out of the role's scope, read (JSON and the browsable HTML, with search, filters and
ordering) and written, answers what the pages answer: 200/201 to who may, 403 with a reason to
who sees the project but may not change it, 404 out of scope. And no response, whatever its
status, names what the reader may not see: another side's projects, zones, organisations and
people; a confidential deal's real title, investor and source note outside need-to-know.

The world: side "a" (清河) and side "b" (云山) each hold one confidential deal, with a follow-up
and a stage change (the cast and sides of tests/test_permissions_matrix.py)."""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import FollowUp, Project, Stage, StageChange

from .delivery_helpers import CREDIT_CODES, project_at
from .factories import FollowUpFactory, InvestorFactory, MembershipFactory, UserFactory

SIDES = ("a", "b")


@dataclass(frozen=True)
class Rights:
    """The sides a role sees (scope), sees the names of (a confidential deal's), works the
    pipeline of (changes everything), operates the zone of (the site, the later stages), leads."""

    sees: str = ""
    names: str = ""
    works: str = ""
    operates: str = ""
    leads: str = ""


ROLES = {
    "officer": Rights(sees="a", names="a", works="a"),
    "lead": Rights(sees="a", names="a", works="a", leads="a"),
    "outsider": Rights(sees="b", names="b", works="b"),
    "operator": Rights(sees="a", operates="a"),
    "county_manager": Rights(sees="a"),
    "city_manager": Rights(sees="ab"),
    "admin": Rights(sees="ab", names="ab", works="ab", leads="ab"),
    "nobody": Rights(),
}
# What each side's deal and world are called; none of it may reach a reader outside its scope.
SECRETS = {
    "a": {
        "title": "宁德时代清河电池基地",
        "codename": "代号青鸾",
        "investor": "宁德时代新能源科技股份有限公司",
        "source_note": "曾董事长清河密谈",
        "owner": "清河李专员",
        "registered_company": "清河宁德新能源有限公司",
    },
    "b": {
        "title": "比亚迪云山整车工厂",
        "codename": "代号白泽",
        "investor": "比亚迪股份有限公司",
        "source_note": "王总云山密谈",
        "owner": "云山周专员",
        "registered_company": "云山比亚迪汽车有限公司",
    },
}
# Hidden from who sees the deal but not its names (the codename and the people are not).
NAMES = ("title", "investor", "source_note", "registered_company")


@pytest.fixture
def world(cast):
    cast.officer.first_name, cast.outsider.first_name = SECRETS["a"]["owner"], SECRETS["b"]["owner"]
    cast.officer.save()
    cast.outsider.save()
    colleague_b = UserFactory(username="colleague_b")
    MembershipFactory(user=colleague_b, organization=cast.committee_b, role="officer")
    sides = {}
    for side, org, zone, owner, colleague in (
        ("a", cast.committee_a, cast.zone_a, cast.officer, cast.teammate),
        ("b", cast.committee_b, cast.zone_b, cast.outsider, colleague_b),
    ):
        secret = SECRETS[side]
        project = project_at(
            Stage.CONTRACT_SIGNED,
            organization=org,
            zone=zone,
            owner=owner,
            title=secret["title"],
            is_confidential=True,
            codename=secret["codename"],
            source_note=secret["source_note"],
            investor=InvestorFactory(name=secret["investor"]),
        )
        sides[side] = SimpleNamespace(
            project=project,
            follow_up=FollowUpFactory(project=project, author=owner),
            stage_change=StageChange.objects.create(
                project=project, to_stage=project.stage, changed_at=project.created_at, changed_by=owner
            ),
            zone=zone,
            organization=org,
            owner=owner,
            colleague=colleague,
            credit_code=CREDIT_CODES[SIDES.index(side)],
        )
    return sides


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _forbidden_strings(rights: Rights) -> dict[str, list[str]]:
    """side → what a reader with these rights must not find in any response."""
    forbidden = {}
    for side in SIDES:
        secret = SECRETS[side]
        if side not in rights.sees:
            forbidden[side] = list(secret.values())
        elif side not in rights.names:
            forbidden[side] = [secret[name] for name in NAMES]
    return forbidden


def _out_of_scope_world(cast, side) -> list[str]:
    """The names of a side's zone and organisation (the owner is in SECRETS)."""
    zone, org = (cast.zone_a, cast.committee_a) if side == "a" else (cast.zone_b, cast.committee_b)
    return [zone.name, org.name]


class Calls:
    """Makes the calls of one role, collects what differs from the expectation and what leaks."""

    def __init__(self, cast, role):
        self.role = role
        self.rights = ROLES[role]
        self.client = _client(getattr(cast, role))
        self.failures: list[str] = []
        self.forbidden = _forbidden_strings(self.rights)
        for side in SIDES:
            if side not in self.rights.sees:
                self.forbidden[side] = [*self.forbidden[side], *_out_of_scope_world(cast, side)]

    def call(self, method, url, wanted, body=None, html=False, **extra):
        if html:
            extra["HTTP_ACCEPT"] = "text/html"
        response = getattr(self.client, method)(url, body, format="json" if body is not None else None, **extra)
        what = f"{self.role} {method.upper()} {url}{' (html)' if html else ''}"
        if response.status_code != wanted:
            self.failures.append(f"{what}: {response.status_code} ≠ {wanted} {response.content[:200]!r}")
        text = response.content.decode()
        # The browsable page repeats the address (a search term): what the caller typed is no leak.
        leaked = [name for names in self.forbidden.values() for name in names if name in text and name not in url]
        if leaked:
            self.failures.append(f"{what}: leaks {leaked}")
        if html and response.status_code == 200:
            assert response["Content-Type"].startswith("text/html"), what
        return response

    def ids(self, url, wanted_ids):
        response = self.call("get", url, 200)
        if response.status_code == 200:
            found = {row["id"] for row in response.json()["results"]}
            if found != set(wanted_ids):
                self.failures.append(f"{self.role} GET {url}: ids {sorted(found)} ≠ {sorted(wanted_ids)}")

    def count(self, url, wanted):
        response = self.call("get", url, 200)
        if response.status_code == 200 and response.json()["count"] != wanted:
            self.failures.append(f"{self.role} GET {url}: {response.json()['count']} found ≠ {wanted}")


# -- reads ---------------------------------------------------------------------------------------

LISTS = ["project", "followup", "stagechange", "investor", "zone", "organization"]


def _detail_objects(side):
    """route basename → the side's object behind it."""
    return {
        "project": side.project,
        "followup": side.follow_up,
        "stagechange": side.stage_change,
        "investor": side.project.investor,
        "zone": side.zone,
        "organization": side.organization,
    }


@pytest.mark.parametrize("role", ROLES)
def test_reads(cast, world, role):
    calls = Calls(cast, role)
    rights = calls.rights
    seen = [s for s in SIDES if s in rights.sees]
    named = [s for s in SIDES if s in rights.names]

    # The root and every list, as JSON and as the browsable page (its filter form included).
    for html in (False, True):
        calls.call("get", reverse("api:api-root"), 200, html=html)
        for basename in LISTS:
            calls.call("get", reverse(f"api:{basename}-list"), 200, html=html)
    # What the lists hold: the sides in scope (an investor of a confidential deal: with its names).
    holds = {
        "project": (seen, lambda s: s.project.pk),
        "followup": (seen, lambda s: s.follow_up.pk),
        "stagechange": (seen, lambda s: s.stage_change.pk),
        "investor": (named, lambda s: s.project.investor_id),
    }
    for basename, (sides, pk) in holds.items():
        calls.ids(reverse(f"api:{basename}-list"), [pk(world[s]) for s in sides])

    for side in SIDES:
        w = world[side]
        inside = side in rights.sees
        # Every detail route, JSON and HTML: 200 in scope, 404 out of it (an investor: 404 too
        # when only the codename of its deal is visible).
        for basename, obj in _detail_objects(w).items():
            ok = side in (rights.names if basename == "investor" else rights.sees)
            for html in (False, True):
                calls.call("get", reverse(f"api:{basename}-detail", args=[obj.pk]), 200 if ok else 404, html=html)
        # Search: the real names only within need-to-know, the codename within the scope.
        projects = reverse("api:project-list")
        secret = SECRETS[side]
        calls.count(f"{projects}?q={secret['title']}", int(side in rights.names))
        calls.count(f"{projects}?q={secret['investor']}", int(side in rights.names))
        calls.count(f"{projects}?q={secret['codename']}", int(inside))
        calls.call("get", f"{projects}?q={secret['title']}", 200, html=True)
        # Filters: a choice outside the scope is refused as a missing one would be (400).
        for name, value in (("zone", w.zone.pk), ("organization", w.organization.pk), ("owner", w.owner.pk)):
            for html in (False, True):
                calls.call("get", f"{projects}?{name}={value}", 200 if inside else 400, html=html)
        for basename, row in (("followup", w.follow_up), ("stagechange", w.stage_change)):
            url = reverse(f"api:{basename}-list")
            for html in (False, True):
                calls.call("get", f"{url}?project={w.project.pk}", 200 if inside else 400, html=html)
            if inside:
                calls.ids(f"{url}?project={w.project.pk}", [row.pk])
    for basename in ("followup", "stagechange"):
        calls.call("get", f"{reverse(f'api:{basename}-list')}?project=999999", 400)
    projects = reverse("api:project-list")
    calls.count(f"{projects}?stage=contract_signed&status=active&planned_amount_min=1", len(seen))
    # Ordering by what each reader sees (the order itself: tests/test_confidential_fields.py): a
    # sort parameter changes neither what is listed nor what a row shows.
    for ordering in ("title", "-title", "investor_name", "-investor_name", "planned_amount"):
        calls.ids(f"{reverse('api:project-list')}?ordering={ordering}", [world[s].project.pk for s in seen])
        calls.call("get", f"{reverse('api:project-list')}?ordering={ordering}", 200, html=True)
    assert not calls.failures, "\n".join(calls.failures)


def test_anonymous_callers_get_401_everywhere(world):
    client = APIClient()
    w = world["a"]
    urls = [reverse("api:api-root")] + [reverse(f"api:{b}-list") for b in LISTS]
    urls += [reverse(f"api:{b}-detail", args=[o.pk]) for b, o in _detail_objects(w).items()]
    for url in urls:
        for accept in ("application/json", "text/html"):
            response = client.get(url, HTTP_ACCEPT=accept)
            assert response.status_code == 401, (url, accept)
            assert SECRETS["a"]["codename"] not in response.content.decode()
    response = client.post(reverse("api:project-move-stage", args=[w.project.pk]), {}, format="json")
    assert response.status_code == 401


# -- writes --------------------------------------------------------------------------------------


def _allowed(rights: Rights, side: str, who: str) -> bool:
    return (
        side
        in {
            "works": rights.works,
            "changes": rights.works + rights.operates,
            "leads": rights.leads,
        }[who]
    )


@dataclass(frozen=True)
class Write:
    """A write on a side's project: `who` may (works, changes, leads); the others in scope get
    403, out of scope 404."""

    method: str
    route: str  # "detail", "move-stage", "follow-ups", "create"
    who: str
    body: object  # a function of the side's world


WRITES = {
    # The details of a deal: its organisation (the operator set the amount to 1 yuan).
    "details": Write("patch", "detail", "works", lambda w: {"industry": "新能源", "planned_amount": "1.00"}),
    "title": Write("patch", "detail", "works", lambda w: {"title": "改名"}),
    "put": Write(
        "put",
        "detail",
        "works",
        lambda w: {
            "title": w.project.title,
            "zone": w.zone.pk,
            "source_mode": w.project.source_mode,
            "industry": "储能",
        },
    ),
    # The site: the organisation and the zone's operating company (the delivery details page).
    "site": Write("patch", "detail", "changes", lambda w: {"site_area_mu": "88.5", "site_location": "纬三路"}),
    # The owner: the organisation's team leads (the owner page), to an officer of the organisation.
    "owner": Write("patch", "detail", "leads", lambda w: {"owner": w.colleague.pk}),
    # A stage the operating company moves into (the stage page, the transition service).
    "move": Write(
        "post",
        "move-stage",
        "changes",
        lambda w: {
            "to_stage": "registered",
            "evidence": {
                "registered_company": SECRETS[w.side]["registered_company"],
                "registered_credit_code": w.credit_code,
            },
        },
    ),
    "follow_up": Write("post", "follow-ups", "changes", None),
    "create": Write("post", "create", "works", None),
}


@pytest.mark.parametrize("case", WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_writes(cast, world, role, case):
    calls = Calls(cast, role)
    rights, write = calls.rights, WRITES[case]
    for side in SIDES:
        w = world[side]
        w.side = side
        project = Project.objects.get(pk=w.project.pk)
        inside = side in rights.sees
        allowed = _allowed(rights, side, write.who)
        ok = 201 if write.route in ("follow-ups", "create") else 200
        denied = 403 if inside else 404
        follow_ups = FollowUp.objects.count()
        projects = Project.objects.count()
        if write.route == "follow-ups":
            body = {"project": project.pk, "kind": "call", "occurred_on": datetime.date.today().isoformat()}
            body["summary"] = "电话沟通"
            # A project outside the scope is a wrong value, as a missing one (400), not a 404.
            denied = 403 if inside else 400
            calls.call("post", reverse("api:followup-list"), ok if allowed else denied, body)
        elif write.route == "create":
            body = {
                "title": f"新线索{side}",
                "investor_name": {"a": "江州明芯光电有限公司", "b": "恒达化工集团"}[side],
                "zone": w.zone.pk,
                "organization": w.organization.pk,
                "owner": w.owner.pk,
                "source_mode": "direct",
                "source_note": "主动拜访",
            }
            # Who logs no lead anywhere: 403; who does, for another side's organisation: 400.
            denied = 400 if rights.works else 403
            calls.call("post", reverse("api:project-list"), ok if allowed else denied, body)
        elif write.route == "move-stage":
            body = {**write.body(w), "expected_version": project.version}
            calls.call("post", reverse("api:project-move-stage", args=[project.pk]), ok if allowed else denied, body)
        else:
            body = {**write.body(w), "version": project.version}
            calls.call(write.method, reverse("api:project-detail", args=[project.pk]), ok if allowed else denied, body)
        after = Project.objects.get(pk=project.pk)
        if not allowed:
            # Nothing was written: a refusal changes neither the project nor its history.
            unchanged = (after.version, after.owner_id, after.title, after.planned_amount) == (
                project.version,
                project.owner_id,
                project.title,
                project.planned_amount,
            )
            if not unchanged or FollowUp.objects.count() != follow_ups or Project.objects.count() != projects:
                calls.failures.append(f"{role} {case} on {side}: refused, but something was written")
        # The browsable page of the project shows no form, whatever the role may do.
        if inside:
            calls.call("get", reverse("api:project-detail", args=[project.pk]), 200, html=True)
    assert not calls.failures, "\n".join(calls.failures)


def test_a_method_a_route_does_not_take_is_405_in_scope_or_not(cast, world):
    calls = Calls(cast, "officer")
    calls.call("get", reverse("api:project-move-stage", args=[world["a"].project.pk]), 405)
    calls.call("get", reverse("api:project-move-stage", args=[world["b"].project.pk]), 405)
    calls.call("delete", reverse("api:project-detail", args=[world["a"].project.pk]), 405)
    calls.call("post", reverse("api:zone-list"), 405, {"name": "x"})
    assert not calls.failures, "\n".join(calls.failures)
