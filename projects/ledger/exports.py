"""The ledger (项目台账): the filtered list as XLSX or CSV, Chinese headings, amounts in 万元.

The columns are those of projects.ledger.columns, which the import reads back: exporting and importing
again changes nothing. Text cells that a spreadsheet would read as a formula (= + - @, tab,
carriage return) are prefixed with an apostrophe, so a name typed as "=HYPERLINK(...)" stays text."""

from __future__ import annotations

import tablib
from django.utils import timezone, translation
from django.utils.translation import pgettext

from projects.ledger import columns as ledger
from projects.ledger.columns import neutralise

__all__ = ["ledger_dataset", "ledger_filename", "neutralise"]
LEDGER_LANGUAGE = "zh-hans"


def ledger_dataset(queryset, user) -> tablib.Dataset:
    """One row per project of `queryset` (already scoped and filtered), in its order, with the
    columns of projects.ledger.columns, the ones the import reads back."""
    with translation.override(LEDGER_LANGUAGE):
        return ledger.export_dataset(queryset, user, title=pgettext("ledger", "Project ledger"))


def ledger_filename(extension: str) -> str:
    with translation.override(LEDGER_LANGUAGE):
        return f"{pgettext('ledger', 'Project ledger')}-{timezone.localdate():%Y%m%d}.{extension}"
