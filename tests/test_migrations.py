"""The models and the migrations agree: moving code between packages changes no table."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail("makemigrations found changes:\n" + out.getvalue())
    assert "No changes detected" in out.getvalue()
