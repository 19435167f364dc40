"""Who sees and does what on delivery pages: an operating company sees only its zone's orders
and items; out of scope is 404; state changes only on POST; managers supervise but do not
deliver."""

import datetime

import pytest
from django.urls import reverse

from projects.delivery import services as delivery
from projects.delivery import supervision
from projects.models import FundsTranche, ServiceRequest, SupervisionOrder

from .delivery_fixtures import YI, pdf, signed_project
from .factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def two_zones(cast):
    """A project with an order and a service request in each zone; zone B has its own company."""
    company_b = OrganizationFactory(name="云山高新区开发运营有限公司", zone=cast.zone_b, kind="operating_company")
    operator_b = UserFactory(username="operator_b")
    MembershipFactory(user=operator_b, organization=company_b, role="operator")
    a = signed_project(cast, title="清河项目")
    b = signed_project(
        cast,
        title="云山项目",
        organization=cast.committee_b,
        zone=cast.zone_b,
        owner=cast.outsider,
        operating_company=company_b,
        service_contact=operator_b,
    )
    due = datetime.date(2099, 1, 1)
    order_a = supervision.supervision_issue(
        project=a, user=cast.city_manager, instruction="清河督办事项", due_on=due, assignee=cast.operator
    )
    order_b = supervision.supervision_issue(
        project=b, user=cast.city_manager, instruction="云山督办事项", due_on=due, assignee=operator_b
    )
    item_a = supervision.service_request_open(
        project=a, user=cast.operator, department="power", description="清河用电报装", owner=cast.operator, due_on=due
    )
    item_b = supervision.service_request_open(
        project=b, user=operator_b, department="water", description="云山供水接入", owner=operator_b, due_on=due
    )
    return {
        "a": a,
        "b": b,
        "order_a": order_a,
        "order_b": order_b,
        "item_a": item_a,
        "item_b": item_b,
        "operator_b": operator_b,
    }


def test_an_operating_company_sees_only_its_zones_orders_and_items(cast, two_zones, client):
    client.force_login(cast.operator)
    html = client.get(reverse("delivery:overview")).content.decode()
    assert "清河督办事项" in html and "清河用电报装" in html
    assert "云山督办事项" not in html and "云山供水接入" not in html and "云山项目" not in html
    from projects.delivery.selectors import visible_orders, visible_service_requests

    assert list(visible_orders(cast.operator)) == [two_zones["order_a"]]
    assert list(visible_service_requests(cast.operator)) == [two_zones["item_a"]]
    assert set(visible_orders(cast.city_manager)) == {two_zones["order_a"], two_zones["order_b"]}


def test_a_project_of_another_zone_is_404_for_every_delivery_url(cast, two_zones, client):
    b, order_b, item_b = two_zones["b"], two_zones["order_b"], two_zones["item_b"]
    tranche = delivery.tranche_record(
        project=b,
        user=two_zones["operator_b"],
        received_on=datetime.date(2026, 1, 10),
        amount=YI,
        kind="other",
        evidence=pdf(),
    )
    client.force_login(cast.operator)
    assert client.get(reverse("delivery:plan", args=[b.pk])).status_code == 404
    assert client.get(reverse("delivery:tranche_correct_form", args=[b.pk, tranche.pk])).status_code == 404
    posts = [
        reverse("delivery:start", args=[b.pk]),
        reverse("delivery:milestones_plan", args=[b.pk]),
        reverse("delivery:milestone_record", args=[b.pk]),
        reverse("delivery:commitments", args=[b.pk]),
        reverse("delivery:commitment_report", args=[b.pk]),
        reverse("delivery:tranche_record", args=[b.pk]),
        reverse("delivery:tranche_correct", args=[b.pk, tranche.pk]),
        reverse("delivery:hand_over", args=[b.pk]),
        reverse("delivery:request_open", args=[b.pk]),
        reverse("delivery:request_close", args=[b.pk, item_b.pk]),
        reverse("delivery:leader", args=[b.pk]),
        reverse("delivery:order_issue", args=[b.pk]),
        reverse("delivery:order_acknowledge", args=[b.pk, order_b.pk]),
        reverse("delivery:order_report", args=[b.pk, order_b.pk]),
        reverse("delivery:order_close", args=[b.pk, order_b.pk]),
    ]
    for url in posts:
        assert client.post(url, {"text": "x", "outcome": "x"}).status_code == 404, url
    # Another zone's order reached through one's own project is 404 too.
    a = two_zones["a"]
    assert client.post(reverse("delivery:order_acknowledge", args=[a.pk, order_b.pk])).status_code == 404
    assert client.post(reverse("delivery:request_close", args=[a.pk, item_b.pk]), {"outcome": "x"}).status_code == 404
    order_b.refresh_from_db()
    item_b.refresh_from_db()
    assert order_b.status == SupervisionOrder.Status.OPEN and item_b.is_open


def test_state_changes_only_on_post(cast, two_zones, client):
    a = two_zones["a"]
    client.force_login(cast.operator)
    assert client.get(reverse("delivery:start", args=[a.pk])).status_code == 405
    assert client.get(reverse("delivery:order_acknowledge", args=[a.pk, two_zones["order_a"].pk])).status_code == 405
    assert client.post(reverse("delivery:plan", args=[a.pk])).status_code == 405
    assert client.post(reverse("delivery:overview")).status_code == 405


def test_anonymous_users_go_to_login(two_zones, client):
    response = client.get(reverse("delivery:plan", args=[two_zones["a"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_manager_sees_but_does_not_deliver(cast, two_zones, client):
    a = two_zones["a"]
    client.force_login(cast.city_manager)
    page = client.get(reverse("delivery:plan", args=[a.pk])).content.decode()
    assert 'data-testid="order-form"' in page and 'data-testid="tranche-form"' not in page
    response = client.post(
        reverse("delivery:tranche_record", args=[a.pk]),
        {"received_on": "2026-01-10", "amount": "100", "kind": "other", "evidence": pdf(), "evidence_kind": "voucher"},
    )
    assert response.status_code == 403
    assert not FundsTranche.objects.exists()


def test_an_operator_delivers_but_does_not_supervise(cast, two_zones, client):
    a = two_zones["a"]
    client.force_login(cast.operator)
    page = client.get(reverse("delivery:plan", args=[a.pk])).content.decode()
    assert 'data-testid="tranche-form"' in page and 'data-testid="order-form"' not in page
    response = client.post(
        reverse("delivery:order_issue", args=[a.pk]),
        {"instruction": "x", "due_on": "2099-01-01", "assignee": cast.operator.pk},
    )
    assert response.status_code == 403
    assert SupervisionOrder.objects.filter(project=a).count() == 1


def test_dropdowns_do_not_leak_other_zones_people(cast, two_zones, client):
    client.force_login(cast.operator)
    page = client.get(reverse("delivery:plan", args=[two_zones["a"].pk])).content.decode()
    assert "operator_b" not in page and cast.outsider.first_name not in page


def test_service_requests_are_tracked_until_closed(cast, two_zones, client):
    item = two_zones["item_a"]
    client.force_login(cast.operator)
    url = reverse("delivery:request_close", args=[item.project_id, item.pk])
    client.post(url, {"outcome": "已完成用电报装"})
    item.refresh_from_db()
    assert not item.is_open and item.outcome == "已完成用电报装"
    client.post(url, {"outcome": "again"})
    item.refresh_from_db()
    assert item.outcome == "已完成用电报装"
    assert ServiceRequest.objects.filter(closed_on__isnull=True).count() == 1
