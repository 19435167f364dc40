"""Delivery pages: stage and status changes with their evidence, files, the zone's page for the
operating company, owner reassignment, confidentiality and its access log, the dispute queue.
Views are thin: they open the project through projects.pipeline.rights (outside scope: 404;
visible but not the user's to change: 403 saying why) and call the services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Case, DateField, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from operators.access import (
    settles_disputes,
    visible_projects,
    visible_related,
    visible_zones,
    works_pipeline_of,
)
from projects.core import confidential
from projects.core.errors import PipelineError, StaleVersion
from projects.pipeline import need_to_know
from projects.pipeline.attachments import AttachmentError, attachment_replace, attachment_upload
from projects.pipeline.disputes import dispute_queue, duplicate_decide
from projects.pipeline.edit_forms import (
    AttachmentForm,
    ConfidentialityForm,
    DeliveryDetailsForm,
    DisputeDecisionForm,
    OwnerForm,
    ReplaceFileForm,
    StageChangeForm,
    StatusChangeForm,
)
from projects.pipeline.models import (
    Attachment,
    ConfidentialAccess,
    PossibleDuplicate,
    Project,
    Stage,
    StageChange,
    Status,
)
from projects.pipeline.ownership import possible_owners, project_assign_owner
from projects.pipeline.rights import (
    ASSIGN_OWNER,
    MANAGE_CONFIDENTIALITY,
    WORK_PIPELINE,
    project_for_changing,
)
from projects.pipeline.selectors import with_shown_names
from projects.pipeline.stages import project_move_stage, project_set_status
from projects.pipeline.writes import project_update_delivery

STAGE_ORDER = Case(*(When(stage=s, then=Value(i)) for i, s in enumerate(Stage.values)), output_field=IntegerField())
# What waits on the operating company (days since the previous step).
CONTRACT_TO_REGISTRATION_DAYS = 60
REGISTRATION_TO_CONSTRUCTION_DAYS = 90


def _projects():
    return Project.objects.select_related("investor", "zone", "organization", "owner")


def project_page_url(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _next_url(request) -> str:
    """Where to go back after a form (the board a move was tried from), if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _apply_errors(form, exc: PipelineError) -> None:
    for name, messages_ in exc.errors.items():
        for message in messages_ if isinstance(messages_, list | tuple) else [messages_]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.errors:
        form.add_error(None, str(exc.message))


def _done(request, project, message: str):
    messages.success(request, message)
    url = _next_url(request) or project_page_url(project)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _render_form(request, project, template: str, context: dict):
    """The form as a partial for htmx (a modal on the project page or the board), else a page."""
    context["form"].style()
    context = {
        "project": project,
        "title": confidential.display_title(project, request.user),
        "next": _next_url(request),
        **context,
    }
    if request.htmx:
        return render(request, template, context)
    return render(request, "projects/delivery/form_page.html", {**context, "partial": template})


def _conflict(form, exc: StaleVersion, project):
    """Show what changed and let the user retry on the current version."""
    form.add_error(None, str(exc.message))
    data = form.data.copy()
    data["version"] = exc.current_version
    form.data = data
    return {"conflict": exc.changes, "current_version": exc.current_version}


@require_http_methods(["GET", "POST"])
def project_stage(request, pk):
    project = project_for_changing(request, pk)
    operator_only = not works_pipeline_of(request.user, project)
    form = StageChangeForm(
        request.POST or None,
        request.FILES or None,
        project=project,
        operator_only=operator_only,
        show_names=confidential.can_see_names(project, request.user),
        # Opened for a given move (from the board): that stage and note, prefilled.
        initial={k: request.GET[k] for k in ("to_stage", "note") if request.GET.get(k)},
    )
    extra = {}
    if request.method == "POST" and form.is_valid():
        evidence, uploads = form.evidence_and_uploads()
        try:
            change = project_move_stage(
                project=project,
                user=request.user,
                to_stage=form.cleaned_data["to_stage"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                evidence=evidence,
                uploads=uploads,
            )
        except StaleVersion as exc:
            extra = _conflict(form, exc, project)
        except PipelineError as exc:
            _apply_errors(form, exc)
        else:
            return _done(
                request,
                project,
                _("Moved to “%(stage)s”.") % {"stage": Stage(change.to_stage).label},
            )
    return _render_form(
        request,
        project,
        "projects/delivery/_stage_form.html",
        {"form": form, "groups": form.groups(), "current_order": Stage.order(project.stage), **extra},
    )


@require_http_methods(["GET", "POST"])
def project_status(request, pk):
    project = project_for_changing(request, pk, WORK_PIPELINE)
    form = StatusChangeForm(request.POST or None, project=project)
    extra = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project_set_status(
                project=project,
                user=request.user,
                status=data["status"],
                expected_version=data["version"],
                note=data["note"],
                lost_reason=data["lost_reason"],
                on_hold_until=data["on_hold_until"],
            )
        except StaleVersion as exc:
            extra = _conflict(form, exc, project)
        except PipelineError as exc:
            _apply_errors(form, exc)
        else:
            return _done(
                request, project, _("Status changed to “%(status)s”.") % {"status": Status(data["status"]).label}
            )
    return _render_form(request, project, "projects/delivery/_status_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
def project_details(request, pk):
    project = project_for_changing(request, pk)
    form = DeliveryDetailsForm(request.POST or None, project=project, user=request.user)
    extra = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, note = data.pop("version"), data.pop("note")
        if "site_location" in data:
            data["site_location"] = data["site_location"].strip()
        try:
            project_update_delivery(
                project=project, user=request.user, expected_version=version, values=data, note=note
            )
        except StaleVersion as exc:
            extra = _conflict(form, exc, project)
        except PipelineError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, project, _("Delivery details saved."))
    return _render_form(request, project, "projects/delivery/_details_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
def attachment_new(request, pk):
    project = project_for_changing(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = attachment_upload(
                project=project, user=request.user, uploaded=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except AttachmentError as exc:
            form.add_error("file", str(exc.message))
        else:
            return _done(request, project, _("%(name)s uploaded.") % {"name": attachment.original_name})
    return _render_form(request, project, "projects/delivery/_attachment_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def attachment_replace_view(request, pk):
    attachment = get_object_or_404(visible_related(request.user, Attachment.objects.select_related("project")), pk=pk)
    project = project_for_changing(request, attachment.project_id)
    form = ReplaceFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment_replace(attachment=attachment, user=request.user, uploaded=form.cleaned_data["file"])
        except AttachmentError as exc:
            form.add_error("file", str(exc.message))
        else:
            return _done(request, project, _("File replaced; the earlier one is kept in the history."))
    return _render_form(
        request, project, "projects/delivery/_replace_form.html", {"form": form, "attachment": attachment}
    )


@require_GET
def attachment_download(request, pk):
    """Serve a file only to those who may see its project, always as a download. `?version=`
    serves an earlier file of the attachment (files are never deleted)."""
    attachment = get_object_or_404(visible_related(request.user, Attachment.objects.select_related("project")), pk=pk)
    record = attachment
    version = request.GET.get("version")
    if version:
        if not version.isdigit():
            raise Http404
        record = get_object_or_404(attachment.history.all(), history_id=int(version))
    stored = record.file if isinstance(record.file, str) else record.file.name
    try:
        handle = default_storage.open(stored, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    need_to_know.log_confidential_access(project=attachment.project, user=request.user, attachment=attachment)
    name = record.original_name
    if not confidential.can_see_names(attachment.project, request.user):
        name = f"{Attachment.Kind(record.kind).label}-{attachment.pk}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=record.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def project_owner(request, pk):
    project = project_for_changing(request, pk, ASSIGN_OWNER)
    form = OwnerForm(request.POST or None, project=project, owners=possible_owners(project))
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            project_assign_owner(
                project=project,
                user=request.user,
                owner=form.cleaned_data["owner"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except StaleVersion as exc:
            extra = _conflict(form, exc, project)
        except PipelineError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, project, _("Owner changed."))
    return _render_form(request, project, "projects/delivery/_owner_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
def project_confidentiality(request, pk):
    project = project_for_changing(request, pk, MANAGE_CONFIDENTIALITY)
    people = need_to_know.need_to_know_candidates(project)
    form = ConfidentialityForm(request.POST or None, project=project, people=people.order_by("first_name", "username"))
    extra = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need_to_know.project_set_confidentiality(
                project=project,
                user=request.user,
                is_confidential=data["is_confidential"],
                codename=data["codename"],
                need_to_know=list(data["need_to_know"]),
                expected_version=data["version"],
            )
        except StaleVersion as exc:
            extra = _conflict(form, exc, project)
        except PipelineError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, project, _("Confidentiality saved."))
    return _render_form(request, project, "projects/delivery/_confidentiality_form.html", {"form": form, **extra})


@require_GET
def project_access_log(request, pk):
    project = project_for_changing(request, pk, MANAGE_CONFIDENTIALITY)
    rows = ConfidentialAccess.objects.filter(project=project).select_related("user", "attachment")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/delivery/access_log.html",
        {"project": project, "title": confidential.display_title(project, request.user), "page": page},
    )


def _registered_since():
    latest = StageChange.objects.filter(project=OuterRef("pk"), to_stage=Stage.REGISTERED).order_by("-changed_at")
    return Coalesce("registered_on", Subquery(latest.values("changed_at__date")[:1]), output_field=DateField())


@require_GET
def zone_projects(request, pk):
    """A zone from the operating company's side: what waits on it, and the later-stage projects."""
    zone = get_object_or_404(visible_zones(request.user), pk=pk)
    today = timezone.localdate()
    projects = (
        visible_projects(request.user, _projects())
        .filter(zone=zone)
        .prefetch_related("need_to_know")
        .annotate(registered_since=_registered_since())
    )
    active = projects.filter(status=Status.ACTIVE)
    awaiting_registration = active.filter(
        stage=Stage.CONTRACT_SIGNED,
        contract_signed_on__lte=today - datetime.timedelta(days=CONTRACT_TO_REGISTRATION_DAYS),
    ).order_by("contract_signed_on")
    awaiting_construction = active.filter(
        stage=Stage.REGISTERED,
        registered_since__lte=today - datetime.timedelta(days=REGISTRATION_TO_CONSTRUCTION_DAYS),
    ).order_by("registered_since")
    later = projects.filter(
        stage__in=[
            Stage.INTENTION_SIGNED,
            Stage.CONTRACT_SIGNED,
            Stage.REGISTERED,
            Stage.UNDER_CONSTRUCTION,
            Stage.IN_PRODUCTION,
        ]
    )
    # By the title as the reader sees it: a confidential deal where its codename sorts.
    later = with_shown_names(later, request.user).order_by(STAGE_ORDER.desc(), "shown_title", "pk")
    stage_filter = request.GET.get("stage")
    if stage_filter in Stage.values:
        later = later.filter(stage=stage_filter)
    page = Paginator(later, 50).get_page(request.GET.get("page"))

    def rows(items, since_attr):
        return [
            {
                "project": p,
                "title": confidential.display_title(p, request.user),
                "investor": confidential.display_investor(p, request.user),
                "days": (today - getattr(p, since_attr)).days if since_attr and getattr(p, since_attr) else None,
            }
            for p in items
        ]

    return render(
        request,
        "projects/delivery/zone.html",
        {
            "zone": zone,
            "awaiting_registration": rows(awaiting_registration[:100], "contract_signed_on"),
            "awaiting_construction": rows(awaiting_construction[:100], "registered_since"),
            "page": page,
            "later": rows(page.object_list, None),
            "stage_filter": stage_filter,
            "stages": [s for s in Stage if Stage.order(s) >= Stage.order(Stage.INTENTION_SIGNED)],
            "contract_days": CONTRACT_TO_REGISTRATION_DAYS,
            "registration_days": REGISTRATION_TO_CONSTRUCTION_DAYS,
        },
    )


def _dispute_rows(links, user):
    return [
        {
            "link": link,
            "sides": [
                {
                    "project": p,
                    "title": confidential.display_title(p, user),
                    "investor": confidential.display_investor(p, user),
                }
                for p in (link.project, link.other)
            ],
        }
        for link in links
    ]


@require_GET
def disputes(request):
    if not settles_disputes(request.user):
        raise Http404
    queue = dispute_queue(request.user)
    open_links = queue.filter(decision=PossibleDuplicate.Decision.OPEN)[:100]
    decided = queue.exclude(decision=PossibleDuplicate.Decision.OPEN).order_by("-decided_at")[:50]
    return render(
        request,
        "projects/delivery/disputes.html",
        {"open_rows": _dispute_rows(open_links, request.user), "decided_rows": _dispute_rows(decided, request.user)},
    )


@require_http_methods(["GET", "POST"])
def dispute_decide(request, pk):
    link = get_object_or_404(dispute_queue(request.user), pk=pk)
    user = request.user
    choices = [(p.pk, f"{confidential.display_title(p, user)} · {p.organization}") for p in (link.project, link.other)]
    form = DisputeDecisionForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kept = {link.project_id: link.project, link.other_id: link.other}.get(data["kept"])
        try:
            duplicate_decide(
                link=link,
                user=user,
                decision=data["decision"],
                note=data["decision_note"],
                kept=kept,
                credit=data["credit"],
            )
        except PipelineError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("projects:disputes")
    form.style()
    return render(
        request,
        "projects/delivery/dispute_decide.html",
        {"form": form, "row": _dispute_rows([link], user)[0], "link": link},
    )
