"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Without chromium the tests skip, saying why; under REQUIRE_SERVICES=1 (CI) that is a failure."""

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import need

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def browser(monkeypatch):
    need(os.path.exists(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the tests are
    # plain synchronous code. Set for the test only: a process-wide value would fail
    # `check --deploy` (async.E001) in other tests.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()
        # The test's ORM calls ran in Playwright's greenlet, which Django's connection handler
        # sees as a context of its own: close the connection opened there, or it outlives the
        # test and keeps the test database from being dropped at the end of the run.
        connections.close_all()
