"""A zone's page from the operating company's side: the signed projects waiting on it (registration
after the contract, construction after registration) with the days since the previous step, and
the later-stage projects by stage.
"""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Case, DateField, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operators.access import visible_projects, visible_zones
from projects.core import confidential
from projects.pipeline.models import Project, Stage, StageChange, Status
from projects.pipeline.selectors import with_shown_names

STAGE_ORDER = Case(*(When(stage=s, then=Value(i)) for i, s in enumerate(Stage.values)), output_field=IntegerField())
# What waits on the operating company (days since the previous step).
CONTRACT_TO_REGISTRATION_DAYS = 60
REGISTRATION_TO_CONSTRUCTION_DAYS = 90


def _projects():
    return Project.objects.select_related("investor", "zone", "organization", "owner")


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
