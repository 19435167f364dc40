"""Stage and status transitions: the one service every change of stage or status goes through
(form, board, API, import, admin action), and the evidence each stage needs (DOMAIN.md)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operators.access import works_pipeline_of
from projects.core.errors import TransitionError
from projects.core.validators import validate_credit_code
from projects.pipeline.attachments import AttachmentError, attachment_upload, check_file
from projects.pipeline.funds import actual_investment_put, has_tranches, typed_actual_investment_error
from projects.pipeline.models import Attachment, FollowUp, LostReason, Project, Stage, StageChange, Status
from projects.pipeline.rights import CHANGE, WORK_PIPELINE
from projects.pipeline.versions import claim_version, save_version

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
ALL_EVIDENCE_FIELDS = [name for fields in EVIDENCE_FIELDS.values() for name in fields]
# Not required to enter a stage, but given with it when known.
OPTIONAL_EVIDENCE_FIELDS = {Stage.REGISTERED: ["registered_on"]}
# Stages whose evidence includes a signed file of this kind.
EVIDENCE_FILES = {
    Stage.INTENTION_SIGNED: Attachment.Kind.INTENTION_AGREEMENT,
    Stage.CONTRACT_SIGNED: Attachment.Kind.CONTRACT,
}
# Files a form offers with each stage (the required ones and the usual proof).
STAGE_FILES = {**EVIDENCE_FILES, Stage.REGISTERED: Attachment.Kind.BUSINESS_LICENCE}
# The stages an operating company moves a project into (DOMAIN.md: registration, construction, production).
OPERATOR_STAGES = [Stage.REGISTERED, Stage.UNDER_CONSTRUCTION, Stage.IN_PRODUCTION]


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


def _check_uploads(uploads) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for kind, uploaded in uploads:
        try:
            check_file(uploaded, field=f"file_{kind}")
        except AttachmentError as exc:
            for name, messages in exc.errors.items():
                errors.setdefault(name, []).extend(messages)
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
    uploads: list | None = None,
) -> StageChange:
    """Move a project to `to_stage`. Forward moves need the evidence of every stage they enter
    (skipping allowed only with all of it); backward moves need a reason. Operators move only into
    and among the later stages. The version the user saw must be current, else nothing is written
    (StaleVersion, listing what changed). `uploads` are (kind, file) pairs stored with the move."""
    evidence = dict(evidence or {})
    uploads = list(uploads or [])
    allowed = set(ALL_EVIDENCE_FIELDS) | {f for fields in OPTIONAL_EVIDENCE_FIELDS.values() for f in fields}
    unknown = set(evidence) - allowed
    if unknown:
        raise TransitionError(_("Unknown evidence fields."), {f: [_("Not an evidence field.")] for f in unknown})
    if to_stage not in Stage.values:
        raise TransitionError(_("Unknown stage."), {"to_stage": [_("Choose a stage from the list.")]})
    CHANGE.check(user, project, TransitionError)
    full_rights = works_pipeline_of(user, project)
    current = claim_version(project, user, expected_version)
    if current.status != Status.ACTIVE:
        raise TransitionError(
            _("Resume the project before changing its stage."),
            {"to_stage": [_("The project is on hold or lost.")]},
        )
    old, new = Stage.order(current.stage), Stage.order(to_stage)
    if new == old:
        raise TransitionError(_("The project is already at this stage."), {"to_stage": [_("Choose another stage.")]})
    if not full_rights and (to_stage not in OPERATOR_STAGES or (new < old and current.stage not in OPERATOR_STAGES)):
        raise TransitionError(
            _("An operating company updates registration, construction and production only."),
            {"to_stage": [_("Ask the project's owner to make this move.")]},
        )
    values = {name: getattr(current, name) for name in ALL_EVIDENCE_FIELDS}
    values.update(evidence)
    errors = _check_uploads(uploads)
    # A project with funds tranches enters production with their sum; a typed figure is refused.
    tranches = "actual_investment" in evidence and has_tranches(current)
    if "actual_investment" in evidence and (
        error := typed_actual_investment_error(current, evidence["actual_investment"], tranches=tranches)
    ):
        errors["actual_investment"] = [error]
    if new > old:
        follow_ups = FollowUp.objects.filter(project=current)
        has_follow_up = follow_ups.exists()
        has_visit = follow_ups.filter(kind__in=[FollowUp.Kind.VISIT, FollowUp.Kind.SITE_INSPECTION]).exists()
        file_kinds = set(Attachment.objects.filter(project=current).values_list("kind", flat=True))
        file_kinds |= {kind for kind, _file in uploads}
        for stage in STAGES[old + 1 : new + 1]:
            for name, message in evidence_errors(
                stage, values, has_follow_up=has_follow_up, has_visit=has_visit, file_kinds=file_kinds
            ).items():
                errors.setdefault(name, []).append(message)
    elif not note.strip():
        errors["note"] = [_("Say why the project moves back.")]
    if errors:
        raise TransitionError(_("The move needs more information."), errors)

    for kind, uploaded in uploads:
        attachment_upload(project=current, user=user, uploaded=uploaded, kind=kind)
    from_stage = current.stage
    for name, value in evidence.items():
        if name == "actual_investment":
            actual_investment_put(current, value, tranches=tranches)
        else:
            setattr(current, name, value)
    current.stage = to_stage
    save_version(current, user, fields=[*evidence, "stage"], reason=note, project=project, error=TransitionError)
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


@transaction.atomic
def project_set_status(
    *,
    project: Project,
    user,
    status: str,
    expected_version: int,
    note: str,
    lost_reason: str = "",
    on_hold_until: datetime.date | None = None,
) -> StageChange:
    """Put a project on hold (optionally until an expected resume date), resume it, or mark it
    lost (a reason from LostReason plus text). Every change of status needs a reason in words.
    Only the owning organisation (and administrators) change a project's status."""
    if status not in Status.values:
        raise TransitionError(_("Unknown status."), {"status": [_("Choose a status from the list.")]})
    WORK_PIPELINE.check(user, project, TransitionError)
    current = claim_version(project, user, expected_version)
    errors: dict[str, list[str]] = {}
    if status == current.status:
        errors["status"] = [_("The project already has this status.")]
    if not note.strip():
        errors["note"] = [
            {
                Status.ON_HOLD: _("Say why the project is put on hold."),
                Status.ACTIVE: _("Say why the project resumes."),
                Status.LOST: _("Describe why the project was lost."),
            }[status]
        ]
    if status == Status.LOST and lost_reason not in LostReason.values:
        errors["lost_reason"] = [_("Choose why the project was lost from the list.")]
    if status != Status.LOST and lost_reason:
        errors["lost_reason"] = [_("A reason from the list is only for lost projects.")]
    if on_hold_until is not None:
        if status != Status.ON_HOLD:
            errors["on_hold_until"] = [_("An expected resume date is only for projects put on hold.")]
        elif on_hold_until <= timezone.localdate():
            errors["on_hold_until"] = [_("The expected resume date must be in the future.")]
    if errors:
        raise TransitionError(_("The change needs more information."), errors)

    return _save_status(
        current,
        project,
        user,
        status=status,
        lost_reason=lost_reason if status == Status.LOST else "",
        on_hold_until=on_hold_until if status == Status.ON_HOLD else None,
        note=note,
    )


def _save_status(current: Project, project: Project, user, *, status, lost_reason, on_hold_until, note) -> StageChange:
    """Save a claimed project's new status as a version with history, and its StageChange row."""
    from_status = current.status
    current.status = status
    current.lost_reason = lost_reason
    current.on_hold_until = on_hold_until
    current.status_note = note
    save_version(
        current,
        user,
        fields=["status", "lost_reason", "on_hold_until", "status_note"],
        reason=note,
        project=project,
        error=TransitionError,
    )
    return StageChange.objects.create(
        project=current,
        from_stage=current.stage,
        to_stage=current.stage,
        from_status=from_status,
        to_status=status,
        changed_at=current.last_activity_at,
        changed_by=user,
        note=note,
    )


def close_as_duplicate(*, project: Project, user, note: str) -> StageChange:
    """Mark a project lost as a duplicate, by decision of a manager (projects.pipeline.disputes): no
    version check, the manager's decision stands over edits in flight."""
    current = claim_version(project, user, None)
    return _save_status(
        current, project, user, status=Status.LOST, lost_reason=LostReason.DUPLICATE, on_hold_until=None, note=note
    )
