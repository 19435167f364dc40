"""Two people move the same project at once, on PostgreSQL: one wins, the other gets the conflict
with what changed, and exactly one StageChange is written."""

import threading

import pytest
from django.db import connection, connections

from projects.core.errors import StaleVersion
from projects.models import Project, Stage, StageChange
from projects.pipeline import stages

from .conftest import need
from .delivery_helpers import project_at

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _needs_postgres():
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL=postgres://...)")


def _run(user_id, project_id, to_stage, note, results, barrier=None):
    try:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=user_id)
        project = Project.objects.get(pk=project_id)
        if barrier:
            barrier.wait(timeout=20)
        change = stages.project_move_stage(project=project, user=user, to_stage=to_stage, expected_version=1, note=note)
        results[to_stage] = change
    except StaleVersion as exc:
        results[to_stage] = exc
    except Exception as exc:  # surfaced by the assertions
        results[to_stage] = exc
    finally:
        connections.close_all()


def test_two_moves_started_together_one_wins(cast):
    _needs_postgres()
    project = project_at(Stage.NEGOTIATING, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    results: dict = {}
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_run, args=(cast.officer.pk, project.pk, Stage.SITE_VISIT, "退回考察", results, barrier)
        ),
        threading.Thread(
            target=_run, args=(cast.teammate.pk, project.pk, Stage.CONTACTED, "退回接洽", results, barrier)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["StageChange", "StaleVersion"], results
    assert StageChange.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert project.version == 2
    winner = next(r for r in results.values() if isinstance(r, StageChange))
    assert project.stage == winner.to_stage


def test_the_second_writer_waits_on_the_first_and_then_gets_the_conflict(cast, monkeypatch):
    """Deterministic overlap: the first writer holds the claimed row until the second is blocked
    on it, then commits; the second then sees the new version and writes nothing."""
    _needs_postgres()
    project = project_at(Stage.NEGOTIATING, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    original = stages.save_version
    first_claimed = threading.Event()
    second_may_start = threading.Event()

    def slow_save(current, user, **kwargs):
        if user.pk == cast.officer.pk:
            first_claimed.set()
            # Wait until the other connection is blocked on this row's lock.
            with connection.cursor() as cursor:
                for _ in range(2000):
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0]:
                        break
                    second_may_start.set()
                    threading.Event().wait(0.01)
        return original(current, user, **kwargs)

    monkeypatch.setattr(stages, "save_version", slow_save)
    results: dict = {}
    first = threading.Thread(target=_run, args=(cast.officer.pk, project.pk, Stage.SITE_VISIT, "退回考察", results))
    first.start()
    assert first_claimed.wait(timeout=20)
    second_may_start.wait(timeout=20)
    second = threading.Thread(target=_run, args=(cast.teammate.pk, project.pk, Stage.CONTACTED, "退回接洽", results))
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert isinstance(results[Stage.SITE_VISIT], StageChange), results
    conflict = results[Stage.CONTACTED]
    assert isinstance(conflict, StaleVersion), results
    assert conflict.current_version == 2
    assert [c[1:] for c in conflict.changes] == [(Stage.NEGOTIATING.label, Stage.SITE_VISIT.label)]
    assert StageChange.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).stage == Stage.SITE_VISIT
