"""`make bench`: seed province-scale data on PostgreSQL, measure each scenario beside its baseline
in the same run, print one table and write it to docs/benchmarks.md.

    python -m bench                 # 100,000 projects, 1,000,000 follow-ups (about 10-15 minutes)
    python -m bench --scale 0.05    # a quick run on 5,000 projects
    python -m bench --reseed        # drop and seed again

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/pipeline_bench (created if missing).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pipeline_bench"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the province-scale sizes")
    parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed it again")
    parser.add_argument("--repeat", type=int, default=15, help="requests per measurement")
    parser.add_argument("--only", default="", help="comma-separated scenario keys to run")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        print("make bench needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    _ensure_database(url, drop=args.reseed)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from projects.models import Project

    from . import scenarios
    from .harness import table
    from .seed import Sizes, seed

    seeded = None
    if not Project.objects.exists():
        sizes = Sizes.scaled(args.scale) if args.scale != 1.0 else Sizes()
        print(f"seeding {sizes} …", flush=True)
        seeded = seed(sizes)
    else:
        print(f"using the existing bench data ({Project.objects.count():,} projects); --reseed to start over")

    only = {key.strip() for key in args.only.split(",") if key.strip()}
    rows = scenarios.run_all(repeat=args.repeat, only=only)
    report = table(rows)
    print()
    print(report)
    if not args.no_write:
        _write_report(report, seeded, rows)
    return 0


def _ensure_database(url: str, *, drop: bool) -> None:
    import psycopg
    from environ import Env

    cfg = Env.db_url_config(url)
    name = cfg["NAME"]
    admin = psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=cfg.get("PORT") or 5432,
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def _write_report(report: str, seeded: dict | None, rows) -> None:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    path = ROOT / "docs" / "benchmarks.md"
    previous = path.read_text() if path.exists() else ""
    marker = "<!-- history below: earlier runs and before/after notes, kept by hand -->"
    history = previous.split(marker, 1)[1] if marker in previous else ""
    seeded_line = (
        f"Seeded {sum(seeded['counts'].values()):,} rows in {seeded['seconds']:.0f} s "
        f"({seeded['rows_per_second']:,.0f} rows/s with COPY): {seeded['counts']}."
        if seeded
        else "Data seeded by an earlier run."
    )
    text = f"""# Benchmarks

Latest `make bench` run, {time.strftime("%Y-%m-%d %H:%M %Z")}. Machine: {platform.machine()},
{os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()},
PostgreSQL {pg_version}. Medians and p90 over repeated requests through the Django test client;
every baseline measured in the same run. Ratio = ours ÷ baseline (lower is better).

{seeded_line}

{report}

{marker}{history}"""
    path.write_text(text)
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
