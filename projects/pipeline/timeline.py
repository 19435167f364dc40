"""The project page's timeline: follow-ups, stage changes, and edits and files told field by field
in words (projects.pipeline.history, the one way to describe history), newest first, in a fixed number
of queries, and rendered in one pass (timeline_html).

Why timeline_html is not a template: 100 entries of a dozen template nodes each were a quarter of
the project page's time (docs/benchmarks.md, issue 9); it builds the markup
templates/projects/_follow_ups.html had, every value through projects.core.html.escape."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from operators.access import visible_projects, visible_related
from projects.core.confidential import CONFIDENTIAL_FOLLOW_UP_FIELDS, MOVE_NOTE_FIELD, masked
from projects.core.html import escape
from projects.pipeline.history import person
from projects.pipeline.history import project_timeline as history_entries
from projects.pipeline.models import Attachment, FollowUp, PossibleDuplicate, Project, Stage, StageChange, Status

User = get_user_model()
TIMELINE_LIMIT = 100


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
    # What the follow-ups say and why the project moved, as this reader may read it: a
    # confidential deal's free text is hidden outside need-to-know, as in the reminders.
    items = [
        {"kind": "follow_up", "at": _follow_up_at(f), "obj": f, "text": _follow_up_text(project, user, f)}
        for f in follow_ups
    ]
    items += [
        {
            "kind": "stage",
            "at": s.changed_at,
            "obj": s,
            "note": masked(project, user, {MOVE_NOTE_FIELD: s.note})[MOVE_NOTE_FIELD],
        }
        for s in stage_changes
    ]
    items += [
        {"kind": "file" if entry.attachment_id else "history", "at": entry.at, "obj": entry}
        for entry in history_entries(project, user, moves_told_apart=True)
    ]
    items.sort(key=lambda item: item["at"], reverse=True)
    items = items[:TIMELINE_LIMIT]
    return {
        "timeline": items,
        "timeline_html": timeline_html(items),
        "attachments": attachments,
        "duplicate_links": [
            {"link": d, "other": other, "visible": other.pk in visible}
            for d, other in zip(duplicates, others, strict=True)
        ],
    }


def _follow_up_text(project: Project, user, follow_up: FollowUp) -> dict:
    return masked(project, user, {name: getattr(follow_up, name) for name in CONFIDENTIAL_FOLLOW_UP_FIELDS})


def _follow_up_at(follow_up: FollowUp) -> datetime.datetime:
    # A follow-up is placed on the day it happened; recorded the same day, at the time recorded.
    recorded = timezone.localtime(follow_up.created_at)
    if recorded.date() == follow_up.occurred_on:
        return follow_up.created_at
    return timezone.make_aware(datetime.datetime.combine(follow_up.occurred_on, datetime.time(12)))


# -- rendering -----------------------------------------------------------------------------------
# Up to 300 entries (100 shown) of a dozen template nodes each, with date filters and choice
# labels per entry, were most of the project page's time. The markup is the one
# templates/projects/_follow_ups.html had; values are escaped as the template escaped them.

FOLLOW_UP = (
    '<li class="timeline-follow_up"><span class="timeline-icon bg-primary"><i class="bi bi-chat-left-text"></i></span>'
    '<div class="small text-body-secondary">{date} · {kind} · {author}</div><div>{summary}</div>{visitors}{next}</li>'
)
STAGE = (
    '<li class="timeline-stage"><span class="timeline-icon bg-success"><i class="bi bi-flag"></i></span>'
    '<div class="small text-body-secondary">{at} · {who}</div><div>{move}</div>{note}</li>'
)
EVENT = (
    '<li class="timeline-{kind}"><span class="timeline-icon {colour}"><i class="bi {icon}"></i></span>'
    '<div class="small text-body-secondary">{at} · {who}</div>{headline}{changes}{reason}</li>'
)


def _lines(text: str) -> str:
    """The linebreaksbr filter: escaped, each line break a <br>."""
    return escape(re.sub(r"\r\n|\r", "\n", str(text))).replace("\n", "<br>")


def _minute(at: datetime.datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _who(user) -> str:
    return escape(person(user) if user is not None else "—")


def timeline_html(items: list[dict]) -> SafeString:
    if not items:
        return mark_safe(f'<li class="text-body-secondary small">{escape(_("Nothing happened yet."))}</li>')  # noqa: S308
    kinds, stages, statuses = dict(FollowUp.Kind.choices), dict(Stage.choices), dict(Status.choices)
    came, next_ = escape(_("who came")), escape(pgettext("follow-up", "next"))
    html = []
    for item in items:
        obj = item["obj"]
        if item["kind"] == "follow_up":
            text = item["text"]
            visitors = (
                f'<div class="small"><span class="text-body-secondary">{came}:</span> {escape(text["visitors"])}</div>'
                if text["visitors"]
                else ""
            )
            follow = ""
            if text["next_action"] or obj.next_due_on:
                due = (
                    f' <span class="badge text-bg-light border">{obj.next_due_on.isoformat()}</span>'
                    if obj.next_due_on
                    else ""
                )
                follow = (
                    f'<div class="small"><span class="text-body-secondary">{next_}:</span> '
                    f"{escape(text['next_action'])}{due}</div>"
                )
            html.append(
                FOLLOW_UP.format(
                    date=obj.occurred_on.isoformat(),
                    kind=escape(str(kinds.get(obj.kind, obj.kind))),
                    author=_who(obj.author),
                    summary=_lines(text["summary"]),
                    visitors=visitors,
                    next=follow,
                )
            )
        elif item["kind"] == "stage":
            if obj.from_stage != obj.to_stage:
                move = _("Stage: %(a)s → %(b)s") % {
                    "a": escape(str(stages.get(obj.from_stage, obj.from_stage))),
                    "b": escape(str(stages.get(obj.to_stage, obj.to_stage))),
                }
            else:
                move = _("Status: %(a)s → %(b)s") % {
                    "a": escape(str(statuses.get(obj.from_status, obj.from_status))),
                    "b": escape(str(statuses.get(obj.to_status, obj.to_status))),
                }
            html.append(
                STAGE.format(
                    at=_minute(obj.changed_at),
                    who=_who(obj.changed_by),
                    move=move,
                    note=f'<div class="small">{_lines(item["note"])}</div>' if item["note"] else "",
                )
            )
        else:
            if item["kind"] == "file":
                colour, icon = "bg-info", "bi-paperclip"
            elif obj.headline:
                colour, icon = "bg-secondary", "bi-plus"
            else:
                colour, icon = "bg-warning", "bi-pencil"
            reason = (
                f'<div class="small text-body-secondary"><i class="bi bi-chat-left-text"></i> {escape(obj.reason)}</div>'
                if obj.reason
                else ""
            )
            html.append(
                EVENT.format(
                    kind=item["kind"],
                    colour=colour,
                    icon=icon,
                    at=_minute(obj.at),
                    who=escape(obj.who),
                    headline=f"<div>{escape(obj.headline)}</div>" if obj.headline else "",
                    changes="".join(f"<div>{escape(change.sentence)}</div>" for change in obj.changes),
                    reason=reason,
                )
            )
    return mark_safe("".join(html))  # noqa: S308 - every value above went through html.escape
