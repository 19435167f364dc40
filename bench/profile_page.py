"""Profile one page on the bench database: its queries with their times, and where Python spends
the rest.

    python -m bench.profile_page "/projects/?per_page=50" [username] [--cprofile]
"""

import cProfile
import os
import pstats
import sys
import time


def main(argv: list[str]) -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pipeline_bench")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    args = [a for a in argv if not a.startswith("--")]
    url, username = args[0], (args[1] if len(args) > 1 else "bench_manager")
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        total = (time.perf_counter() - start) * 1000
    sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    print(f"{response.status_code}: {total:.0f} ms, of which SQL {sql:.0f} ms in {len(ctx.captured_queries)} queries")
    for q in ctx.captured_queries:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
    if "--cprofile" in argv:
        profile = cProfile.Profile()
        profile.enable()
        client.get(url)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(70)


if __name__ == "__main__":
    main(sys.argv[1:])
