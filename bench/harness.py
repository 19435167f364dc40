"""Timing helpers: each scenario is measured beside its baseline in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)
    queries: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


@dataclass
class Row:
    scenario: str
    ours: Timing
    baseline_name: str
    baseline: Timing
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours.median / self.baseline.median if self.baseline.median else float("inf")


def measure(fn: Callable[[], object], *, repeat: int = 15, warmup: int = 2) -> Timing:
    for _ in range(warmup):
        fn()
    timing = Timing()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    timing.queries = len(ctx.captured_queries)
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timing.samples.append((time.perf_counter() - start) * 1000)
    return timing


def captured_sql(fn: Callable[[], object]) -> list[str]:
    """The SQL statements `fn` runs (with parameters interpolated), to replay as a baseline."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def bare_sql(statements: list[str]) -> Callable[[], None]:
    """Run the statements through a raw cursor, fetching every row: the cost of the SQL alone."""

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return run


def get_ok(client, url: str) -> Callable[[], None]:
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if hasattr(response, "render") and not response.is_rendered:
            response.render()

    return run


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | ours median / p90 (ms) | baseline | baseline median / p90 (ms) | ratio | target | queries (ours / baseline) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.scenario} | {r.ours.median:.1f} / {r.ours.p90:.1f} | {r.baseline_name} | "
            f"{r.baseline.median:.1f} / {r.baseline.p90:.1f} | {r.ratio:.2f}× | {r.target} | "
            f"{r.ours.queries if r.ours.queries is not None else '—'} / "
            f"{r.baseline.queries if r.baseline.queries is not None else '—'} |" + (f" {r.note}" if r.note else "")
        )
    return "\n".join(lines)
