"""The attribution dispute queue: possible duplicates across organisations, listed for whoever
settles disputes, and the page that decides one (which project is kept, who gets the credit).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from operators.access import settles_disputes
from projects.core import confidential
from projects.core.errors import PipelineError
from projects.pipeline.disputes import dispute_queue, duplicate_decide
from projects.pipeline.edit_forms import DisputeDecisionForm
from projects.pipeline.edit_views import apply_errors
from projects.pipeline.models import PossibleDuplicate


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
            apply_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("projects:disputes")
    form.style()
    return render(
        request,
        "projects/delivery/dispute_decide.html",
        {"form": form, "row": _dispute_rows([link], user)[0], "link": link},
    )
