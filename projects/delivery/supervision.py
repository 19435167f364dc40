"""Who looks after a project once it is handed over: the handoff to the zone's operating company
and its service contact, service requests to other departments, the leader responsible for
delivery, and supervision orders (issued and closed by a manager, acknowledged and reported on by
their recipient). Who may do what is in projects.delivery.services.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operators.access import scope_for, visible_projects
from operators.models import Membership, Organization
from projects.core.errors import PipelineError, full_clean
from projects.delivery.models import DeliveryPlan, ServiceRequest, SupervisionOrder, SupervisionReport
from projects.delivery.services import DELIVER, SUPERVISE, plan_or_start, touch_project
from projects.pipeline.models import Project

# -- handoff and service requests -------------------------------------------------------------


@transaction.atomic
def project_hand_over(*, project: Project, user, operating_company: Organization, service_contact) -> Project:
    """Hand day-to-day delivery to the zone's operating company and name its service contact.
    The credit (owning organisation and owner) does not change."""
    DELIVER.check(user, project)
    errors = {}
    if operating_company.kind != Organization.Kind.OPERATING_COMPANY or operating_company.zone_id != project.zone_id:
        errors["operating_company"] = [_("Choose the operating company of the project's zone.")]
    elif (
        service_contact is not None
        and not Membership.objects.filter(user=service_contact, organization=operating_company, is_active=True).exists()
    ):
        errors["service_contact"] = [_("The service contact must work for the operating company.")]
    if errors:
        raise PipelineError(_("Please correct the errors below."), errors)
    plan_or_start(project, user)
    touch_project(project, user, operating_company=operating_company, service_contact=service_contact)
    return project


@transaction.atomic
def service_request_open(
    *, project: Project, user, department: str, description: str, owner, due_on: datetime.date
) -> ServiceRequest:
    """Track something the project needs from another department, with an owner and a due date."""
    DELIVER.check(user, project)
    if owner is not None and not visible_projects(owner, Project.objects.filter(pk=project.pk)).exists():
        raise PipelineError(
            _("Please correct the errors below."), {"owner": [_("The owner must be able to see the project.")]}
        )
    item = ServiceRequest(
        project=project, department=department, description=description, owner=owner, due_on=due_on, created_by=user
    )
    full_clean(item)
    item._history_user = user
    item.save()
    return item


@transaction.atomic
def service_request_close(*, item: ServiceRequest, user, outcome: str) -> ServiceRequest:
    DELIVER.check(user, item.project)
    if not outcome.strip():
        raise PipelineError(_("Please correct the errors below."), {"outcome": [_("Say how it was settled.")]})
    claimed = ServiceRequest.objects.filter(pk=item.pk, closed_on__isnull=True).update(
        closed_on=timezone.localdate(), outcome=outcome.strip()
    )
    if not claimed:
        raise PipelineError(_("This request is already closed."))
    item.refresh_from_db()
    return item


# -- supervision ------------------------------------------------------------------------------


@transaction.atomic
def plan_assign_leader(*, project: Project, user, leader) -> DeliveryPlan:
    """A manager names the leader responsible for the project's delivery."""
    SUPERVISE.check(user, project)
    if leader is not None and not visible_projects(leader, Project.objects.filter(pk=project.pk)).exists():
        raise PipelineError(
            _("Please correct the errors below."), {"leader": [_("The leader must be able to see the project.")]}
        )
    plan = plan_or_start(project, user)
    plan.leader = leader
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def supervision_issue(*, project: Project, user, instruction: str, due_on: datetime.date, assignee) -> SupervisionOrder:
    """A manager orders something done on a project by a date, by someone who can see it."""
    SUPERVISE.check(user, project)
    errors = {}
    if not instruction.strip():
        errors["instruction"] = [_("Say what must happen.")]
    if due_on is None or due_on < timezone.localdate():
        errors["due_on"] = [_("The due date cannot be in the past.")]
    if assignee is None or not visible_projects(assignee, Project.objects.filter(pk=project.pk)).exists():
        errors["assignee"] = [_("The recipient must be able to see the project.")]
    if errors:
        raise PipelineError(_("Please correct the errors below."), errors)
    plan = DeliveryPlan.objects.filter(project=project).first()
    order = SupervisionOrder(
        project=project,
        instruction=instruction.strip(),
        due_on=due_on,
        assignee=assignee,
        issued_by=user,
        leader=plan.leader if plan else None,
    )
    full_clean(order)
    order._history_user = user
    order.save()
    return order


RECIPIENT_ONLY = gettext_lazy("Only the recipient of the order can acknowledge it or report on it.")


def is_recipient(order: SupervisionOrder, user) -> bool:
    """Who acts on an order: the person it was given to (administrators too)."""
    return order.assignee_id == user.pk or scope_for(user).is_admin


def _require_assignee(order: SupervisionOrder, user) -> None:
    if not is_recipient(order, user):
        raise PipelineError(str(RECIPIENT_ONLY))


@transaction.atomic
def supervision_acknowledge(*, order: SupervisionOrder, user) -> SupervisionOrder:
    """The recipient confirms they have the order; acknowledging twice changes nothing."""
    _require_assignee(order, user)
    SupervisionOrder.objects.filter(pk=order.pk, status=SupervisionOrder.Status.OPEN).update(
        status=SupervisionOrder.Status.ACKNOWLEDGED, acknowledged_at=timezone.now()
    )
    order.refresh_from_db()
    return order


@transaction.atomic
def supervision_report(*, order: SupervisionOrder, user, text: str) -> SupervisionReport:
    """The recipient reports progress (which also acknowledges the order)."""
    _require_assignee(order, user)
    if order.status == SupervisionOrder.Status.DONE:
        raise PipelineError(_("This order is already closed."))
    if not text.strip():
        raise PipelineError(_("Please correct the errors below."), {"text": [_("Say what has been done.")]})
    supervision_acknowledge(order=order, user=user)
    return SupervisionReport.objects.create(order=order, author=user, text=text.strip())


@transaction.atomic
def supervision_close(*, order: SupervisionOrder, user, text: str = "") -> SupervisionOrder:
    """A manager closes an order as done; it no longer escalates."""
    SUPERVISE.check(user, order.project)
    claimed = SupervisionOrder.objects.filter(pk=order.pk).exclude(status=SupervisionOrder.Status.DONE)
    if not claimed.update(status=SupervisionOrder.Status.DONE, done_at=timezone.now()):
        raise PipelineError(_("This order is already closed."))
    if text.strip():
        SupervisionReport.objects.create(order=order, author=user, text=text.strip())
    order.refresh_from_db()
    return order
