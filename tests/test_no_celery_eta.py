"""No notification is ever scheduled as a Celery ETA/countdown: beat triggers sweeps, the
database says what is due (a far-future ETA is redelivered by Redis after its visibility timeout)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["tasks", "projects", "operators", "config"]
FORBIDDEN = re.compile(r"\b(eta|countdown|expires)\s*=|\.apply_async\([^)]*\b(eta|countdown)\b|retry\([^)]*countdown")


def _sources():
    for app in SCANNED:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_code_schedules_a_task_for_later():
    offenders = []
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if FORBIDDEN.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_scan_would_catch_one(tmp_path):
    assert FORBIDDEN.search("send_reminder.apply_async(args=[1], eta=due_at)")
    assert FORBIDDEN.search("task.apply_async((1,), countdown=3600)")
    assert FORBIDDEN.search("raise self.retry(exc=exc, countdown=60)")
    assert not FORBIDDEN.search("task.apply_async(args=args, kwargs=kwargs, retry=False)")
