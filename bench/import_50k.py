"""Time a 50,000-row ledger import through the Celery tasks (check, then write).

    .venv/bin/python bench/import_50k.py [--rows 50000] [--format csv|xlsx]

Without DATABASE_URL it uses its own SQLite file under var/ (migrated on the way), never the
development database. With DATABASE_URL (e.g. postgres://…/pipeline_bench) it runs against that.
The tasks run in process (Celery eager mode) so the time is the task's own, without broker latency.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench_import.sqlite3'}"
    os.environ.setdefault("DEBUG", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from operators.models import Membership, Organization, Role, Zone
    from projects.ledger.imports import import_job_confirm, import_job_create
    from projects.models import ImportJob, Project
    from tasks.tasks import apply_import, check_import
    from tests.ledger_files import ledger_csv, ledger_rows, ledger_xlsx

    call_command("migrate", verbosity=0)
    app.conf.task_always_eager = True
    phases = _time_phases()
    from django.contrib.auth import get_user_model

    zone, _ = Zone.objects.get_or_create(
        name="清河经济开发区",
        defaults={"short_name": "清河经开区", "kind": "economic_tech", "level": "provincial", "county": "清河县"},
    )
    # A fresh organisation each run, so every run creates all its rows.
    org = Organization.objects.create(
        name=f"基准测试管委会{time.time_ns()}", kind="committee", zone=zone, county="清河县"
    )
    user, _ = get_user_model().objects.get_or_create(username="officer", defaults={"first_name": "officer"})
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.OFFICER})
    colleague, _ = get_user_model().objects.get_or_create(username="zhangmin", defaults={"first_name": "张敏"})
    Membership.objects.get_or_create(user=colleague, organization=org, defaults={"role": Role.OFFICER})

    started = time.perf_counter()
    rows = ledger_rows(args.rows, seed=int(time.time()))
    data = ledger_xlsx(rows) if args.format == "xlsx" else ledger_csv(rows)
    made = time.perf_counter() - started
    job = import_job_create(user=user, organization=org, upload=SimpleUploadedFile(f"bench.{args.format}", data))

    started = time.perf_counter()
    check_import.delay(job.pk)
    checked = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and not job.error_count, (job.status, job.message, job.problems[:3])
    assert import_job_confirm(job=job)
    started = time.perf_counter()
    apply_import.delay(job.pk)
    applied = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert Project.objects.filter(organization=org).count() == args.rows

    n = args.rows
    print(
        f"database: {connection.vendor}   file: {args.format}, {len(data) / 1048576:.1f} MB, {n:,} rows (made in {made:.1f} s)"
    )
    print(f"{'step':<24}{'seconds':>10}{'rows/s':>10}")
    print(f"{'check (preview)':<24}{checked:>10.1f}{n / checked:>10.0f}")
    print(f"{'write (confirm)':<24}{applied:>10.1f}{n / applied:>10.0f}")
    print(f"{'total':<24}{checked + applied:>10.1f}{n / (checked + applied):>10.0f}")
    print(
        "of which: " + ", ".join(f"{name} {', '.join(f'{t:.1f}' for t in times)} s" for name, times in phases.items())
    )


def _time_phases() -> dict[str, list[float]]:
    """Wrap the import's phases (reading the file, checking the rows, writing them, committing) with
    timers: the tasks run in this process, so their times can be told apart."""
    from django.db import transaction

    from projects.ledger import imports

    phases: dict[str, list[float]] = {"read": [], "check": [], "write": [], "commit": []}

    def timed(name, fn):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name].append(time.perf_counter() - started)

        return run

    imports.read_rows = timed("read", imports.read_rows)
    imports.build_plan = timed("check", imports.build_plan)
    write_plan = imports.write_plan

    def write_and_commit(plan, **kwargs):
        timed("write", write_plan)(plan, **kwargs)
        started = time.perf_counter()
        transaction.on_commit(lambda: phases["commit"].append(time.perf_counter() - started))

    imports.write_plan = write_and_commit
    return phases


if __name__ == "__main__":
    main()
