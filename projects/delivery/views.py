"""Pages of delivery after the signature: a project's delivery plan (milestones, commitments, funds)
and the 三未 / supervision overview, with the plan page's helpers that the handoff, service request
and supervision pages (projects.delivery.supervision_views) share. Thin: projects opened through
projects.pipeline.rights (out of scope → 404, in scope without the right → 403 saying why), writes
through projects.delivery.services, state changes only on POST."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from operators.access import scope_for, visible_zones
from projects.core.amounts import amount, ratio
from projects.core.confidential import can_see_names, display_investor, display_title
from projects.core.errors import PipelineError
from projects.delivery import services as delivery
from projects.delivery.forms import (
    CommitmentReportForm,
    CommitmentsForm,
    HandOverForm,
    LeaderForm,
    MilestoneActualForm,
    MilestonePlanForm,
    ServiceRequestForm,
    SupervisionOrderForm,
    TrancheCorrectForm,
    TrancheForm,
)
from projects.delivery.models import (
    AMOUNT_METRICS,
    CommitmentMetric,
    CommitmentReport,
    DeliveryPlan,
    DeliverySettings,
    FundsTranche,
    Milestone,
    MilestoneKind,
    SupervisionOrder,
    SupervisionReport,
)
from projects.delivery.selectors import (
    delivery_digest,
    my_open_orders,
    three_not_yets,
    visible_orders,
    visible_service_requests,
    zone_funds_in_place,
)
from projects.pipeline.forms import add_service_errors
from projects.pipeline.funds import has_tranches
from projects.pipeline.models import Project
from projects.pipeline.need_to_know import log_confidential_access
from projects.pipeline.rights import project_for_changing, project_for_reading


def deliverable(request, pk: int) -> Project:
    return project_for_changing(request, pk, delivery.DELIVER)


def supervisable(request, pk: int) -> Project:
    return project_for_changing(request, pk, delivery.SUPERVISE)


def plan_url(project: Project, anchor: str = "") -> str:
    return reverse("delivery:plan", args=[project.pk]) + (f"#{anchor}" if anchor else "")


def _commitment_rows(plan: DeliveryPlan | None, project: Project) -> list[dict]:
    """Promised against achieved, in the order of the agreement. Total investment achieved is
    the funds in place (tranches); intensity achieved is derived."""
    if plan is None:
        return []
    rows = [
        {
            "label": _("Total investment"),
            "promised": plan.promised_total_investment,
            "achieved": project.actual_investment,
            "unit": "amount",
        },
    ]
    for metric in CommitmentMetric:
        promised_name = {"land_mu": "promised_land_mu"}.get(metric.value, f"promised_{metric.value}")
        rows.append(
            {
                "label": metric.label,
                "promised": getattr(plan, promised_name),
                "achieved": getattr(plan, f"achieved_{metric.value}"),
                "unit": "amount" if metric in AMOUNT_METRICS else "number",
            }
        )
    rows.insert(
        2,
        {
            "label": _("Investment intensity (万元 per mu)"),
            "promised": plan.promised_intensity,
            "achieved": plan.achieved_intensity,
            "unit": "number",
        },
    )
    for row in rows:
        promised, achieved = row["promised"], row["achieved"]
        # How much of the promise is kept (承诺完成): nothing reported yet reads "—", not 0 %.
        row["ratio"] = ratio(achieved, promised) if achieved is not None else None
    return rows


def render_plan(request, project: Project, status: int = 200, **forms):
    user = request.user
    today = timezone.localdate()
    policy = DeliverySettings.current()
    plan = DeliveryPlan.objects.select_related("leader").filter(project=project).first()
    milestones = sorted(Milestone.objects.filter(project=project), key=lambda m: m.order)
    tranches = list(FundsTranche.objects.filter(project=project).select_related("evidence", "recorded_by"))
    orders = (
        SupervisionOrder.objects.filter(project=project)
        .select_related("assignee", "issued_by", "leader")
        .prefetch_related(Prefetch("reports", queryset=SupervisionReport.objects.select_related("author")))
    )
    may_deliver = delivery.DELIVER.allows(user, project)
    may_supervise = delivery.SUPERVISE.allows(user, project)
    log_confidential_access(project=project, user=user)
    context = {
        "project": project,
        "title": display_title(project, user),
        "investor_name": display_investor(project, user),
        "names_visible": can_see_names(project, user),
        "plan": plan,
        "today": today,
        "grace_days": policy.grace_days,
        "milestones": [(m, m.colour(today, policy.grace_days), m.days_late(today)) for m in milestones],
        "commitments": _commitment_rows(plan, project),
        "reports": CommitmentReport.objects.filter(project=project).select_related("evidence", "recorded_by")[:20],
        "tranches": tranches,
        # Funds in place and their rate by the one definition (projects.pipeline.funds).
        "received": project.actual_investment,
        "contracted": project.contract_amount,
        "rate": project.funds_in_place_rate,
        "service_requests": project.service_requests.select_related("owner").all(),
        "orders": orders,
        "can_deliver": may_deliver,
        "can_supervise": may_supervise,
        "is_signed": project.stage in delivery.SIGNED_STAGES,
    }
    if may_deliver:
        context |= {
            "plan_form": forms.get("plan_form") or MilestonePlanForm(milestones=milestones),
            "actual_form": forms.get("actual_form") or MilestoneActualForm(),
            "commitments_form": forms.get("commitments_form") or CommitmentsForm.for_plan(plan),
            "report_form": forms.get("report_form") or CommitmentReportForm(),
            "tranche_form": forms.get("tranche_form") or TrancheForm(),
            "handover_form": forms.get("handover_form") or HandOverForm(user=user, project=project),
            "request_form": forms.get("request_form") or ServiceRequestForm(user=user, project=project),
        }
    if may_supervise:
        context |= {
            "leader_form": forms.get("leader_form")
            or LeaderForm(user=user, project=project, initial={"leader": plan.leader_id if plan else None}),
            "order_form": forms.get("order_form") or SupervisionOrderForm(user=user, project=project),
        }
    context["open_form"] = next((name for name, form in forms.items() if form is not None and form.errors), "")
    return render(request, "projects/delivery/plan.html", context, status=status)


def fail(request, project, exc: PipelineError, form_name: str, form):
    """Show the service's errors on the form the user sent, field by field."""
    messages.error(request, exc.message)
    add_service_errors(form, exc.errors)
    return render_plan(request, project, status=400, **{form_name: form})


@require_GET
def plan(request, pk: int):
    return render_plan(request, project_for_reading(request, pk))


@require_POST
def start(request, pk: int):
    project = deliverable(request, pk)
    try:
        delivery.delivery_start(project=project, user=request.user)
    except PipelineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Delivery started: milestones planned from the agreement."))
    return redirect(plan_url(project))


@require_POST
def milestones_plan(request, pk: int):
    project = deliverable(request, pk)
    form = MilestonePlanForm(request.POST, milestones=Milestone.objects.filter(project=project))
    if not form.is_valid():
        return render_plan(request, project, status=400, plan_form=form)
    try:
        delivery.milestones_plan(project=project, user=request.user, planned=form.cleaned_data)
    except PipelineError as exc:
        return fail(request, project, exc, "plan_form", form)
    messages.success(request, _("The plan was saved."))
    return redirect(plan_url(project, "milestones"))


@require_POST
def milestone_record(request, pk: int):
    project = deliverable(request, pk)
    form = MilestoneActualForm(request.POST)
    if not form.is_valid():
        return render_plan(request, project, status=400, actual_form=form)
    try:
        milestone = delivery.milestone_record(project=project, user=request.user, **form.cleaned_data)
    except PipelineError as exc:
        return fail(request, project, exc, "actual_form", form)
    messages.success(
        request,
        _("%(milestone)s recorded on %(date)s.")
        % {"milestone": MilestoneKind(milestone.kind).label, "date": milestone.actual_on},
    )
    return redirect(plan_url(project, "milestones"))


@require_POST
def commitments(request, pk: int):
    return plan_form(
        request,
        pk,
        load=deliverable,
        form_class=CommitmentsForm,
        form_name="commitments_form",
        service=delivery.commitments_set,
        done=_("The commitments were saved."),
        anchor="commitments",
        files=True,
    )


@require_POST
def commitment_report(request, pk: int):
    return plan_form(
        request,
        pk,
        load=deliverable,
        form_class=CommitmentReportForm,
        form_name="report_form",
        service=delivery.commitment_report,
        done=_("The progress was recorded with its evidence."),
        anchor="commitments",
        files=True,
    )


@require_POST
def tranche_record(request, pk: int):
    def record(*, project: Project, **fields):
        # The first tranche replaces a figure typed before: say so (the history keeps it).
        typed = None if has_tranches(project) else project.actual_investment
        tranche = delivery.tranche_record(project=project, **fields)
        if typed is not None and typed != project.actual_investment:
            messages.info(
                request,
                _(
                    "The actual investment to date is now the sum of the funds tranches (%(now)s); "
                    "the %(typed)s typed before is kept in the project's history."
                )
                % {"now": amount(project.actual_investment), "typed": amount(typed)},
            )
        return tranche

    return plan_form(
        request,
        pk,
        load=deliverable,
        form_class=TrancheForm,
        form_name="tranche_form",
        service=record,
        done=_("The funds were recorded."),
        anchor="funds",
        files=True,
    )


@require_GET
def tranche_correct_form(request, pk: int, tranche_pk: int):
    project = project_for_reading(request, pk)
    tranche = get_object_or_404(FundsTranche.objects.filter(project=project), pk=tranche_pk)
    return render(
        request,
        "projects/delivery/tranche_correct.html",
        {
            "project": project,
            "title": display_title(project, request.user),
            "tranche": tranche,
            "form": TrancheCorrectForm(tranche=tranche),
            "history": tranche.history.select_related("history_user").all(),
            "can_deliver": delivery.DELIVER.allows(request.user, project),
        },
    )


@require_POST
def tranche_correct(request, pk: int, tranche_pk: int):
    project = deliverable(request, pk)
    tranche = get_object_or_404(FundsTranche.objects.filter(project=project), pk=tranche_pk)
    form = TrancheCorrectForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            delivery.tranche_correct(tranche=tranche, user=request.user, **form.cleaned_data)
        except PipelineError as exc:
            error = exc
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("The tranche was corrected; its history keeps the earlier figures."))
            return redirect(plan_url(project, "funds"))
    if error:
        messages.error(request, error.message)
    return render(
        request,
        "projects/delivery/tranche_correct.html",
        {
            "project": project,
            "title": display_title(project, request.user),
            "tranche": tranche,
            "form": form,
            "history": tranche.history.select_related("history_user").all(),
            "can_deliver": delivery.DELIVER.allows(request.user, project),
        },
        status=400,
    )


def plan_form(request, pk: int, *, load, form_class, form_name: str, service, done: str, anchor: str, files=False):
    """The plan page's small forms all work alike: load the project the user may act on (404 out
    of scope, 403 to who only sees it), validate, call the service, say what happened and go back
    to the section; a form or rule error shows the plan page with the form's errors."""
    project = load(request, pk)
    if files:  # forms of evidence files take no user or project
        form = form_class(request.POST, request.FILES)
    else:
        form = form_class(request.POST, user=request.user, project=project)
    if not form.is_valid():
        return render_plan(request, project, status=400, **{form_name: form})
    try:
        service(project=project, user=request.user, **form.cleaned_data)
    except PipelineError as exc:
        return fail(request, project, exc, form_name, form)
    messages.success(request, done)
    return redirect(plan_url(project, anchor))


@require_GET
def overview(request):
    """The 三未 lists per zone with days late, funds in place per zone, supervision orders."""
    user = request.user
    today = timezone.localdate()
    zones = visible_zones(user).order_by("county", "name")
    zone_id = request.GET.get("zone")
    zone_ids = [int(zone_id)] if zone_id and zone_id.isdigit() and zones.filter(pk=zone_id).exists() else None
    orders = visible_orders(user).prefetch_related("project__need_to_know").exclude(status=SupervisionOrder.Status.DONE)
    if zone_ids:
        orders = orders.filter(project__zone_id__in=zone_ids)
    open_requests = (
        visible_service_requests(user).filter(closed_on__isnull=True).prefetch_related("project__need_to_know")
    )
    if zone_ids:
        open_requests = open_requests.filter(project__zone_id__in=zone_ids)
    recent = delivery_digest(
        user, since=timezone.now() - datetime.timedelta(days=7), until=timezone.now(), zone_ids=zone_ids
    )
    return render(
        request,
        "projects/delivery/overview.html",
        {
            "today": today,
            "zones": zones,
            "zone_id": zone_ids[0] if zone_ids else None,
            "groups": three_not_yets(user, today=today, zone_ids=zone_ids),
            "counts": recent.counts,  # the 三未 sizes, counted once for the page and its 7-day card
            "funds": zone_funds_in_place(user, zone_ids=zone_ids),
            "orders": [(display_title(o.project, user), o) for o in orders.order_by("due_on", "pk")],
            "my_orders": [
                (display_title(o.project, user), o)
                for o in my_open_orders(user).prefetch_related("project__need_to_know")
            ],
            "requests": [(display_title(r.project, user), r) for r in open_requests.order_by("due_on", "pk")[:50]],
            "is_manager": scope_for(user).is_manager,
            "recent": recent,
        },
    )
