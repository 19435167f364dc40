"""The weekly ledger report: the ledger of projects.ledger.columns (the same columns the import reads
back) for a dashboard period, with a last column saying what happened to each project in it."""

from __future__ import annotations

import tablib
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from projects.core.periods import Period
from projects.ledger import columns as ledger
from projects.pipeline.models import StageChange
from projects.reporting.metrics import Filters, at_in_period, in_period, scoped_projects


def _changes(project) -> str:
    words = []
    if project.new_in_period:
        words.append(_("new lead"))
    if project.moved_in_period:
        words.append(_("stage moved"))
    if project.signed_in_period:
        words.append(_("signed"))
    return "、".join(words)


def ledger_projects(user, filters: Filters, period: Period) -> QuerySet:
    """Every project in scope logged before the period ended, with what happened to it in the
    period (new, moved, signed); zone, then stage, then amount. The database does the filtering."""
    moved = StageChange.objects.filter(project=OuterRef("pk")).filter(at_in_period("changed_at", period))
    return (
        scoped_projects(user, filters)
        .filter(created_at__lt=period.end_at)
        .annotate(
            moved_in_period=Exists(moved.exclude(from_stage=F("to_stage"))),
            new_in_period=ExpressionWrapper(Q(created_at__gte=period.start_at), output_field=BooleanField()),
            signed_in_period=ExpressionWrapper(
                in_period("intention_signed_on", period) | in_period("contract_signed_on", period),
                output_field=BooleanField(),
            ),
        )
        .order_by("zone__county", "zone__name", "-stage", "-planned_amount", "pk")
    )


def ledger_dataset(projects: QuerySet, user, period: Period) -> tablib.Dataset:
    """The ledger's columns (Chinese headings, as the import reads them) plus “本期情况”."""
    with translation.override("zh-hans"):
        dataset = tablib.Dataset(headers=[*(c.heading for c in ledger.EXPORTED), _("This period")], title=_("Ledger"))
        for project in ledger.export_queryset(projects, user).iterator(chunk_size=2000):
            (row,) = ledger.export_rows([project], user)
            dataset.append([*("" if v is None else v for v in row), _changes(project)])
    return dataset
