from .access import scope_for, visible_organizations, visible_zones
from .models import Membership


def who_you_are(user) -> dict:
    """Who the user is and what they can reach: shown on the home page (projects.pipeline.views.my_work,
    which this app may not import, so the home route lives in config.urls)."""
    memberships = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization", "organization__zone")
        .order_by("organization__name")
    )
    zones = visible_zones(user).order_by("county", "name")
    return {
        "memberships": memberships,
        "zones": zones,
        "organization_count": visible_organizations(user).count(),
        "scope": scope_for(user),
    }
