"""The version rule: every write that changes a project (a stage move, a status, its details, its
owner, its confidentiality, delivery, the admin) goes through here. It makes a new version of the
row (so that a page opened on the old one is refused as stale, listing what changed) and a history
row saying who changed it and why (django-simple-history's `_history_user` and `_change_reason`).

Two steps, because services check their rules against the row they hold: `claim_version` takes
the row, then `save_version` writes it. `write_project` does both for a plain write.

Not here, on purpose: recording a follow-up (it only moves the project's next due date and last
activity, bookkeeping that makes no version, so an edit in flight is not refused for it) and the
ledger import (it writes thousands of rows at once, bumping the version and writing the history
rows in bulk, projects.ledger.bulk)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from projects.core.errors import PipelineError, StaleVersion, full_clean
from projects.pipeline.history import changes_since
from projects.pipeline.models import Project

# The length of simple-history's history_change_reason column.
REASON_MAX = 100


def claim_version(project: Project, user, expected_version: int | None) -> Project:
    """Take the next version of the project's row (held until commit) and return the row.

    `expected_version` is the version the user's page showed: a conditional UPDATE that only one
    of two concurrent writers can win; when the project changed since, nothing is written and
    StaleVersion lists what changed. None when the write carries no version (a manager's decision
    that stands over edits in flight, the delivery plan's records): the version still moves on, so
    a page opened before is refused in its turn."""
    if expected_version is None:
        claimed = Project.objects.filter(pk=project.pk).update(version=F("version") + 1)
    else:
        claimed = Project.objects.filter(pk=project.pk, version=expected_version).update(version=F("version") + 1)
    if claimed != 1:
        current = Project.objects.get(pk=project.pk)
        raise StaleVersion(changes=changes_since(current, expected_version, user), current_version=current.version)
    return Project.objects.get(pk=project.pk)


def reason_text(text: str) -> str:
    """A change reason as the history column holds it (cut with an ellipsis when too long)."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def save_version(
    current: Project,
    user,
    *,
    fields: list[str] | None,
    reason: str = "",
    project: Project | None = None,
    activity: bool = True,
    clean: bool = True,
    error: type[PipelineError] = PipelineError,
) -> None:
    """Save a row taken by claim_version, with its history (who, why).

    `fields`: the fields changed (None: all of them, as the admin saves). `activity`: the write is
    work on the project (it counts as its last activity). `clean`: full_clean first, refusing
    with `error`. `project`: the caller's object, which then shows what was saved."""
    if activity:
        current.last_activity_at = timezone.now()
    if clean:
        full_clean(current, exclude=["need_to_know"], error=error)
    current._history_user = user
    current._change_reason = reason_text(reason) or None
    if fields is None:
        current.save()
    else:
        bookkeeping = ["version", "updated_at", *(["last_activity_at"] if activity else [])]
        current.save(update_fields=list(dict.fromkeys([*fields, *bookkeeping])))
    if project is not None and project is not current:
        _show_saved(project, current)


def _show_saved(project: Project, current: Project) -> None:
    """The caller's object takes the saved values (its new version included); a related object
    it had loaded that is no longer the one referred to is forgotten, to load on next use."""
    project.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    for f in Project._meta.concrete_fields:
        if f.is_relation and f.is_cached(project):
            cached = f.get_cached_value(project)
            if getattr(cached, "pk", None) != getattr(project, f.attname):
                f.delete_cached_value(project)


def write_project(
    project: Project,
    user,
    *,
    expected_version: int | None = None,
    reason: str = "",
    activity: bool = True,
    clean: bool = True,
    **values,
) -> Project:
    """Claim the project, set `values` and save them as a new version with history. Returns the
    saved row; the caller's object shows it too."""
    current = claim_version(project, user, expected_version)
    for name, value in values.items():
        setattr(current, name, value)
    save_version(current, user, fields=list(values), reason=reason, project=project, activity=activity, clean=clean)
    return current
