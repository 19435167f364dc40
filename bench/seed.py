"""Seed province-scale data with PostgreSQL COPY: 13 zones, 60 organisations, 1,000 users,
50,000 investors, 100,000 projects, 1,000,000 follow-ups, with realistic spreads (stages skewed
to early ones, log-normal amounts, dates over three years).

Columns come from the models' metadata, so a field added later gets its default without
touching this file."""

from __future__ import annotations

import datetime
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from operators.models import Membership, Organization, Zone
from projects.models import FollowUp, Investor, Project, SourceMode, Stage, StageChange

STAGE_WEIGHTS = [30, 22, 14, 12, 9, 6, 3, 2, 2]
PASSWORD = "bench-2026"  # noqa: S105 - a throwaway benchmark database


@dataclass
class Sizes:
    zones: int = 13
    organizations: int = 60
    users: int = 1_000
    investors: int = 50_000
    projects: int = 100_000
    follow_ups: int = 1_000_000

    @classmethod
    def scaled(cls, factor: float) -> Sizes:
        return cls(
            users=max(60, int(1_000 * factor)),
            investors=max(100, int(50_000 * factor)),
            projects=max(200, int(100_000 * factor)),
            follow_ups=max(2_000, int(1_000_000 * factor)),
        )


def _copy(model: type[models.Model], rows, values: dict) -> int:
    """COPY `rows` (dicts of field name → python value) into model's table; fields missing
    from a row get the field's default."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name not in values)]
    columns = [f.column for f in fields]
    defaults = {}
    for f in fields:
        if f.name in values or f.attname in values:
            continue
        if f.has_default():
            defaults[f.attname] = f.get_default()
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = timezone.now()
        elif f.null:
            defaults[f.attname] = None
        elif f.blank:
            defaults[f.attname] = ""
    table = model._meta.db_table
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) FROM STDIN') as copy,
    ):
        for row in rows:
            record = []
            for f in fields:
                value = row.get(f.attname, row.get(f.name, defaults.get(f.attname)))
                if isinstance(value, models.Model):
                    value = value.pk
                if isinstance(f, models.JSONField) and value is not None:
                    import json

                    value = json.dumps(value)
                record.append(value)
            copy.write_row(record)
            count += 1
    return count


def _reset_sequence(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\""
        )


def seed(sizes: Sizes, *, seed_value: int = 2026, log=print) -> dict:
    """Fill an empty database; returns rows per table and the rate."""
    rng = random.Random(seed_value)
    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    counts: dict[str, int] = {}
    counties = ["江北区", "江南区", "清河县", "云山县", "临江市", "石桥县"]
    kinds = [k for k, _ in Zone.Kind.choices]

    zones = [
        {
            "id": i + 1,
            "name": f"基准开发区{i + 1:02d}",
            "short_name": f"基准区{i + 1:02d}",
            "kind": kinds[i % len(kinds)],
            "level": "national" if i < 3 else "provincial",
            "county": counties[i % len(counties)],
            "is_active": True,
        }
        for i in range(sizes.zones)
    ]
    counts["zones"] = _copy(Zone, zones, {"id": 1})
    orgs = [{"id": 1, "name": "市商务局", "kind": "city_office", "zone_id": None, "county": ""}]
    for county in counties:
        orgs.append(
            {"id": len(orgs) + 1, "name": f"{county}招商局", "kind": "county_bureau", "zone_id": None, "county": county}
        )
    for z in zones:
        orgs.append(
            {
                "id": len(orgs) + 1,
                "name": f"{z['short_name']}开发运营有限公司",
                "kind": "operating_company",
                "zone_id": z["id"],
                "county": z["county"],
            }
        )
    n = 0
    while len(orgs) < sizes.organizations:
        z = zones[n % len(zones)]
        n += 1
        orgs.append(
            {
                "id": len(orgs) + 1,
                "name": f"{z['short_name']}管委会{n:02d}",
                "kind": "committee",
                "zone_id": z["id"],
                "county": z["county"],
            }
        )
    counts["organizations"] = _copy(Organization, orgs, {"id": 1})
    committees = [o for o in orgs if o["kind"] == "committee"]

    User = get_user_model()
    password = make_password(PASSWORD)
    users, memberships = [], []
    for i in range(sizes.users):
        uid = i + 1
        if i == 0:
            users.append({"id": uid, "username": "bench_admin", "is_superuser": True, "is_staff": True})
            memberships.append({"user_id": uid, "organization_id": 1, "role": "admin"})
        elif i == 1:
            users.append({"id": uid, "username": "bench_manager"})
            memberships.append({"user_id": uid, "organization_id": 1, "role": "manager"})
        else:
            org = committees[i % len(committees)]
            role = "team_lead" if i % 20 == 0 else "officer"
            users.append({"id": uid, "username": f"bench_user{uid:04d}"})
            memberships.append({"user_id": uid, "organization_id": org["id"], "role": role})
    for u in users:
        u.update(
            password=password,
            first_name=f"用户{u['id']}",
            last_name="",
            email=f"{u['username']}@example.cn",
            is_active=True,
            date_joined=now,
            is_superuser=u.get("is_superuser", False),
            is_staff=u.get("is_staff", False),
        )
    counts["users"] = _copy(User, users, {"id": 1})
    counts["memberships"] = _copy(Membership, memberships, {})
    officers_by_org: dict[int, list[int]] = {}
    for m in memberships:
        if m["role"] in ("officer", "team_lead"):
            officers_by_org.setdefault(m["organization_id"], []).append(m["user_id"])

    words = [
        "华",
        "中",
        "国",
        "东",
        "恒",
        "瑞",
        "鑫",
        "博",
        "天",
        "金",
        "海",
        "信",
        "宏",
        "科",
        "远",
        "通",
        "达",
        "新",
        "盛",
        "联",
        "芯",
        "光",
        "电",
        "材",
        "能",
        "微",
        "智",
        "创",
        "锐",
        "泰",
    ]
    trades = [
        "半导体",
        "新材料",
        "新能源",
        "生物医药",
        "智能装备",
        "电子科技",
        "光电",
        "铜业",
        "汽车零部件",
        "精密制造",
    ]
    investors = []
    for i in range(sizes.investors):
        name = f"{rng.choice(words)}{rng.choice(words)}{rng.choice(words)}{rng.choice(trades)}有限公司{i}"
        investors.append(
            {
                "id": i + 1,
                "name": name,
                "normalized_name": name[:-4],
                "credit_code": None,
                "is_top500": rng.random() < 0.02,
                "is_industry_top100": rng.random() < 0.05,
                "industry": rng.choice(trades),
                "home_city": "",
                "created_at": now,
            }
        )
    counts["investors"] = _copy(Investor, investors, {"id": 1})

    stages = list(Stage)
    modes = list(SourceMode)
    projects, stage_changes = [], []
    first_day = today - datetime.timedelta(days=3 * 365)
    for i in range(sizes.projects):
        pid = i + 1
        org = committees[i % len(committees)]
        owner = rng.choice(officers_by_org[org["id"]])
        stage = rng.choices(stages, weights=STAGE_WEIGHTS)[0]
        created = first_day + datetime.timedelta(days=rng.randint(0, 3 * 365 - 1))
        amount = Decimal(round(math.exp(rng.gauss(10.2, 1.1)))) * 10_000
        status = rng.choices(["active", "on_hold", "lost"], weights=[85, 8, 7])[0]
        order = Stage.order(stage)
        row = {
            "id": pid,
            "title": f"基准项目{pid}",
            "investor_id": rng.randint(1, sizes.investors),
            "zone_id": org["zone_id"],
            "organization_id": org["id"],
            "owner_id": owner,
            "created_by_id": owner,
            "source_mode": rng.choice(modes),
            "planned_amount": amount,
            "stage": stage,
            "status": status,
            "lost_reason": "other_region" if status == "lost" else "",
            "next_follow_up_on": today + datetime.timedelta(days=rng.randint(-30, 30)) if status == "active" else None,
            "last_activity_at": timezone.make_aware(
                datetime.datetime.combine(
                    min(today, created + datetime.timedelta(days=rng.randint(0, 400))), datetime.time(10)
                )
            ),
            "created_at": timezone.make_aware(datetime.datetime.combine(created, datetime.time(9))),
            "updated_at": now,
            "version": 1,
            "priority": 2,
        }
        if order >= Stage.order(Stage.INTENTION_SIGNED):
            row.update(intention_signed_on=created + datetime.timedelta(days=60), intention_amount=amount)
        if order >= Stage.order(Stage.CONTRACT_SIGNED):
            row.update(contract_signed_on=created + datetime.timedelta(days=120), contract_amount=amount)
        if order >= Stage.order(Stage.UNDER_CONSTRUCTION):
            row.update(construction_started_on=created + datetime.timedelta(days=200), actual_investment=amount / 3)
        projects.append(row)
        for step in range(1, order + 1):
            stage_changes.append(
                {
                    "project_id": pid,
                    "from_stage": stages[step - 1],
                    "to_stage": stages[step],
                    "from_status": "active",
                    "to_status": "active",
                    "changed_by_id": owner,
                    "note": "",
                    "changed_at": timezone.make_aware(
                        datetime.datetime.combine(
                            min(today, created + datetime.timedelta(days=step * 20)), datetime.time(11)
                        )
                    ),
                }
            )
    counts["projects"] = _copy(Project, projects, {"id": 1})
    counts["stage_changes"] = _copy(StageChange, stage_changes, {})

    kinds_fu = [k for k, _ in FollowUp.Kind.choices]

    def follow_ups():
        # Project 1 gets 200 follow-ups (the project-page scenario); the rest are spread.
        for k in range(200):
            yield _follow_up(1, projects[0], k, rng, kinds_fu, today)
        for k in range(sizes.follow_ups - 200):
            p = projects[rng.randrange(len(projects))]
            yield _follow_up(p["id"], p, k, rng, kinds_fu, today)

    counts["follow_ups"] = _copy(FollowUp, follow_ups(), {})
    for model in (Zone, Organization, User, Investor, Project, FollowUp, StageChange, Membership):
        _reset_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    log(f"seeded {total:,} rows in {elapsed:.1f}s ({total / elapsed:,.0f} rows/s)")
    return {"counts": counts, "seconds": elapsed, "rows_per_second": total / elapsed}


def _follow_up(project_id, project, k, rng, kinds, today):
    occurred = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
    return {
        "project_id": project_id,
        "kind": rng.choice(kinds),
        "occurred_on": occurred,
        "summary": "电话沟通项目进展",
        "visitors": "",
        "next_action": "跟进投资决策",
        "author_id": project["owner_id"],
        "next_due_on": occurred + datetime.timedelta(days=14),
        "created_at": timezone.make_aware(datetime.datetime.combine(occurred, datetime.time(15))),
    }
