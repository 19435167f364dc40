"""Stage transitions: the one service every stage change goes through (form, board, API, import,
admin action), and the evidence each stage needs (DOMAIN.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import StaleVersion, TransitionError
from .models import Attachment, FollowUp, Project, Stage, StageChange
from .validators import validate_credit_code

STAGES = list(Stage)

# Project fields that carry the evidence of each stage; what an import or a form may supply.
EVIDENCE_FIELDS: dict[str, list[str]] = {
    Stage.LEAD: [],
    Stage.CONTACTED: [],
    Stage.SITE_VISIT: [],
    Stage.NEGOTIATING: ["planned_amount"],
    Stage.INTENTION_SIGNED: ["intention_signed_on", "intention_amount"],
    Stage.CONTRACT_SIGNED: ["contract_signed_on", "contract_amount"],
    Stage.REGISTERED: ["registered_company", "registered_credit_code"],
    Stage.UNDER_CONSTRUCTION: ["construction_started_on"],
    Stage.IN_PRODUCTION: ["production_started_on", "actual_investment"],
}
# Stages whose evidence includes a signed file of this kind.
EVIDENCE_FILES = {
    Stage.INTENTION_SIGNED: Attachment.Kind.INTENTION_AGREEMENT,
    Stage.CONTRACT_SIGNED: Attachment.Kind.CONTRACT,
}


def _field_label(name: str) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def evidence_errors(
    stage: str, values: dict, *, has_follow_up: bool, has_visit: bool, file_kinds: set[str], check_files: bool = True
) -> dict[str, str]:
    """What is missing for `stage`, as {field: message}. `values` are the project's fields after
    the change; the flags say what follow-ups and files the project has."""
    errors: dict[str, str] = {}
    if stage == Stage.CONTACTED and not has_follow_up:
        errors["follow_up"] = _("Record a follow-up before moving to “Contacted”.")
    if stage == Stage.SITE_VISIT and not has_visit:
        errors["follow_up"] = _("Record a visit or site inspection (date and who came) before moving to “Site visit”.")
    for name in EVIDENCE_FIELDS[stage]:
        if values.get(name) in (None, ""):
            errors[name] = _("%(field)s is required for “%(stage)s”.") % {
                "field": _field_label(name),
                "stage": Stage(stage).label,
            }
    if stage == Stage.REGISTERED and values.get("registered_credit_code"):
        try:
            validate_credit_code(values["registered_credit_code"])
        except ValidationError as exc:
            errors["registered_credit_code"] = " ".join(exc.messages)
    kind = EVIDENCE_FILES.get(stage)
    if check_files and kind and kind not in file_kinds:
        errors[f"file_{kind}"] = _("Upload the signed file (%(kind)s) for “%(stage)s”.") % {
            "kind": Attachment.Kind(kind).label,
            "stage": Stage(stage).label,
        }
    return errors


@transaction.atomic
def project_move_stage(
    *,
    project: Project,
    user,
    to_stage: str,
    expected_version: int,
    note: str = "",
    evidence: dict | None = None,
) -> StageChange:
    """Move a project to `to_stage`. Forward moves need the evidence of every stage they enter
    (skipping allowed only with all of it); backward moves need a reason. The version the user
    saw must be current, else nothing is written (StaleVersion)."""
    evidence = dict(evidence or {})
    unknown = set(evidence) - {f for fields in EVIDENCE_FIELDS.values() for f in fields}
    if unknown:
        raise TransitionError(_("Unknown evidence fields."), {f: [_("Not an evidence field.")] for f in unknown})
    if to_stage not in Stage.values:
        raise TransitionError(_("Unknown stage."), {"to_stage": [_("Choose a stage from the list.")]})
    current = Project.objects.get(pk=project.pk)
    if current.version != expected_version:
        raise StaleVersion(current_version=current.version)
    if current.status != "active":
        raise TransitionError(
            _("Resume the project before changing its stage."),
            {"to_stage": [_("The project is on hold or lost.")]},
        )
    old, new = Stage.order(current.stage), Stage.order(to_stage)
    if new == old:
        raise TransitionError(_("The project is already at this stage."), {"to_stage": [_("Choose another stage.")]})
    values = {name: getattr(current, name) for fields in EVIDENCE_FIELDS.values() for name in fields}
    values.update(evidence)
    errors: dict[str, list[str]] = {}
    if new > old:
        follow_ups = FollowUp.objects.filter(project=current)
        has_follow_up = follow_ups.exists()
        has_visit = follow_ups.filter(kind__in=[FollowUp.Kind.VISIT, FollowUp.Kind.SITE_INSPECTION]).exists()
        file_kinds = set(Attachment.objects.filter(project=current).values_list("kind", flat=True))
        for stage in STAGES[old + 1 : new + 1]:
            for name, message in evidence_errors(
                stage, values, has_follow_up=has_follow_up, has_visit=has_visit, file_kinds=file_kinds
            ).items():
                errors.setdefault(name, []).append(message)
    elif not note.strip():
        errors["note"] = [_("Say why the project moves back.")]
    if errors:
        raise TransitionError(_("The move needs more information."), errors)

    # The conditional update is the lock: of two concurrent moves from one version, one wins.
    claimed = Project.objects.filter(pk=current.pk, version=expected_version).update(version=F("version") + 1)
    if claimed != 1:
        raise StaleVersion(
            current_version=Project.objects.filter(pk=current.pk).values_list("version", flat=True).first()
        )
    from_stage = current.stage
    for name, value in evidence.items():
        setattr(current, name, value)
    current.stage = to_stage
    current.version = expected_version + 1
    current.last_activity_at = timezone.now()
    try:
        current.full_clean(exclude=["need_to_know"])
    except ValidationError as exc:
        raise TransitionError(_("The move needs more information."), exc.message_dict) from exc
    current._history_user = user
    current.save()
    project.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    return StageChange.objects.create(
        project=current,
        from_stage=from_stage,
        to_stage=to_stage,
        from_status=current.status,
        to_status=current.status,
        changed_at=current.last_activity_at,
        changed_by=user,
        note=note,
    )
