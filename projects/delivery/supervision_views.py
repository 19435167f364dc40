"""Pages of who looks after a project once it is handed over: the handoff, service requests, the
responsible leader and supervision orders, all forms of the delivery plan page (whose helpers are
in projects.delivery.views). Writes through projects.delivery.supervision, state changes only on
POST."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.errors import PipelineError
from projects.delivery import supervision
from projects.delivery.forms import (
    CloseForm,
    HandOverForm,
    LeaderForm,
    OrderCloseForm,
    ReportForm,
    ServiceRequestForm,
    SupervisionOrderForm,
)
from projects.delivery.models import SupervisionOrder
from projects.delivery.selectors import visible_orders, visible_service_requests
from projects.delivery.views import deliverable, plan_form, plan_url, supervisable


@require_POST
def hand_over(request, pk: int):
    return plan_form(
        request,
        pk,
        load=deliverable,
        form_class=HandOverForm,
        form_name="handover_form",
        service=supervision.project_hand_over,
        done=_("Delivery was handed to the operating company."),
        anchor="handoff",
    )


@require_POST
def service_request_open(request, pk: int):
    return plan_form(
        request,
        pk,
        load=deliverable,
        form_class=ServiceRequestForm,
        form_name="request_form",
        service=supervision.service_request_open,
        done=_("The request was added."),
        anchor="requests",
    )


@require_POST
def service_request_close(request, pk: int, item_pk: int):
    item = get_object_or_404(visible_service_requests(request.user), pk=item_pk, project_id=pk)
    deliverable(request, pk)
    form = CloseForm(request.POST)
    try:
        if not form.is_valid():
            raise PipelineError(_("Say how it was settled."))
        supervision.service_request_close(item=item, user=request.user, **form.cleaned_data)
    except PipelineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was closed."))
    return redirect(plan_url(item.project, "requests"))


@require_POST
def assign_leader(request, pk: int):
    return plan_form(
        request,
        pk,
        load=supervisable,
        form_class=LeaderForm,
        form_name="leader_form",
        service=supervision.plan_assign_leader,
        done=_("The responsible leader was saved."),
        anchor="supervision",
    )


@require_POST
def order_issue(request, pk: int):
    return plan_form(
        request,
        pk,
        load=supervisable,
        form_class=SupervisionOrderForm,
        form_name="order_form",
        service=supervision.supervision_issue,
        done=_("The supervision order was issued."),
        anchor="supervision",
    )


def _order(request, pk: int, order_pk: int) -> SupervisionOrder:
    return get_object_or_404(visible_orders(request.user), pk=order_pk, project_id=pk)


def _my_order(request, pk: int, order_pk: int) -> SupervisionOrder:
    """An order its recipient acts on: 404 out of scope, 403 to anyone else who sees it."""
    order = _order(request, pk, order_pk)
    if not supervision.is_recipient(order, request.user):
        raise PermissionDenied(str(supervision.RECIPIENT_ONLY))
    return order


@require_POST
def order_acknowledge(request, pk: int, order_pk: int):
    order = _my_order(request, pk, order_pk)
    try:
        supervision.supervision_acknowledge(order=order, user=request.user)
    except PipelineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You acknowledged the order."))
    if request.POST.get("next") == "overview":
        return redirect("delivery:overview")
    return redirect(plan_url(order.project, f"order-{order.pk}"))


@require_POST
def order_report(request, pk: int, order_pk: int):
    order = _my_order(request, pk, order_pk)
    form = ReportForm(request.POST)
    try:
        if not form.is_valid():
            raise PipelineError(_("Say what has been done."))
        supervision.supervision_report(order=order, user=request.user, **form.cleaned_data)
    except PipelineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your progress report was sent."))
    return redirect(plan_url(order.project, f"order-{order.pk}"))


@require_POST
def order_close(request, pk: int, order_pk: int):
    order = _order(request, pk, order_pk)
    supervisable(request, pk)
    form = OrderCloseForm(request.POST)
    try:
        form.is_valid()
        supervision.supervision_close(order=order, user=request.user, text=form.cleaned_data.get("text", ""))
    except PipelineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The order was closed."))
    return redirect(plan_url(order.project, f"order-{order.pk}"))
