"""The project page's timeline: follow-ups, stage changes and edits (from the history), newest
first, in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone

from operators.access import visible_projects, visible_related

from .models import Attachment, FollowUp, PossibleDuplicate, Project, StageChange

User = get_user_model()
TIMELINE_LIMIT = 100
# History fields that are bookkeeping, not an edit a reader cares about.
QUIET_FIELDS = {"version", "updated_at", "created_at", "id"}


def _edits(project: Project) -> list[dict]:
    """Edits from the history: who changed which fields when. Adjacent records are compared in
    memory, so the page costs one query whatever the history's length."""
    records = list(
        project.history.select_related("history_user").order_by("-history_date", "-history_id")[: TIMELINE_LIMIT + 1]
    )
    fields = (
        [f for f in Project._meta.fields if f.attname not in QUIET_FIELDS and hasattr(records[0], f.attname)]
        if records
        else []
    )
    items = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if newer.history_type == "+":
            items.append({"kind": "created", "at": newer.history_date, "user": newer.history_user, "fields": []})
            continue
        if older is None:
            continue
        changed = [str(f.verbose_name) for f in fields if getattr(newer, f.attname) != getattr(older, f.attname)]
        # A stage move is already in the timeline as a stage change.
        changed = [name for name in changed if name != str(Project._meta.get_field("stage").verbose_name)]
        if changed:
            items.append({"kind": "edit", "at": newer.history_date, "user": newer.history_user, "fields": changed})
    return items[:TIMELINE_LIMIT]


def project_timeline(user, project: Project) -> dict:
    follow_ups = list(
        visible_related(user, FollowUp.objects.filter(project=project)).select_related("author")[:TIMELINE_LIMIT]
    )
    stage_changes = list(
        visible_related(user, StageChange.objects.filter(project=project)).select_related("changed_by")[:TIMELINE_LIMIT]
    )
    attachments = list(
        visible_related(user, Attachment.objects.filter(project=project)).select_related("uploaded_by")[:TIMELINE_LIMIT]
    )
    just_me = User.objects.filter(pk=user.pk).only("pk")
    duplicates = list(
        PossibleDuplicate.objects.filter(Q(project=project) | Q(other=project))
        .select_related("project__organization", "project__investor", "other__organization", "other__investor")
        .prefetch_related(
            Prefetch("project__need_to_know", queryset=just_me), Prefetch("other__need_to_know", queryset=just_me)
        )
        .order_by("-created_at")[:20]
    )
    others = [d.other if d.project_id == project.pk else d.project for d in duplicates]
    visible = (
        set(visible_projects(user, Project.objects.filter(pk__in=[o.pk for o in others])).values_list("pk", flat=True))
        if others
        else set()
    )
    items = [{"kind": "follow_up", "at": _follow_up_at(f), "obj": f} for f in follow_ups]
    items += [{"kind": "stage", "at": s.changed_at, "obj": s} for s in stage_changes]
    items += _edits(project)
    items.sort(key=lambda item: item["at"], reverse=True)
    return {
        "timeline": items[:TIMELINE_LIMIT],
        "attachments": attachments,
        "duplicate_links": [
            {"link": d, "other": other, "visible": other.pk in visible}
            for d, other in zip(duplicates, others, strict=True)
        ],
    }


def _follow_up_at(follow_up: FollowUp) -> datetime.datetime:
    # A follow-up is placed on the day it happened; recorded the same day, at the time recorded.
    recorded = timezone.localtime(follow_up.created_at)
    if recorded.date() == follow_up.occurred_on:
        return follow_up.created_at
    return timezone.make_aware(datetime.datetime.combine(follow_up.occurred_on, datetime.time(12)))
