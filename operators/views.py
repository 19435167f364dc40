from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import scope_for, visible_organizations, visible_zones
from .models import Membership


@require_GET
@login_required
def home(request):
    """Who you are and what you can reach."""
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("organization", "organization__zone")
        .order_by("organization__name")
    )
    zones = visible_zones(request.user).order_by("county", "name")
    return render(
        request,
        "operators/home.html",
        {
            "memberships": memberships,
            "zones": zones,
            "organization_count": visible_organizations(request.user).count(),
            "scope": scope_for(request.user),
        },
    )
