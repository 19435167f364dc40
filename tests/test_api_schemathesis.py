"""Schemathesis against the generated OpenAPI schema, in process: no request may cause a server error.

The number of examples per operation is bounded (SCHEMATHESIS_EXAMPLES, default 8) so CI stays fast."""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.generation.modes import GenerationMode

from projects.models import FollowUp, Stage

from .factories import FollowUpFactory, ProjectFactory

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_a_server_error(cast, mode):
    project = ProjectFactory(organization=cast.committee_a, owner=cast.officer, stage=Stage.SITE_VISIT)
    FollowUpFactory(project=project, kind=FollowUp.Kind.VISIT)
    ProjectFactory(organization=cast.committee_b)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=cast.officer)[0].key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=headers)

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

        call()
    assert failures == []
    assert any(200 <= code < 300 for code in seen)  # the token worked: real answers, not only 401s
