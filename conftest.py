"""Test-wide settings: a fast password hasher and the in-memory email backend."""

import os


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3" and not default.get("TEST", {}).get("NAME"):
        # A file, not :memory:, so the Celery worker processes the integration tests start can
        # share the test database (tests/test_notifications_integration.py). One per session:
        # two test runs in one checkout must not share it.
        default.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / f"test_db_{os.getpid()}.sqlite3")
