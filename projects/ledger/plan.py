"""What a checked ledger import would write (the Plan), and its rows.

Rows are plain dicts {attname: value} that read like model instances (row.pk, row.title): building
model instances was most of a big check. The checks (projects.ledger.checks) fill a Plan; the bulk
write (projects.ledger.bulk) writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from projects.pipeline.models import Investor


@dataclass
class Plan:
    """What confirming would do."""

    total_rows: int = 0
    # Rows as {attname: value} (see new_row): building model instances is most of a big check.
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0
    duplicates: int = 0
    problems: list[dict] = field(default_factory=list)
    error_count: int = 0
    new_investors: dict[str, dict] = field(default_factory=dict)
    investor_codes: dict[int, Investor] = field(default_factory=dict)
    follow_ups: list[dict] = field(default_factory=list)
    stage_changes: list[dict] = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    def problem(self, row: int, column: str, message: str, level: str = "error") -> None:
        if level == "error":
            self.error_count += 1
        if len(self.problems) < int(getattr(settings, "IMPORT_MAX_PROBLEMS", 1000)):
            self.problems.append({"row": row, "column": column, "message": str(message), "level": level})


class Row(dict):
    """A row to insert, {attname: value}, that reads like a model instance (row.pk, row.title):
    building model instances was most of a big check."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self["id" if name == "pk" else name]
        except KeyError:
            raise AttributeError(name) from None


_TEMPLATES: dict = {}


def new_row(model, **values) -> Row:
    """A new row of `model`: its field defaults, then `values`. A key naming a relation
    (`investor`, `project`) holds the related object or row until its id is known."""
    template = _TEMPLATES.get(model)
    if template is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        dynamic = [f for f in fields if f.has_default() and callable(f.default)]
        fixed = {model._meta.pk.attname: None} | {f.attname: f.get_default() for f in fields if f not in dynamic}
        template = _TEMPLATES[model] = (fixed, dynamic)
    fixed, dynamic = template
    row = Row(fixed)
    for f in dynamic:
        if f.attname not in values:
            row[f.attname] = f.get_default()
    row.update(values)
    return row


def row_of(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
