"""The permission matrix: every URL pattern of the URL conf, for every role of the cast, with an
object in and out of the user's scope, gets the status code it should.

A new URL pattern without an entry in EXPECTATIONS fails `test_every_url_pattern_has_an_expectation`
and its own matrix row: whoever adds a view must say who may reach it (and the out-of-scope
object must give 404)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import URLResolver, get_resolver, reverse

from projects.delivery.models import FundsTranche, ServiceRequest, SupervisionOrder
from projects.models import ImportJob, PossibleDuplicate, Stage, StageChange
from projects.pipeline.attachments import attachment_upload
from tasks.emails import unsubscribe_token
from tasks.models import OutboxMessage

from .delivery_helpers import pdf, project_at
from .factories import FollowUpFactory, OrganizationFactory, UserFactory

ROLES = ["officer", "teammate", "lead", "outsider", "operator", "county_manager", "city_manager", "admin", "nobody"]
# The side of the world ("a": 清河, "b": 云山) holding each role's in-scope and out-of-scope objects.
SIDES = {
    "officer": ("a", "b"),
    "teammate": ("a", "b"),
    "lead": ("a", "b"),
    "outsider": ("b", "a"),
    "operator": ("a", "b"),
    "county_manager": ("a", "b"),
    "city_manager": ("a", None),  # sees every zone: nothing is out of scope
    "admin": ("a", None),
    "nobody": (None, "a"),
}
PIPELINE = {"officer", "teammate", "lead", "outsider", "admin"}
CHANGERS = PIPELINE | {"operator"}
LEADS = {"lead", "admin"}
OWNERS_AND_LEADS = {"officer", "outsider", "lead", "admin"}  # the owner of each side's project
MANAGERS = {"county_manager", "city_manager", "admin"}
UPLOADERS = {"officer", "outsider", "admin"}  # each side's import job belongs to its officer
EVERYONE = set(ROLES)
ASSIGNEES = {"operator", "admin"}  # each side's supervision order goes to a user who is no other role
# URL arguments that are not objects in or out of someone's scope.
ARGLESS = (None, "reset", "fmt", "token", "mail_file")


@dataclass
class Expect:
    """`obj`: which object the URL takes (None: no argument). `allowed`: roles that get `ok` on
    an object in their scope; the others get `denied`. Out of scope is always 404. A page of a
    project (or of something of a project) answers who sees it but may not act with 403 and a
    sentence saying why (projects.pipeline.rights), never 404."""

    obj: str | None
    allowed: set
    ok: int = 200
    denied: int = 403
    post: bool = False
    anonymous: int = 302  # redirected to the login page
    get: int | None = None  # a POST-only view answers every GET with this (405), in scope or not
    extra: dict = field(default_factory=dict)


EXPECTATIONS = {
    # Django's own pages around login; reachable by anyone.
    "set_language": Expect(None, EVERYONE, ok=302, anonymous=302),
    "login": Expect(None, EVERYONE, anonymous=200),
    "logout": Expect(None, EVERYONE, ok=405),
    "password_change": Expect(None, EVERYONE),
    "password_change_done": Expect(None, EVERYONE),
    "password_reset": Expect(None, EVERYONE, anonymous=200),
    "password_reset_done": Expect(None, EVERYONE, anonymous=200),
    "password_reset_confirm": Expect("reset", EVERYONE, anonymous=200),
    "password_reset_complete": Expect(None, EVERYONE, anonymous=200),
    "home": Expect(None, EVERYONE),
    # The pipeline: list, export, board, new leads, project page, follow-ups, board moves.
    "projects:list": Expect(None, EVERYONE),
    "projects:export": Expect("fmt", EVERYONE),
    "projects:board": Expect(None, EVERYONE),
    "projects:new": Expect(None, PIPELINE, denied=404),
    # Partials of the lead form: nothing beyond what the user may see (checked in test_duplicates).
    "projects:lead_details": Expect(None, EVERYONE),
    "projects:duplicate_check": Expect(None, EVERYONE),
    "projects:investor_search": Expect(None, EVERYONE),
    "projects:detail": Expect("project", EVERYONE),
    "projects:followup_create": Expect("project", CHANGERS, post=True, get=405),
    "projects:move": Expect("project", CHANGERS, post=True, get=405),
    # Delivery.
    # The former delivery page redirects to the project page (in scope only).
    "projects:project_stage": Expect("project", CHANGERS, post=True),
    "projects:project_status": Expect("project", PIPELINE, post=True),
    "projects:project_details": Expect("project", CHANGERS, post=True),
    "projects:project_owner": Expect("project", LEADS, post=True),
    "projects:project_confidentiality": Expect("project", OWNERS_AND_LEADS, post=True),
    "projects:project_access_log": Expect("project", OWNERS_AND_LEADS),
    "projects:attachment_new": Expect("project", CHANGERS, post=True),
    "projects:attachment_download": Expect("attachment", EVERYONE),
    "projects:attachment_replace": Expect("attachment", CHANGERS, post=True),
    "projects:zone_projects": Expect("zone", EVERYONE),
    "projects:disputes": Expect(None, MANAGERS, denied=404),
    "projects:dispute_decide": Expect("dispute", MANAGERS, denied=404, post=True),
    # Notifications: everyone's own preferences; thresholds for the organisation's team leads;
    # the one-click unsubscribe link works without a login (the signed token is the proof);
    # the outbox for administrators only.
    "tasks:preferences": Expect(None, EVERYONE),
    "tasks:organization_settings": Expect("organization", LEADS, denied=404, post=True),
    "tasks:unsubscribe": Expect("token", EVERYONE, anonymous=200),
    "tasks:outbox": Expect(None, {"admin"}, denied=404),
    "tasks:outbox_retry": Expect(None, EVERYONE, ok=405),
    "tasks:outbox_message": Expect("message", {"admin"}, denied=404),
    "tasks:outbox_mail_file": Expect("mail_file", {"admin"}, ok=404, denied=404),  # no such file
    # The managers' dashboard and its period ledger: managers and team leads; 404 to the others.
    "dashboard": Expect(None, MANAGERS | {"lead"}, denied=404),
    "dashboard_ledger": Expect(None, MANAGERS | {"lead"}, denied=404),
    # Ledger import: the page for who logs leads; a job is its uploader's alone (404 to others).
    "projects:import": Expect(None, PIPELINE, denied=404),
    "projects:import_template": Expect(None, EVERYONE),
    "projects:import_job": Expect("import_job", UPLOADERS, denied=404),
    "projects:import_confirm": Expect("import_job", UPLOADERS, denied=404, post=True, get=405),
    # The REST API: 401 to anonymous callers (no login redirect), scoped reads, 404 out of scope.
    "api:api-root": Expect(None, EVERYONE, anonymous=401),
    "api:api-token": Expect(None, EVERYONE, ok=405, anonymous=405),  # POST only, for anyone
    "api:project-list": Expect(None, EVERYONE, anonymous=401),
    "api:project-detail": Expect("project", EVERYONE, anonymous=401),
    # A reader of the project gets 403 with the reason, as on the stage page (tests/test_api_matrix.py
    # goes through every API route, read and write, with search, filters and the browsable pages).
    "api:project-move-stage": Expect("project", CHANGERS, post=True, get=405, anonymous=401),
    "api:followup-list": Expect(None, EVERYONE, anonymous=401),
    "api:followup-detail": Expect("follow_up", EVERYONE, anonymous=401),
    "api:stagechange-list": Expect(None, EVERYONE, anonymous=401),
    "api:stagechange-detail": Expect("stage_change", EVERYONE, anonymous=401),
    "api:investor-list": Expect(None, EVERYONE, anonymous=401),
    "api:investor-detail": Expect("investor", EVERYONE, anonymous=401),
    "api:zone-list": Expect(None, EVERYONE, anonymous=401),
    "api:zone-detail": Expect("zone", EVERYONE, anonymous=401),
    "api:organization-list": Expect(None, EVERYONE, anonymous=401),
    "api:organization-detail": Expect("organization", EVERYONE, anonymous=401),
    "schema": Expect(None, EVERYONE, anonymous=401),
    "api-docs": Expect(None, EVERYONE, anonymous=401),
    "api-redoc": Expect(None, EVERYONE, anonymous=401),
    # Delivery after the signature: pages for whoever sees the project; delivery updates for who
    # may change it (the project's team, the zone's operating company); supervision for managers;
    # an order's acknowledgement and reports for its recipient (side a: the operator).
    "delivery:overview": Expect(None, EVERYONE),
    "delivery:plan": Expect("project", EVERYONE),
    "delivery:start": Expect("project", CHANGERS, post=True, get=405),
    "delivery:milestones_plan": Expect("project", CHANGERS, post=True, get=405),
    "delivery:milestone_record": Expect("project", CHANGERS, post=True, get=405),
    "delivery:commitments": Expect("project", CHANGERS, post=True, get=405),
    "delivery:commitment_report": Expect("project", CHANGERS, post=True, get=405),
    "delivery:tranche_record": Expect("project", CHANGERS, post=True, get=405),
    "delivery:tranche_correct_form": Expect("tranche", EVERYONE),
    "delivery:tranche_correct": Expect("tranche", CHANGERS, post=True, get=405),
    "delivery:hand_over": Expect("project", CHANGERS, post=True, get=405),
    "delivery:request_open": Expect("project", CHANGERS, post=True, get=405),
    "delivery:request_close": Expect("service_request", CHANGERS, post=True, get=405),
    "delivery:leader": Expect("project", MANAGERS, post=True, get=405),
    "delivery:order_issue": Expect("project", MANAGERS, post=True, get=405),
    "delivery:order_acknowledge": Expect("order", ASSIGNEES, post=True, get=405),
    "delivery:order_report": Expect("order", ASSIGNEES, post=True, get=405),
    "delivery:order_close": Expect("order", MANAGERS, post=True, get=405),
}
# Objects hanging off a project: their URLs carry the project's pk and their own.
CHILD_KWARGS = {"tranche": "tranche_pk", "service_request": "item_pk", "order": "order_pk"}
# A project or something of one: seen but not the user's to act on is 403 (saying why), not 404.
PROJECT_OBJECTS = {"project", "attachment", *CHILD_KWARGS}


def url_patterns(resolver=None, prefix="", namespace=None):
    """(name with namespace, route) of every pattern in the URL conf."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(x for x in (namespace, pattern.namespace) if x) or None
            yield from url_patterns(pattern, prefix + str(pattern.pattern), ns)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), pattern.pattern.regex.groups


def _is_admin(name, route):
    return (name or "").startswith("admin:") or route.startswith("admin/")


APP_PATTERNS = [(name, route) for name, route, _groups in url_patterns() if not _is_admin(name, route)]
# The admin's own pages without arguments (its object pages follow the same has_permission check).
ADMIN_PAGES = [
    name
    for name, route, groups in url_patterns()
    if _is_admin(name, route) and name and not groups and name not in ("admin:login", "admin:logout")
]


def test_every_url_pattern_has_an_expectation():
    missing = [f"{name or '(unnamed)'} → {route}" for name, route in APP_PATTERNS if name not in EXPECTATIONS]
    assert not missing, "Add these URL patterns to EXPECTATIONS in tests/test_permissions_matrix.py: " + ", ".join(
        missing
    )


def test_project_pages_refuse_with_403_not_404():
    """Out of scope is 404; in scope without the right is 403, the same on every HTML page of a
    project (the API has its own answers)."""
    wrong = [
        name
        for name, expect in EXPECTATIONS.items()
        if expect.obj in PROJECT_OBJECTS and not name.startswith("api:") and expect.denied != 403
    ]
    assert not wrong, wrong


def test_no_expectation_is_left_for_a_removed_view():
    names = {name for name, _route in APP_PATTERNS}
    assert set(EXPECTATIONS) <= names


@pytest.fixture
def world(cast, media):
    sides = {}
    operator_b = UserFactory(username="operator_b")
    for side, org, zone, owner, assignee in (
        ("a", cast.committee_a, cast.zone_a, cast.officer, cast.operator),
        ("b", cast.committee_b, cast.zone_b, cast.outsider, operator_b),
    ):
        project = project_at(Stage.CONTRACT_SIGNED, organization=org, zone=zone, owner=owner)
        rival_org = cast.bureau_a if side == "a" else OrganizationFactory(name="云山县招商局", zone=zone)
        rival = project_at(Stage.CONTACTED, organization=rival_org, zone=zone, owner=owner)
        sides[side] = SimpleNamespace(
            project=project,
            follow_up=FollowUpFactory(project=project),
            stage_change=StageChange.objects.create(
                project=project, to_stage=project.stage, changed_at=project.created_at, changed_by=owner
            ),
            investor=project.investor,
            organization=org,
            import_job=ImportJob.objects.create(
                user=owner, organization=org, file="imports/x", original_name="台账.xlsx", status="checked"
            ),
            attachment=(evidence := attachment_upload(project=project, user=owner, uploaded=pdf())),
            tranche=FundsTranche.objects.create(
                project=project,
                received_on=datetime.date(2025, 7, 1),
                amount=Decimal("1000000"),
                kind=FundsTranche.Kind.OTHER,
                evidence=evidence,
                recorded_by=owner,
            ),
            service_request=ServiceRequest.objects.create(
                project=project,
                department=ServiceRequest.Department.POWER,
                description="双回路供电",
                owner=owner,
                due_on=datetime.date(2025, 8, 1),
                created_by=owner,
            ),
            order=SupervisionOrder.objects.create(
                project=project,
                instruction="九月底前开工",
                due_on=datetime.date(2025, 9, 30),
                assignee=assignee,
                issued_by=cast.city_manager,
            ),
            zone=zone,
            dispute=PossibleDuplicate.objects.create(project=rival, other=project, matched_by="name", score=90),
            message=OutboxMessage.objects.create(
                key=f"reminder:{owner.pk}:{side}",
                kind="reminder",
                user=owner,
                to_email=owner.email,
                subject="s",
                body_text="t",
            ),
        )
    return sides


def _kwargs(expect, obj_side):
    if expect.obj is None:
        return {}
    if expect.obj == "reset":
        return {"uidb64": "MQ", "token": "set-password"}
    if expect.obj == "fmt":
        return {"fmt": "csv"}
    if expect.obj == "token":
        return {"token": unsubscribe_token(user_id=1, topic="reminders")}
    if expect.obj == "mail_file":
        return {"name": "20250612-090000-1.log"}
    obj = getattr(obj_side, expect.obj)
    if expect.obj in CHILD_KWARGS:
        return {"pk": obj.project_id, CHILD_KWARGS[expect.obj]: obj.pk}
    return {"pk": obj.pk}


@pytest.mark.parametrize("name", [name for name, _route in APP_PATTERNS], ids=str)
def test_matrix(client, cast, world, name):
    assert name in EXPECTATIONS, f"no expectation for the URL pattern {name!r}: say who may reach it"
    expect = EXPECTATIONS[name]
    failures = []

    def check(role, method, side, wanted, where="in scope"):
        url = reverse(name, kwargs=_kwargs(expect, world[side] if side else None))
        response = getattr(client, method)(url)
        if response.status_code != wanted:
            failures.append(
                f"{role} {method.upper()} {url} ({'in' if side else 'no object'}): {response.status_code} ≠ {wanted}"
            )
        elif wanted == 403 and not name.startswith("api:") and not (response.context or {}).get("exception"):
            failures.append(f"{role} {method.upper()} {url}: 403 without a sentence saying why")

    # Anonymous visitors.
    client.logout()
    check("anonymous", "get", "a" if expect.obj not in ARGLESS else None, expect.anonymous)
    for role in ROLES:
        client.force_login(getattr(cast, role))
        in_side, out_side = SIDES[role]
        if expect.obj in ARGLESS:
            check(role, "get", None, expect.ok if role in expect.allowed else expect.denied)
            continue
        if in_side:
            if expect.get is not None:
                check(role, "get", in_side, expect.get)
            else:
                check(role, "get", in_side, expect.ok if role in expect.allowed else expect.denied)
            if expect.post and role not in expect.allowed:
                check(role, "post", in_side, expect.denied)
        if out_side:
            check(role, "get", out_side, expect.get or 404, "out of scope")
            if expect.post:
                check(role, "post", out_side, 404, "out of scope")
        client.logout()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ADMIN_PAGES, ids=str)
def test_the_admin_is_for_administrators_only(client, cast, name):
    url = reverse(name)
    for role in ROLES:
        client.force_login(getattr(cast, role))
        response = client.get(url)
        if role == "admin":
            # 403: an add page the admin itself forbids (stage changes, the access log).
            assert response.status_code in (200, 403), (role, url, response.status_code)
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (role, url)
        client.logout()
