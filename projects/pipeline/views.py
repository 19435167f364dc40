"""Pipeline pages: log a lead, the list (its export is projects.ledger.views), the board, the project page, My work.
Thin: scoped reads come from projects.pipeline.selectors, writes from projects.pipeline.services / stages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from operators.access import is_team_lead_of, may_change, works_pipeline_of
from operators.views import who_you_are
from projects.core import confidential
from projects.core.confidential import CONFIDENTIAL_FIELDS, display_title
from projects.core.errors import PipelineError, StaleVersion, TransitionError
from projects.core.pagination import DeferredJoinPaginator
from projects.core.validators import normalize_credit_code
from projects.pipeline import need_to_know, selectors
from projects.pipeline.board import render_cards
from projects.pipeline.duplicates import DuplicatesFound, find_duplicates
from projects.pipeline.edit_forms import STAGE_FORM_FIELDS, stage_form_for_move
from projects.pipeline.filters import ProjectFilter
from projects.pipeline.forms import FollowUpForm, LeadForm, MoveForm, add_service_errors
from projects.pipeline.models import Project, Stage
from projects.pipeline.rights import MANAGE_CONFIDENTIALITY, project_for_changing, project_for_reading
from projects.pipeline.services import followup_record, project_create
from projects.pipeline.sources import AMOUNT_DETAILS, detail_fields
from projects.pipeline.stages import project_move_stage
from projects.pipeline.tables import ProjectTable
from projects.pipeline.timeline import project_timeline

# -- the list and the ledger -------------------------------------------------------------------


class ProjectListView(SingleTableMixin, FilterView):
    table_class = ProjectTable
    filterset_class = ProjectFilter
    template_name = "projects/list.html"
    # Pagination is the table's alone (no ListView paginator: it would COUNT(*) every request).
    paginate_by = None
    table_pagination = {"paginator_class": DeferredJoinPaginator, "per_page": 25}

    def get_queryset(self):
        return selectors.project_rows(self.request.user)

    def get_table_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "sort"):
            query.pop(key, None)
        context["export_query"] = query.urlencode()
        context["filters_active"] = any(v for k, v in self.request.GET.items() if k not in ("page", "sort"))
        return context


project_list = login_required(require_GET(ProjectListView.as_view()))


# -- logging a lead ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def project_new(request):
    if not selectors.pipeline_organizations(request.user).exists():
        raise Http404  # only officers and team leads log leads
    matches = []
    if request.method == "POST":
        form = LeadForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                project = project_create(user=request.user, **form.service_kwargs())
            except DuplicatesFound as exc:
                matches = exc.matches
                data = request.POST.copy()
                data["acknowledge_duplicates"] = "on"
                form = LeadForm(data, user=request.user)
                form.is_valid()
            except PipelineError as exc:
                add_service_errors(form, exc.errors)
            else:
                messages.success(request, _("Lead logged."))
                return redirect("projects:detail", pk=project.pk)
    else:
        form = LeadForm(user=request.user, initial=request.GET.dict())
    return render(request, "projects/new.html", {"form": form, "matches": matches})


@require_GET
@login_required
def lead_details(request):
    """htmx: the detail fields of the chosen source mode (and the links of the chosen chain)."""
    form = LeadForm(user=request.user, initial=request.GET.dict())
    return render(request, "projects/_source_details.html", {"form": form})


@require_GET
@login_required
def investor_search(request):
    """htmx typeahead: investors the user may pick, by name or credit code."""
    text = request.GET.get("investor_name", "").strip()
    investors = []
    if len(text) >= 1:
        investors = list(selectors.pickable_investors(request.user).filter(name__icontains=text).order_by("name")[:10])
    return render(request, "projects/_investor_results.html", {"investors": investors, "text": text})


@require_GET
@login_required
def duplicate_check(request):
    """htmx: what the duplicate finder says about the investor typed or picked so far."""
    investor_id = request.GET.get("investor") or None
    if investor_id and not selectors.pickable_investors(request.user).filter(pk=investor_id).exists():
        investor_id = None
    matches = find_duplicates(
        user=request.user,
        name=request.GET.get("investor_name", ""),
        credit_code=normalize_credit_code(request.GET.get("investor_credit_code")),
        investor_id=int(investor_id) if investor_id and str(investor_id).isdigit() else None,
    )
    return render(request, "projects/_duplicates.html", {"matches": matches, "live": True})


# -- the project page --------------------------------------------------------------------------


def _source_rows(project, shown: dict) -> list[tuple[str, object, bool]]:
    rows = []
    for name in detail_fields(project.source_mode):
        value = shown[name] if name in shown else getattr(project, name)
        if name == "chain_link" and value is not None:
            value = f"{value.name} ({value.get_position_display()})"
        elif name == "equity_stake_pct" and value is not None:
            value = f"{value.normalize():f} %"
        rows.append((Project._meta.get_field(name).verbose_name, value, name in AMOUNT_DETAILS))
    return rows


def _detail_context(request, project, follow_up_form=None):
    user = request.user
    # Every field of the list, as this reader may read it: the page shows these, never the
    # project's own attributes, for what a confidential deal hides.
    shown = confidential.masked(project, user, {name: getattr(project, name) for name in CONFIDENTIAL_FIELDS})
    return {
        "project": project,
        "shown": shown,
        "source_rows": _source_rows(project, shown),
        "can_change": may_change(user, project),
        # What each role may do here: the same checks as the delivery views that do it.
        "works_pipeline": works_pipeline_of(user, project),
        "is_lead": is_team_lead_of(user, project.organization_id),
        "manages_confidentiality": MANAGE_CONFIDENTIALITY.allows(user, project),
        "stages": list(Stage),
        "current_order": Stage.order(project.stage),
        "follow_up_form": follow_up_form or FollowUpForm(),
        **project_timeline(user, project),
    }


@require_GET
@login_required
def project_detail(request, pk: int):
    """THE page of a project: summary, evidence, files, timeline, and the forms each role may use."""
    project = project_for_reading(request, pk)
    need_to_know.log_confidential_access(project=project, user=request.user)
    return render(request, "projects/detail.html", _detail_context(request, project))


@require_POST
@login_required
def followup_create(request, pk: int):
    project = project_for_changing(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            followup_record(project=project, user=request.user, **form.cleaned_data)
        except PipelineError as exc:
            add_service_errors(form, exc.errors)
        else:
            if not request.htmx:
                messages.success(request, _("Follow-up recorded."))
                return redirect(reverse("projects:detail", args=[pk]) + "#timeline")
            form = None
    project = project_for_reading(request, pk)
    context = _detail_context(request, project, follow_up_form=form)
    context["follow_up_saved"] = form is None
    if request.htmx:
        return render(request, "projects/_follow_up_response.html", context)
    return render(request, "projects/detail.html", context, status=400)


# -- the board ---------------------------------------------------------------------------------


def _board_context(request):
    filterset = ProjectFilter(request.GET, selectors.project_list(request.user), request=request)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    columns = selectors.board(request.user, queryset)
    render_cards(request, columns)
    return {"filter": filterset, "columns": columns}


@require_GET
@login_required
def project_board(request):
    return render(request, "projects/board.html", _board_context(request))


def _needs_the_stage_form(exc: TransitionError) -> bool:
    """A move refused for evidence or a reason the stage form asks for (not for rights or status)."""
    fields = set(exc.errors)
    return "to_stage" not in fields and bool(fields & set(STAGE_FORM_FIELDS))


@require_POST
@login_required
def project_move(request, pk: int):
    """A card moved on the board (drag-and-drop or button): through the one transition service.
    A move that needs evidence or a reason opens the stage form for that target stage, prefilled;
    a stale card shows what changed since the board was loaded."""
    project = project_for_changing(request, pk)
    form = MoveForm(request.POST)
    problem, field_errors, changes, stage_form = None, [], None, None
    board_url = _board_url(request)
    if not form.is_valid():
        problem = _("The move could not be read. Reload the board and try again.")
    else:
        data = form.cleaned_data
        try:
            project_move_stage(
                project=project,
                user=request.user,
                to_stage=data["to_stage"],
                expected_version=data["version"],
                note=data["note"],
            )
        except StaleVersion as exc:
            problem = str(exc.message)
            changes = exc.changes
        except TransitionError as exc:
            problem = str(exc.message)
            field_errors = [m for messages_ in exc.errors.values() for m in messages_]
            if _needs_the_stage_form(exc):
                if not request.htmx:
                    messages.error(request, problem)
                    query = urlencode({"to_stage": data["to_stage"], "note": data["note"], "next": board_url})
                    return redirect(reverse("projects:project_stage", args=[pk]) + "?" + query)
                stage_form = stage_form_for_move(
                    project,
                    to_stage=data["to_stage"],
                    note=data["note"],
                    operator_only=not works_pipeline_of(request.user, project),
                    show_names=confidential.can_see_names(project, request.user),
                )
                add_service_errors(stage_form, exc.errors)
    if problem:
        message = problem + (" " + " ".join(str(m) for m in field_errors) if field_errors else "")
    else:
        message = _("“%(project)s” moved to “%(stage)s”.") % {
            "project": display_title(project, request.user),
            "stage": Stage(form.cleaned_data["to_stage"]).label,
        }
    if request.htmx:
        context = _board_context(request) | {
            "move_problem": None if stage_form is not None else problem,
            "move_errors": field_errors,
            "move_changes": changes,
            "move_message": None if problem else message,
            "moved_project": project,
        }
        if stage_form is not None:
            context["stage_form"] = {
                "template": "projects/delivery/_stage_form.html",
                "form": stage_form.style(),
                "groups": stage_form.groups(),
                "current_order": Stage.order(project.stage),
                "project": project,
                "title": display_title(project, request.user),
                "next": board_url,
            }
        return render(request, "projects/_board_response.html", context)
    (messages.error if problem else messages.success)(request, message)
    return redirect(board_url)


def _board_url(request) -> str:
    """Where the board was (with its filters): the `next` the card sent, if it is ours."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("projects:board")
        if request.GET:
            target += "?" + request.GET.urlencode()
    return target


# -- My work (the home page) -------------------------------------------------------------------


@require_GET
@login_required
def my_work(request):
    """Home: an officer's day (due and overdue follow-ups, own projects by stage, this week's
    leads) above who the user is and what they can reach."""
    context = who_you_are(request.user)
    scope = context["scope"]
    context["works_pipeline"] = bool(scope.pipeline_org_ids) or request.user.owned_projects.exists()
    if context["works_pipeline"]:
        context.update(selectors.my_work(request.user))
    return render(request, "projects/my_work.html", context)
