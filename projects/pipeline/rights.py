"""What a page answers when it opens a project for a user: the one pair of helpers every HTML page
uses (the API answers for itself, projects.api), on the rules of operators.access.

- Out of the user's scope: 404, as if the project did not exist (its existence is not told).
- In scope, but not the user's to change in this way: 403, with a sentence saying why
  (templates/403.html), the same on every page.

Services check the same rights with `Right.check`, so a refusal reads the same on a page, in a
service error and in the API. A `Right` is one way of changing a project (change it at all, work its pipeline, assign its
owner, decide its confidentiality; delivery adds delivering and supervising): who has it, and the
sentence that tells the others why not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from operators.access import is_team_lead_of, may_change, works_pipeline_of
from projects.core.errors import PipelineError
from projects.pipeline.models import Project
from projects.pipeline.selectors import project_list


@dataclass(frozen=True)
class Right:
    allows: Callable[[object, Project], bool]  # (user, project) -> bool
    refusal: str  # a lazy translation: why the others may not

    def check(self, user, project: Project, error: type[PipelineError] = PipelineError) -> None:
        """For services: raise `error` with the same sentence a page answers with its 403."""
        if not self.allows(user, project):
            raise error(str(self.refusal))


def can_manage_confidentiality(project: Project, user) -> bool:
    """The owner, the team leads of the owning organisation and administrators decide who needs
    to know; they also read the access log."""
    return project.owner_id == user.pk or is_team_lead_of(user, project.organization_id)


CHANGE = Right(
    may_change,
    _("Only the project's organisation and the operating company of its zone may change this project."),
)
WORK_PIPELINE = Right(
    works_pipeline_of,
    _("Only the owning organisation may put a project on hold, resume it or close it."),
)
ASSIGN_OWNER = Right(
    lambda user, project: is_team_lead_of(user, project.organization_id),
    _("Only a team lead of the project's organisation assigns its owner."),
)
MANAGE_CONFIDENTIALITY = Right(
    lambda user, project: can_manage_confidentiality(project, user),
    _(
        "Only the project's owner and the team leads of its organisation decide who needs to know and read who opened it."
    ),
)


def project_for_reading(request, pk) -> Project:
    """The project if the user may see it, else 404. Loaded with what its pages show."""
    queryset = project_list(request.user).select_related(
        "operating_company", "service_contact", "created_by", "chain", "chain_link"
    )
    return get_object_or_404(queryset, pk=pk)


def project_for_changing(request, pk, right: Right = CHANGE) -> Project:
    """The project if the user may see it and has `right` on it: 404 out of scope, 403 (saying
    why) in scope without the right."""
    project = project_for_reading(request, pk)
    if not right.allows(request.user, project):
        raise PermissionDenied(str(right.refusal))
    return project
