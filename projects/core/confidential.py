"""What a confidential deal hides: outside the owning organisation, a codename stands in for the
project's and the investor's names, unless the user is on the project's need-to-know list. This is
the one place that says which fields are hidden and how they read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from operators.access import scope_for

# The one list of what a confidential deal hides from a reader outside its need-to-know list:
# every project field that names or identifies the enterprise. The project page and its forms,
# the history, the list and board, the ledger export, the emails and the API all read it.
CONFIDENTIAL_FIELDS = frozenset(
    {
        "title",
        "investor",
        "registered_company",
        "registered_credit_code",
        "referrer",
        "chain_leader",
        "fund_name",
        "fund_manager",
        "equity_vehicle",
        "source_note",
        "status_note",
        "site_location",
    }
)
# What a follow-up of a confidential deal hides from the same readers: its free text.
CONFIDENTIAL_FOLLOW_UP_FIELDS = frozenset({"summary", "visitors", "next_action"})
# Where a project loaded for a page says whether its reader is on its need-to-know list: a
# column of the row, the reader's id or null (projects.pipeline.selectors.with_need_to_know).
NEED_TO_KNOW_VIEWER = "need_to_know_viewer_id"


def can_see_names(project, user) -> bool:
    if not project.is_confidential:
        return True
    scope = scope_for(user)
    if scope.is_admin or project.organization_id in scope.org_ids:
        return True
    if NEED_TO_KNOW_VIEWER in project.__dict__:  # loaded with the row, for one reader
        return project.__dict__[NEED_TO_KNOW_VIEWER] == user.pk
    # need_to_know may be prefetched; ids avoid loading users.
    cache = getattr(project, "_prefetched_objects_cache", {}).get("need_to_know")
    if cache is not None:
        return any(u.pk == user.pk for u in cache)
    return project.need_to_know.filter(pk=user.pk).exists()


def display_title(project, user) -> str:
    if can_see_names(project, user):
        return project.title
    return project.codename or _("Confidential project #%(id)s") % {"id": project.pk}


def display_investor(project, user) -> str:
    if can_see_names(project, user):
        return project.investor.name
    return _("(confidential)")


def display_value(project, user, name: str):
    """A project field as this user may read it."""
    if name in CONFIDENTIAL_FIELDS and not can_see_names(project, user):
        if name == "title":
            return display_title(project, user)
        return _("(confidential)")
    return getattr(project, name)
