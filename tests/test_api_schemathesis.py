"""Schemathesis against the generated OpenAPI schema, in process: no request may cause a server error.

The number of examples per operation is bounded (SCHEMATHESIS_EXAMPLES, default 8) so CI stays fast."""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.generation.modes import GenerationMode

from projects.models import FollowUp, Stage

from .factories import FollowUpFactory, ProjectFactory


@pytest.fixture
def app():
    """The Django WSGI app, keeping the test's database connection open between requests (as
    Django's test client does), so every call runs inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_a_server_error(cast, mode, app):
    project = ProjectFactory(organization=cast.committee_a, owner=cast.officer, stage=Stage.SITE_VISIT)
    FollowUpFactory(project=project, kind=FollowUp.Kind.VISIT)
    ProjectFactory(organization=cast.committee_b)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=cast.officer)[0].key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)

    failures, seen = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def call(case):
            response = case.call(headers=headers)
            seen.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} {case.body!r} → {response.status_code}"
                )

        try:
            call()
        except Unsatisfiable:
            # No invalid request exists for this operation (nothing to get wrong): nothing to test.
            assert mode == GenerationMode.NEGATIVE
    assert failures == []
    assert any(200 <= code < 300 for code in seen)  # the token worked: real answers, not only 401s
