"""Who owns a project: team leads assign and reassign owners within their organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from operators.access import is_team_lead_of
from operators.models import Role
from projects.core.errors import PipelineError
from projects.pipeline.models import Project
from projects.pipeline.versions import claim_version, save_version


def possible_owners(project: Project):
    """Active officers and team leads of the project's organisation."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organization_id=project.organization_id,
            memberships__is_active=True,
            memberships__role__in=[Role.OFFICER, Role.TEAM_LEAD],
        )
        .distinct()
        .order_by("first_name", "username")
    )


@transaction.atomic
def project_assign_owner(*, project: Project, user, owner, expected_version: int, note: str = "") -> Project:
    """Give the project to another officer of its organisation; only its team leads (and
    administrators) may, and never to someone outside the organisation."""
    if not is_team_lead_of(user, project.organization_id):
        raise PipelineError(_("Only a team lead of the project's organisation assigns its owner."))
    if not possible_owners(project).filter(pk=owner.pk).exists():
        raise PipelineError(
            _("The new owner must work in the project's organisation."),
            {"owner": [_("Choose an officer of %(org)s.") % {"org": project.organization}]},
        )
    current = claim_version(project, user, expected_version)
    if current.owner_id == owner.pk:
        raise PipelineError(_("This person already owns the project."), {"owner": [_("Choose someone else.")]})
    current.owner = owner
    save_version(current, user, fields=["owner"], reason=note or _("Owner reassigned"), project=project)
    return current
