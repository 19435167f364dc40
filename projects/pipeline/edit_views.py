"""The pages that change a project: stage and status changes with their evidence, the details the
operating company keeps, owner reassignment, confidentiality and its access log; and the form
helpers (render_form, done, apply_errors) the file and dispute pages share
(projects.pipeline.attachment_views, projects.pipeline.dispute_views). The zone's page is in
projects.pipeline.zone_views. Views are thin: they open the project through
projects.pipeline.rights (outside scope: 404; visible but not the user's to change: 403 saying why)
and call the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from operators.access import works_pipeline_of
from projects.core import confidential
from projects.core.errors import PipelineError, StaleVersion
from projects.pipeline import need_to_know
from projects.pipeline.edit_forms import (
    ConfidentialityForm,
    DeliveryDetailsForm,
    OwnerForm,
    StageChangeForm,
    StatusChangeForm,
)
from projects.pipeline.forms import add_service_errors
from projects.pipeline.models import ConfidentialAccess, Stage, Status
from projects.pipeline.ownership import possible_owners, project_assign_owner
from projects.pipeline.rights import (
    ASSIGN_OWNER,
    MANAGE_CONFIDENTIALITY,
    WORK_PIPELINE,
    project_for_changing,
)
from projects.pipeline.stages import project_move_stage, project_set_status
from projects.pipeline.writes import project_update_delivery


def project_page_url(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _next_url(request) -> str:
    """Where to go back after a form (the board a move was tried from), if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def apply_errors(form, exc: PipelineError) -> None:
    """The service's refusal on the form: its field messages, or its sentence when it has none."""
    add_service_errors(form, exc.errors)
    if not exc.errors:
        form.add_error(None, str(exc.message))


def done(request, project, message: str):
    messages.success(request, message)
    url = _next_url(request) or project_page_url(project)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def render_form(request, project, template: str, context: dict):
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


def _save(request, project, form, write, message):
    """Run the service call `write` for a valid form. It succeeded: the answer that goes back to
    the project (with `message`, or `message(result)`), and no extra context. It was refused: no
    answer, and the form carries the refusal; a stale version also shows what changed since and
    lets the user retry on the current version."""
    try:
        result = write()
    except StaleVersion as exc:
        form.add_error(None, str(exc.message))
        data = form.data.copy()
        data["version"] = exc.current_version
        form.data = data
        return None, {"conflict": exc.changes, "current_version": exc.current_version}
    except PipelineError as exc:
        apply_errors(form, exc)
        return None, {}
    return done(request, project, message(result) if callable(message) else message), {}


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
        response, extra = _save(
            request,
            project,
            form,
            lambda: project_move_stage(
                project=project,
                user=request.user,
                to_stage=form.cleaned_data["to_stage"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                evidence=evidence,
                uploads=uploads,
            ),
            lambda change: _("Moved to “%(stage)s”.") % {"stage": Stage(change.to_stage).label},
        )
        if response:
            return response
    return render_form(
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
        response, extra = _save(
            request,
            project,
            form,
            lambda: project_set_status(
                project=project,
                user=request.user,
                status=data["status"],
                expected_version=data["version"],
                note=data["note"],
                lost_reason=data["lost_reason"],
                on_hold_until=data["on_hold_until"],
            ),
            _("Status changed to “%(status)s”.") % {"status": Status(data["status"]).label},
        )
        if response:
            return response
    return render_form(request, project, "projects/delivery/_status_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
def project_details(request, pk):
    project = project_for_changing(request, pk)
    form = DeliveryDetailsForm(request.POST or None, project=project, user=request.user)
    extra = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, note = data.pop("version"), data.pop("note")  # the form's CharFields strip their text
        response, extra = _save(
            request,
            project,
            form,
            lambda: project_update_delivery(
                project=project, user=request.user, expected_version=version, values=data, note=note
            ),
            _("Delivery details saved."),
        )
        if response:
            return response
    return render_form(request, project, "projects/delivery/_details_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
def project_owner(request, pk):
    project = project_for_changing(request, pk, ASSIGN_OWNER)
    form = OwnerForm(request.POST or None, project=project, owners=possible_owners(project))
    extra = {}
    if request.method == "POST" and form.is_valid():
        response, extra = _save(
            request,
            project,
            form,
            lambda: project_assign_owner(
                project=project,
                user=request.user,
                owner=form.cleaned_data["owner"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            ),
            _("Owner changed."),
        )
        if response:
            return response
    return render_form(request, project, "projects/delivery/_owner_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
def project_confidentiality(request, pk):
    project = project_for_changing(request, pk, MANAGE_CONFIDENTIALITY)
    people = need_to_know.need_to_know_candidates(project)
    form = ConfidentialityForm(request.POST or None, project=project, people=people.order_by("first_name", "username"))
    extra = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response, extra = _save(
            request,
            project,
            form,
            lambda: need_to_know.project_set_confidentiality(
                project=project,
                user=request.user,
                is_confidential=data["is_confidential"],
                codename=data["codename"],
                need_to_know=list(data["need_to_know"]),
                expected_version=data["version"],
            ),
            _("Confidentiality saved."),
        )
        if response:
            return response
    return render_form(request, project, "projects/delivery/_confidentiality_form.html", {"form": form, **extra})


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
