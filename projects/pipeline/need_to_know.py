"""Who needs to know a confidential deal: the list, who may change it, and the log of every
opening of a confidential project's page or file (shown to its owner)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from operators.access import users_seeing_project
from projects.core.errors import PipelineError
from projects.pipeline.history import person
from projects.pipeline.models import ConfidentialAccess
from projects.pipeline.rights import MANAGE_CONFIDENTIALITY
from projects.pipeline.versions import claim_version, save_version


def log_confidential_access(*, project, user, attachment=None) -> None:
    """Record that `user` opened a confidential project's page or file (who, when)."""
    if project.is_confidential and user.is_authenticated:
        ConfidentialAccess.objects.create(project=project, user=user, attachment=attachment)


def need_to_know_candidates(project):
    """People outside the owning organisation who can reach the project (operators of its zone,
    managers whose scope holds it): the only ones a need-to-know list can matter for."""
    return users_seeing_project(project, get_user_model().objects.all()).exclude(
        memberships__organization_id=project.organization_id
    )


def need_to_know_reason(before, after) -> str:
    """The history's words for a change of the need-to-know list: who was added, who removed."""
    added = [p for p in after if p.pk not in {q.pk for q in before}]
    removed = [p for p in before if p.pk not in {q.pk for q in after}]
    parts = []
    if added:
        parts.append(_("added %(names)s") % {"names": _(", ").join(person(p) for p in added)})
    if removed:
        parts.append(_("removed %(names)s") % {"names": _(", ").join(person(p) for p in removed)})
    if not parts:
        return ""
    return _("Need-to-know list: %(changes)s") % {"changes": "; ".join(parts)}


@transaction.atomic
def project_set_confidentiality(
    *,
    project,
    user,
    is_confidential: bool,
    codename: str,
    need_to_know: list | None = None,
    expected_version: int | None = None,
) -> None:
    """Mark a deal confidential (a codename is then required) and name who needs to know. A new
    version of the project, whose history says who was added to the list or removed from it."""
    MANAGE_CONFIDENTIALITY.check(user, project)
    codename = codename.strip()
    if is_confidential and not codename:
        raise PipelineError(
            _("A confidential project needs a codename."), {"codename": [_("Give the deal a codename.")]}
        )
    people = list(need_to_know or [])
    allowed = set(need_to_know_candidates(project).values_list("pk", flat=True))
    outside = [p for p in people if p.pk not in allowed]
    if outside:
        raise PipelineError(
            _("Some people cannot be added."),
            {"need_to_know": [_("%(name)s is not someone you can choose.") % {"name": outside[0]}]},
        )
    current = claim_version(project, user, expected_version)
    before = list(current.need_to_know.order_by("pk"))
    current.is_confidential = is_confidential
    current.codename = codename
    reason = need_to_know_reason(before, sorted(people, key=lambda p: p.pk)) or _("Confidentiality changed")
    save_version(current, user, fields=["is_confidential", "codename"], reason=reason, project=project, activity=False)
    current.need_to_know.set(people)
