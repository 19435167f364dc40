"""Confidential deals: outside the owning organisation, a codename stands in for the project's
and the investor's names, unless the user is on the project's need-to-know list."""

from django.utils.translation import gettext as _

from operators.access import scope_for


def can_see_names(project, user) -> bool:
    if not project.is_confidential:
        return True
    scope = scope_for(user)
    if scope.is_admin or project.organization_id in scope.org_ids:
        return True
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
