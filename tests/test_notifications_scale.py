"""The sweeps over 100,000 projects: a bounded number of queries, not one per project or owner."""

import datetime
import math
import os

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from operators.models import Membership, Organization, Role, Zone
from projects.models import FollowUp, Investor, Project, Stage
from tasks.models import Notice, OutboxMessage
from tasks.sweeps import escalations_sweep, reminders_sweep, stale_sweep

from .notify_helpers import SHANGHAI, at

pytestmark = pytest.mark.slow

PROJECTS = int(os.environ.get("SCALE_PROJECTS", "100000"))
OWNERS = 61  # prime: every owner gets due, overdue and idle projects


def _insert(model, objects, vary: dict) -> None:
    """INSERT many rows with executemany: the ORM's bulk_create is too slow on SQLite for 100,000
    wide rows (999 parameters per statement). `objects` is a template instance, `vary` maps a
    field name to a list of values, one per row."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    base = [f.get_db_prep_save(getattr(objects, f.attname), connection) for f in fields]
    index = {f.attname: i for i, f in enumerate(fields)}
    count = len(next(iter(vary.values())))
    rows = []
    prepared = {
        name: [model._meta.get_field(name).get_db_prep_save(v, connection) for v in values]
        for name, values in vary.items()
    }
    for n in range(count):
        row = list(base)
        for name, values in prepared.items():
            row[index[model._meta.get_field(name).attname]] = values[n]
        rows.append(row)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)  # our own model's table, not input
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


@pytest.fixture(scope="module")
def big_pipeline(django_db_setup, django_db_blocker):
    """Built once for the module, outside the tests' transactions, and removed at the end."""
    with django_db_blocker.unblock():
        zone = Zone.objects.create(
            name="规模测试开发区", short_name="规模区", kind="economic_tech", level="provincial", county="规模县"
        )
        org = Organization.objects.create(name="规模测试管委会", kind="committee", zone=zone, county="规模县")
        User = get_user_model()
        User.objects.bulk_create(
            [User(username=f"bulk{i}", email=f"bulk{i}@example.cn") for i in range(OWNERS)]
            + [User(username="bulk_lead", email="bulk_lead@example.cn")]
        )
        users = list(User.objects.filter(username__startswith="bulk").order_by("pk"))
        owners = [u for u in users if u.username != "bulk_lead"]
        lead = next(u for u in users if u.username == "bulk_lead")
        Membership.objects.bulk_create(
            [Membership(user=u, organization=org, role=Role.OFFICER) for u in owners]
            + [Membership(user=lead, organization=org, role=Role.TEAM_LEAD)]
        )
        investor = Investor.objects.create(name="规模投资有限公司", normalized_name="规模投资")
        today = datetime.date(2025, 6, 17)
        idle_since = datetime.datetime(2025, 1, 2, 10, tzinfo=SHANGHAI)
        recent = datetime.datetime(2025, 6, 16, 10, tzinfo=SHANGHAI)
        now = timezone.now()
        template = Project(
            title="",
            investor=investor,
            zone=zone,
            organization=org,
            owner=owners[0],
            source_mode="direct",
            stage=Stage.CONTACTED,
            created_at=now,
            updated_at=now,
        )
        # 1 in 50 due or overdue (some by weeks), 1 in 100 idle for months, the rest far ahead.
        _insert(
            Project,
            template,
            {
                "title": [f"项目{i}" for i in range(PROJECTS)],
                "owner": [owners[i % OWNERS].pk for i in range(PROJECTS)],
                "next_follow_up_on": [
                    today - datetime.timedelta(days=i % 20) if i % 50 == 0 else today + datetime.timedelta(days=30)
                    for i in range(PROJECTS)
                ],
                "last_activity_at": [idle_since if i % 100 == 1 else recent for i in range(PROJECTS)],
            },
        )
        due = list(
            Project.objects.filter(organization=org, next_follow_up_on__lte=today).values_list(
                "pk", "owner_id", "next_follow_up_on"
            )
        )
        _insert(
            FollowUp,
            FollowUp(
                kind="call", occurred_on=today, summary="电话", next_action="再约", author=owners[0], created_at=now
            ),
            {
                "project": [pk for pk, _, _ in due],
                "author": [owner_id for _, owner_id, _ in due],
                "next_due_on": [d for _, _, d in due],
                "occurred_on": [d - datetime.timedelta(days=7) for _, _, d in due],
            },
        )
    yield owners
    with django_db_blocker.unblock():
        FollowUp.objects.filter(project__organization=org)._raw_delete(connection.alias)
        Project.objects.filter(organization=org)._raw_delete(connection.alias)
        Membership.objects.filter(organization=org)._raw_delete(connection.alias)
        User.objects.filter(pk__in=[u.pk for u in users])._raw_delete(connection.alias)
        for obj in (org, zone, investor):
            type(obj).history.filter(id=obj.pk)._raw_delete(connection.alias)
            type(obj).objects.filter(pk=obj.pk)._raw_delete(connection.alias)
        assert not Project.objects.exists()


def inserts(model, rows: int) -> int:
    """INSERT statements for `rows` new rows: one per batch (the backend's batch size: SQLite
    allows 999 parameters per statement, so a wider table has smaller batches)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    batch = min(500, connection.ops.bulk_batch_size(fields, [None] * rows) or rows)
    return math.ceil(rows / batch)


def bound(fixed: int, model, rows: int) -> int:
    """`fixed` queries plus one INSERT per batch of new rows, whatever the number of projects scanned."""
    advisory_lock = connection.vendor == "postgresql"  # SQLite serialises writers by itself
    return fixed + advisory_lock + inserts(model, rows)


def test_reminder_sweep_runs_a_bounded_number_of_queries(db, big_pipeline, django_assert_max_num_queries):
    # One query grouped by owner and one INSERT (plus savepoints and PostgreSQL's lock), however
    # many officers: the emails are written when they are sent.
    with at("2025-06-17"), django_assert_max_num_queries(6 + (connection.vendor == "postgresql")):
        queued = reminders_sweep()
    assert queued == OWNERS
    rows = OutboxMessage.objects.filter(kind="reminder")
    assert rows.count() == OWNERS
    assert not rows.exclude(body_text="").exists()
    with at("2025-06-17", 15):
        assert reminders_sweep() == 0


def test_escalation_sweep_runs_a_bounded_number_of_queries(db, big_pipeline, django_assert_max_num_queries):
    overdue = PROJECTS // 100  # the half of the due projects that is 7 working days late
    with at("2025-06-17"), django_assert_max_num_queries(bound(11, Notice, overdue)):
        queued = escalations_sweep()
    assert queued == 1  # one daily email to the team lead
    assert Notice.objects.filter(kind="escalation").count() == overdue


def test_stale_sweep_runs_a_bounded_number_of_queries(db, big_pipeline, django_assert_max_num_queries):
    idle = PROJECTS // 100
    # the daily emails to the 61 owners: one INSERT, or more where batches are small (SQLite)
    with at("2025-06-17"), django_assert_max_num_queries(bound(9, Notice, idle) + inserts(OutboxMessage, OWNERS)):
        queued = stale_sweep()
    assert queued == OWNERS
    assert Notice.objects.filter(kind="stale").count() == idle
