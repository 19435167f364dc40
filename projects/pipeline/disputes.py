"""Attribution disputes: two organisations' projects linked as possible duplicates, settled by a
manager. Every decision is recorded with who, when and why."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from operators.access import settles_disputes, visible_projects
from projects.core.errors import PipelineError
from projects.pipeline.models import PossibleDuplicate, Project, Status
from projects.pipeline.stages import close_as_duplicate


def dispute_queue(user) -> QuerySet:
    """Open links the user may settle: a manager's, with both projects in their scope."""
    if not settles_disputes(user):
        return PossibleDuplicate.objects.none()
    visible = visible_projects(user, Project.objects.all()).values("pk")
    return (
        PossibleDuplicate.objects.filter(project__in=visible, other__in=visible)
        .select_related(
            "project__organization",
            "project__investor",
            "project__zone",
            "project__owner",
            "other__organization",
            "other__investor",
            "other__zone",
            "other__owner",
            "decided_by",
            "kept",
        )
        .order_by("decision", "-created_at")
    )


@transaction.atomic
def duplicate_decide(
    *,
    link: PossibleDuplicate,
    user,
    decision: str,
    note: str,
    kept: Project | None = None,
    credit: str = "",
) -> PossibleDuplicate:
    """Settle a possible duplicate. Same project: `kept` keeps it, the other is closed as lost
    (duplicate) and the credit is given to the keeper or shared. Different: both stay open."""
    link = PossibleDuplicate.objects.select_for_update().get(pk=link.pk)
    if not dispute_queue(user).filter(pk=link.pk).exists():
        raise PipelineError(_("You may not settle this dispute."))
    errors: dict[str, list[str]] = {}
    if link.decision != PossibleDuplicate.Decision.OPEN:
        raise PipelineError(_("This dispute was already settled."))
    if decision not in (PossibleDuplicate.Decision.SAME_PROJECT, PossibleDuplicate.Decision.DIFFERENT):
        errors["decision"] = [_("Choose “same project” or “different projects”.")]
    if not note.strip():
        errors["decision_note"] = [_("Say why: the decision is kept for both organisations to read.")]
    if decision == PossibleDuplicate.Decision.SAME_PROJECT:
        if kept is None or kept.pk not in (link.project_id, link.other_id):
            errors["kept"] = [_("Choose which of the two projects is kept.")]
        if credit not in PossibleDuplicate.Credit.values:
            errors["credit"] = [_("Choose whether the credit is given to the keeper or shared.")]
    elif kept is not None or credit:
        errors["kept"] = [_("Different projects keep their own credit; leave these empty.")]
    if errors:
        raise PipelineError(_("The decision needs more information."), errors)

    link.decision = decision
    link.decision_note = note.strip()
    link.decided_by = user
    link.decided_at = timezone.now()
    if decision == PossibleDuplicate.Decision.SAME_PROJECT:
        link.kept = kept
        link.credit = credit
        closed = link.other if kept.pk == link.project_id else link.project
        if closed.status != Status.LOST:
            close_as_duplicate(
                project=closed,
                user=user,
                note=_("Duplicate of %(kept)s (#%(id)s), settled by a manager: %(why)s")
                % {"kept": kept.codename if kept.is_confidential else kept.title, "id": kept.pk, "why": note.strip()},
            )
    link._history_user = user
    link.full_clean()
    link.save()
    return link
