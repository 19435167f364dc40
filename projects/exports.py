"""The ledger (项目台账): the filtered list as XLSX or CSV, Chinese headings, amounts in 万元.

Text cells that a spreadsheet would read as a formula (= + - @, tab, carriage return) are
prefixed with an apostrophe, so a name typed as "=HYPERLINK(...)" stays text."""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.utils import timezone, translation
from django.utils.translation import pgettext

from .confidential import can_see_names, display_investor, display_title
from .models import Project

WAN = Decimal(10_000)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LEDGER_LANGUAGE = "zh-hans"


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _wan(yuan):
    """Exact 万元 as a number cell: 5000 rather than 5000.000000 or 5E+3."""
    if yuan is None:
        return None
    wan = Decimal(yuan) / WAN
    if wan == wan.to_integral_value():
        return int(wan)
    return Decimal(format(wan.normalize(), "f"))


def ledger_headings() -> list[str]:
    return [
        pgettext("ledger", "No."),
        pgettext("ledger", "Project"),
        pgettext("ledger", "Investor"),
        pgettext("ledger", "China Top-500"),
        pgettext("ledger", "Target zone"),
        pgettext("ledger", "Organisation"),
        pgettext("ledger", "Source mode"),
        pgettext("ledger", "Industry chain"),
        pgettext("ledger", "Stage"),
        pgettext("ledger", "Status"),
        pgettext("ledger", "Planned investment (万元)"),
        pgettext("ledger", "Owner"),
        pgettext("ledger", "Next follow-up"),
        pgettext("ledger", "Last activity"),
        pgettext("ledger", "Logged on"),
    ]


def ledger_row(number: int, project: Project, user) -> list:
    names = can_see_names(project, user)
    last = project.last_activity_at
    return [
        number,
        display_title(project, user),
        display_investor(project, user),
        (pgettext("ledger", "Yes") if project.investor.is_top500 else "") if names else "",
        project.zone.name,
        project.organization.name,
        project.get_source_mode_display(),
        project.chain.name if project.chain_id else "",
        project.get_stage_display(),
        project.get_status_display(),
        _wan(project.planned_amount),
        project.owner.get_full_name() or project.owner.username,
        project.next_follow_up_on.isoformat() if project.next_follow_up_on else "",
        timezone.localtime(last).strftime("%Y-%m-%d %H:%M") if last else "",
        timezone.localtime(project.created_at).strftime("%Y-%m-%d"),
    ]


def ledger_dataset(queryset, user) -> tablib.Dataset:
    """One row per project of `queryset` (already scoped and filtered), in its order."""
    with translation.override(LEDGER_LANGUAGE):
        dataset = tablib.Dataset(headers=ledger_headings(), title=pgettext("ledger", "Project ledger"))
        rows = queryset.select_related("chain").iterator(chunk_size=2000)
        for number, project in enumerate(rows, start=1):
            dataset.append([neutralise(cell) for cell in ledger_row(number, project, user)])
    return dataset


def ledger_filename(extension: str) -> str:
    with translation.override(LEDGER_LANGUAGE):
        return f"{pgettext('ledger', 'Project ledger')}-{timezone.localdate():%Y%m%d}.{extension}"
