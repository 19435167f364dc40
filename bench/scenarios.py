"""The scenarios of `make bench`, each beside its baseline (issue: performance at province scale)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from projects.models import Project

from .harness import Row, bare_sql, captured_sql, get_ok, measure

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


SCENARIOS = {
    "list": list_scenarios,
    "pages": page_scenarios,
}


def run_all(*, repeat: int, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    for key, fn in SCENARIOS.items():
        if only and key not in only:
            continue
        print(f"measuring {key} …", flush=True)
        rows.extend(fn(repeat))
    return rows
