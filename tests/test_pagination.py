"""The list's deep pages are fetched by primary key first; the rows must be exactly those of a
plain OFFSET page, in the same order, for every sort."""

import pytest
from django.urls import reverse

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(cast):
    return [ProjectFactory(organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer) for _ in range(23)]


@pytest.mark.parametrize("sort", ["", "title", "-planned_amount", "investor"])
def test_each_page_holds_the_rows_of_a_plain_slice(client, cast, many, sort):
    client.force_login(cast.officer)
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("projects:list"), {"per_page": 10, "page": page, "sort": sort})
        assert response.status_code == 200
        table = response.context["table"]
        seen += [row.record.pk for row in table.page.object_list]
        expected = list(table.data.data.values_list("pk", flat=True))[(page - 1) * 10 : page * 10]
        assert [row.record.pk for row in table.page.object_list] == expected
    assert sorted(seen) == sorted(p.pk for p in many)


def test_a_page_past_the_end_falls_back_to_a_clear_answer(client, cast, many):
    client.force_login(cast.officer)
    response = client.get(reverse("projects:list"), {"per_page": 10, "page": 9})
    assert response.status_code in (200, 404)


def test_the_list_never_counts_the_whole_table(client, cast, many):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.officer)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("projects:list"), {"page": 2, "per_page": 10}).status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "projects_project" in q["sql"]]
    assert counts == []
