"""Names as the user may see them (confidential deals masked) and what the user may do."""

from django import template
from django.utils import timezone

from projects.core import confidential
from projects.pipeline import history

register = template.Library()


@register.filter
def shown_title(project, user) -> str:
    return confidential.display_title(project, user)


@register.filter
def shown_investor(project, user) -> str:
    return confidential.display_investor(project, user)


@register.filter
def names_shown(project, user) -> bool:
    return confidential.can_see_names(project, user)


@register.filter
def overdue(project) -> bool:
    due = project.next_follow_up_on
    return bool(due and project.status == "active" and due < timezone.localdate())


@register.filter
def person(user) -> str:
    """A person's name as the history sentences write it (张三, family name first)."""
    if user is None:
        return "—"
    return history.person(user)
