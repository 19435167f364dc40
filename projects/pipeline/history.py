"""History you can read: django-simple-history rows turned into sentences, field by field, in
words ("张三 changed planned investment from 5,000 万元 to 8,000 万元")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from projects.core.amounts import amount
from projects.core.confidential import CONFIDENTIAL_FIELDS, can_see_names
from projects.pipeline.models import Attachment, Project

# Bookkeeping, not something a reader changed.
SKIPPED_FIELDS = ["version", "updated_at", "created_at", "last_activity_at", "next_follow_up_on"]
AMOUNT_FIELDS = {
    "planned_amount",
    "fund_committed_amount",
    "equity_amount",
    "intention_amount",
    "contract_amount",
    "actual_investment",
}
TIMELINE_LIMIT = 200
# A stage or status change: the StageChange row tells it (with its note) where one is shown.
MOVE_FIELDS = {"stage", "status"}


def person(user) -> str:
    if user is None:
        return _("The system")
    first, last = user.first_name.strip(), user.last_name.strip()
    if last and first and not (last + first).isascii():
        return last + first  # Chinese names: family name first, no space (张三)
    return user.get_full_name() or user.get_username()


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    who: str = ""

    @property
    def sentence(self) -> str:
        values = {"who": self.who, "field": self.label, "old": self.old, "new": self.new}
        if self.old == "—":
            return _("%(who)s set %(field)s to %(new)s") % values
        if self.new == "—":
            return _("%(who)s cleared %(field)s (was %(old)s)") % values
        return _("%(who)s changed %(field)s from %(old)s to %(new)s") % values


@dataclass
class TimelineEntry:
    at: datetime.datetime
    who: str
    headline: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""
    attachment_id: int | None = None


class _Formatter:
    """Formats raw history values for one reader; related names are loaded in one query per model."""

    def __init__(self, model, user=None, masked: bool = False):
        self.model = model
        self.user = user
        self.masked = masked
        self._related: dict[type, dict] = {}

    def preload(self, changes) -> None:
        wanted: dict[type, set] = {}
        for change in changes:
            f = self.model._meta.get_field(change.field)
            if f.is_relation and f.many_to_one:
                wanted.setdefault(f.related_model, set()).update(v for v in (change.old, change.new) if v)
        for related, ids in wanted.items():
            self._related.setdefault(related, {}).update(related._default_manager.in_bulk(ids))

    def label(self, name: str) -> str:
        return str(self.model._meta.get_field(name).verbose_name)

    def value(self, name: str, raw) -> str:
        if raw in (None, ""):
            return "—"
        if self.masked and name in CONFIDENTIAL_FIELDS:
            return _("(confidential)")
        f = self.model._meta.get_field(name)
        if f.choices:
            return str(dict(f.flatchoices).get(raw, raw))
        if f.is_relation:
            obj = self._related.get(f.related_model, {}).get(raw)
            if obj is None:
                return f"#{raw}"
            return person(obj) if f.related_model is get_user_model() else str(obj)
        if name in AMOUNT_FIELDS:
            return amount(raw)
        if isinstance(f, models.BooleanField):
            return _("yes") if raw else _("no")
        if isinstance(f, models.DateTimeField):
            return formats.date_format(raw, "SHORT_DATETIME_FORMAT")
        if isinstance(f, models.DateField):
            return formats.date_format(raw, "DATE_FORMAT")
        if name == "equity_stake_pct":
            return f"{Decimal(raw).normalize():f}%"
        if name == "site_area_mu":
            return _("%(n)s mu") % {"n": f"{Decimal(raw).normalize():f}"}
        text = str(raw)
        return text if len(text) <= 80 else text[:79] + "…"


def _deltas(new, old) -> list:
    """The raw field changes from history row `old` to `new`, in the model's field order."""
    delta = new.diff_against(old, excluded_fields=SKIPPED_FIELDS)
    changes = [c for c in delta.changes if c.old != c.new]
    fields_order = [f.name for f in new.instance_type._meta.fields]
    changes.sort(key=lambda c: fields_order.index(c.field) if c.field in fields_order else 999)
    return changes


def _format(changes, formatter: _Formatter, who: str) -> list[FieldChange]:
    return [
        FieldChange(
            name=c.field,
            label=formatter.label(c.field),
            old=formatter.value(c.field, c.old),
            new=formatter.value(c.field, c.new),
            who=who,
        )
        for c in changes
    ]


def diff_records(new, old, formatter: _Formatter, who: str = "") -> list[FieldChange]:
    """The field changes from history row `old` to `new`, formatted for the reader."""
    changes = _deltas(new, old)
    formatter.preload(changes)
    return _format(changes, formatter, who)


def changes_since(project: Project, version: int, user=None) -> list[tuple[str, str, str]]:
    """What changed since the reader loaded `version` of the project:
    (field, value they saw, current value). Empty when that version left no history."""
    seen = project.history.filter(version=version).order_by("-history_date", "-history_id").first()
    latest = project.history.order_by("-history_date", "-history_id").first()
    if seen is None or latest is None or seen.history_id == latest.history_id:
        return []
    masked = user is not None and not can_see_names(project, user)
    changes = diff_records(latest, seen, _Formatter(Project, user, masked))
    return [(c.label, c.old, c.new) for c in changes]


def project_timeline(project: Project, user, *, moves_told_apart: bool = False) -> list[TimelineEntry]:
    """Who changed what and when on this project and its files, newest first. With
    `moves_told_apart` the caller shows stage and status changes itself (StageChange rows, with
    their note), so those fields and the move's note are left out here: one move, told once.
    A fixed number of queries whatever the length of the history."""
    masked = not can_see_names(project, user)
    formatter = _Formatter(Project, user, masked)
    records = list(
        project.history.select_related("history_user").order_by("-history_date", "-history_id")[: TIMELINE_LIMIT + 1]
    )
    compared = []
    for i, record in enumerate(records[:TIMELINE_LIMIT]):
        if record.history_type == "+":
            compared.append((record, None))
        elif i + 1 < len(records):
            compared.append((record, _deltas(record, records[i + 1])))
    # Related names (owners, zones...) of every change, loaded once per model.
    formatter.preload([c for _record, changes in compared for c in changes or []])
    entries: list[TimelineEntry] = []
    for record, changes in compared:
        who = person(record.history_user)
        if changes is None:
            entries.append(
                TimelineEntry(at=record.history_date, who=who, headline=_("%(who)s logged the project") % {"who": who})
            )
            continue
        reason = record.history_change_reason or ""
        if moves_told_apart and any(c.field in MOVE_FIELDS for c in changes):
            changes = [c for c in changes if c.field not in MOVE_FIELDS and c.field != "status_note"]
            reason = ""
        if changes or reason:
            entries.append(
                TimelineEntry(at=record.history_date, who=who, changes=_format(changes, formatter, who), reason=reason)
            )
    for row in (
        Attachment.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by("-history_date")[:TIMELINE_LIMIT]
    ):
        who = person(row.history_user)
        name = row.original_name if not masked else Attachment.Kind(row.kind).label
        values = {"who": who, "name": name, "kind": Attachment.Kind(row.kind).label}
        if row.history_type == "+":
            headline = _("%(who)s uploaded %(name)s (%(kind)s)") % values
        elif row.history_type == "~":
            headline = _("%(who)s replaced the file %(name)s (%(kind)s); the earlier file is kept") % values
        else:
            continue
        entries.append(TimelineEntry(at=row.history_date, who=who, headline=headline, attachment_id=row.id))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:TIMELINE_LIMIT]
