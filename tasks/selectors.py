"""Reads of the notifications that more than one module uses: the sweeps decide with them, the
content builders write with them, the settings page shows them."""

from django.db.models import OuterRef

from projects.models import FollowUp, Stage

# Days without activity before an active project is stale, per stage; None: never stale.
# An organisation overrides them in Organization.stale_days ({"lead": 10, ...}).
DEFAULT_STALE_DAYS: dict[str, int | None] = {
    Stage.LEAD: 14,
    Stage.CONTACTED: 21,
    Stage.SITE_VISIT: 21,
    Stage.NEGOTIATING: 30,
    Stage.INTENTION_SIGNED: 45,
    Stage.CONTRACT_SIGNED: 60,
    Stage.REGISTERED: 60,
    Stage.UNDER_CONSTRUCTION: 90,
    Stage.IN_PRODUCTION: None,
}


def stale_thresholds(overrides) -> dict[str, int | None]:
    """The stage → days table of an organisation: the defaults with its valid overrides on top
    (a positive whole number of days, or null/0 for never)."""
    table = dict(DEFAULT_STALE_DAYS)
    if isinstance(overrides, dict):
        for stage, days in overrides.items():
            if stage not in table:
                continue
            if days in (None, 0):
                table[stage] = None
            elif isinstance(days, int) and not isinstance(days, bool) and 0 < days <= 3650:
                table[stage] = days
    return table


def latest_follow_up():
    """A project's latest follow-up, for a subquery (the project is the outer row)."""
    return FollowUp.objects.filter(project=OuterRef("pk")).order_by("-occurred_on", "-created_at", "-pk")
