"""The scenarios of `make bench`, each beside its baseline (issue: performance at province scale)."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from projects.models import Project

from .harness import Row, Timing, bare_sql, captured_sql, get_ok, measure

PAGE_SIZE = 50


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _admin_page_size(size: int) -> None:
    admin.site._registry[Project].list_per_page = size


def list_scenarios(repeat: int) -> list[Row]:
    url = _url("projects:list")
    if url is None:
        return []
    manager = _client("bench_manager")
    superuser = _client("bench_admin")
    _admin_page_size(PAGE_SIZE)
    changelist = reverse("admin:projects_project_changelist")
    term = Project.objects.order_by("pk").values_list("investor__name", flat=True)[5000 % Project.objects.count()][:4]
    rows = []
    for label, ours, theirs, target in [
        ("list, page 1", f"{url}?per_page={PAGE_SIZE}", changelist, "≤ 0.5×"),
        ("list, page 1,000", f"{url}?per_page={PAGE_SIZE}&page=1000", f"{changelist}?p=1000", "≤ 0.1×"),
        ("list, text search", f"{url}?per_page={PAGE_SIZE}&q={term}", f"{changelist}?q={term}", "≤ 0.1×"),
        (
            "list, filter stage",
            f"{url}?per_page={PAGE_SIZE}&stage=negotiating",
            f"{changelist}?stage__exact=negotiating",
            "≤ 0.5×",
        ),
    ]:
        rows.append(
            Row(
                label,
                measure(get_ok(manager, ours), repeat=repeat),
                "admin changelist",
                measure(get_ok(superuser, theirs), repeat=repeat),
                target,
            )
        )
    return rows


def page_vs_sql(label: str, client: Client, url: str, repeat: int, target: str = "≤ 3× or < 25 ms") -> Row:
    fetch = get_ok(client, url)
    statements = captured_sql(fetch)
    return Row(
        label, measure(fetch, repeat=repeat), "its bare SQL", measure(bare_sql(statements), repeat=repeat), target
    )


def page_scenarios(repeat: int) -> list[Row]:
    rows = []
    officer = _client(Project.objects.get(pk=1).owner.username)
    manager = _client("bench_manager")
    if url := _url("projects:board"):
        rows.append(page_vs_sql("board (an officer's organisation)", officer, url, repeat))
    if url := _url("projects:detail", 1):
        rows.append(page_vs_sql("project page, 200 follow-ups", officer, url, repeat))
    if url := _url("dashboard"):
        rows.append(page_vs_sql("dashboard, city, one quarter", manager, f"{url}?period=quarter", repeat))
    return rows


class _Rollback(Exception):
    pass


def rolled_back(fn):
    """Run `fn` in a transaction that is rolled back, so a write can be measured again and again."""

    def run():
        try:
            with transaction.atomic():
                fn()
                raise _Rollback
        except _Rollback:
            pass

    return run


def sweep_scenarios(repeat: int) -> list[Row]:
    try:
        from tasks.sweeps import reminder_horizon, reminders_sweep
    except ImportError:
        return []
    from tasks.workdays import is_working_day

    day = timezone.localdate()
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    horizon = reminder_horizon(day)
    ours = measure(rolled_back(lambda: reminders_sweep(now=now)), repeat=max(3, repeat // 3), warmup=1)
    single = f"""
        SELECT p.owner_id, p.id, p.title, p.next_follow_up_on
        FROM projects_project p
        WHERE p.status = 'active' AND p.next_follow_up_on <= '{horizon.isoformat()}'
        ORDER BY p.owner_id, p.next_follow_up_on"""
    baseline = measure(bare_sql([single]), repeat=max(3, repeat // 3), warmup=1)
    return [
        Row("reminder sweep, one day (all officers)", ours, "one SQL query of the due follow-ups", baseline, "≤ 2×")
    ]


def digest_scenarios(repeat: int) -> list[Row]:
    try:
        from tasks.digests import digest_build
    except ImportError:
        return []
    manager = get_user_model().objects.get(username="bench_manager")
    end = timezone.localdate() - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=6)
    build = rolled_back(lambda: digest_build(user_id=manager.pk, frequency="weekly", start=start, end=end))
    statements = [sql for sql in captured_sql(build) if not sql.startswith(("INSERT", "SAVEPOINT", "RELEASE"))]
    return [
        Row(
            "digest for the city manager, one week",
            measure(build, repeat=repeat),
            "the bare SQL of its selectors",
            measure(bare_sql(statements), repeat=repeat),
            "≤ 3×",
        )
    ]


def import_scenarios(repeat: int, rows: int = 10_000) -> list[Row]:
    try:
        from projects.ledger.imports import import_ledger
    except ImportError:
        return []
    from operators.models import Organization
    from projects.models import Investor

    organization = Organization.objects.filter(kind="committee").order_by("pk").first()
    officer = get_user_model().objects.filter(
        memberships__organization=organization, memberships__role__in=["officer", "team_lead"]
    )[0]
    zone = organization.zone
    lines = ["项目名称,投资方,所属园区,招商方式,计划投资额（万元）,项目阶段,负责人"]
    for i in range(rows):
        lines.append(f"导入基准项目{i},导入基准企业{i}有限公司,{zone.name},直接拜访,{1000 + i},线索,{officer.username}")
    data = ("\n".join(lines) + "\n").encode()

    def ours():
        plan = import_ledger(user=officer, organization=organization, data=data, name="ledger.csv")
        if plan.error_count:
            raise RuntimeError(f"the bench ledger has {plan.error_count} problems: {plan.problems[:3]}")

    def naive():
        for i in range(rows):
            investor = Investor(name=f"导入基准企业{i}有限公司", normalized_name=f"导入基准企业{i}")
            investor.save()
            Project(
                title=f"导入基准项目{i}",
                investor=investor,
                zone=zone,
                organization=organization,
                owner=officer,
                created_by=officer,
                source_mode="direct",
                planned_amount=(1000 + i) * 10_000,
            ).save()

    times = max(1, repeat // 7)
    return [
        Row(
            f"import {rows:,} ledger rows",
            measure(rolled_back(ours), repeat=times, warmup=0),
            "a naive Model.save() loop",
            measure(rolled_back(naive), repeat=times, warmup=0),
            "≤ 0.05× (20× faster)",
        )
    ]


def load_scenarios(repeat: int) -> list[Row]:
    """The list page through gunicorn at 8 concurrent users (wrk from a second process), beside the
    admin changelist under the same load. Reported as ms per request (1000 / requests per second)."""
    import shutil

    if not shutil.which("wrk") or _url("projects:list") is None:
        print("  (skipped: wrk is not installed; apt-get install wrk)")
        return []
    from .load import requests_per_second

    _admin_page_size(PAGE_SIZE)
    ours = requests_per_second(f"{reverse('projects:list')}?per_page={PAGE_SIZE}", "bench_manager")
    theirs = requests_per_second(reverse("admin:projects_project_changelist"), "bench_admin")
    to_timing = lambda rps: Timing(samples=[1000 / rps] if rps else [float("inf")])  # noqa: E731
    return [
        Row(
            f"list page 1 under load (gunicorn, 8 users): {ours:.0f} req/s",
            to_timing(ours),
            f"admin changelist: {theirs:.0f} req/s",
            to_timing(theirs),
            "≤ 0.5×",
        )
    ]


SCENARIOS = {
    "list": list_scenarios,
    "pages": page_scenarios,
    "sweep": sweep_scenarios,
    "digest": digest_scenarios,
    "import": import_scenarios,
    "load": load_scenarios,
}


def run_all(*, repeat: int, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    for key, fn in SCENARIOS.items():
        if only and key not in only:
            continue
        print(f"measuring {key} …", flush=True)
        vacuum()
        rows.extend(fn(repeat))
    return rows


def vacuum() -> None:
    """VACUUM (ANALYZE) the database, so every group of scenarios starts from the same state:
    PostgreSQL here may run with autovacuum off, the seed is a COPY, and the rolled-back writes of
    the sweep and import scenarios leave dead rows that index-only scans must then visit (the
    deep list page's key scan: 106,109 heap fetches before a VACUUM, 21 after)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
