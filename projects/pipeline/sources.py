"""The detail fields each source mode carries (DOMAIN.md), and which of them a lead needs.

One table read by the lead form (which fields to show, which are required), the service (the
rule, for every way a lead comes in) and the project page (what to display)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from projects.pipeline.models import Project, SourceMode

# mode: [(field, required)], in display order.
SOURCE_DETAILS: dict[str, list[tuple[str, bool]]] = {
    SourceMode.FUND: [
        ("fund_name", True),
        ("fund_manager", True),
        ("fund_committed_amount", True),
        ("fund_condition", False),
    ],
    SourceMode.EQUITY: [("equity_vehicle", True), ("equity_stake_pct", True), ("equity_amount", True)],
    SourceMode.CHAIN: [("chain", True), ("chain_link", True), ("chain_leader", False)],
    SourceMode.REFERRAL: [("referrer", True)],
    SourceMode.DIRECT: [("source_note", True)],
    SourceMode.EXPO: [("source_note", True)],
    SourceMode.AGENCY: [("source_note", True)],
    SourceMode.OTHER: [("source_note", True)],
}
ALL_DETAIL_FIELDS = sorted({name for fields in SOURCE_DETAILS.values() for name, _req in fields})
# Amounts among the details: typed in 万元, stored in yuan.
AMOUNT_DETAILS = {"fund_committed_amount", "equity_amount"}


def detail_fields(mode: str) -> list[str]:
    return [name for name, _req in SOURCE_DETAILS.get(mode, [])]


def required_detail_fields(mode: str) -> list[str]:
    return [name for name, required in SOURCE_DETAILS.get(mode, []) if required]


def source_detail_errors(mode: str, values: dict) -> dict[str, list[str]]:
    """What a lead of `mode` lacks, as {field: [message]}; also checks that the chain link
    belongs to the chain."""
    if mode not in SOURCE_DETAILS:
        return {"source_mode": [_("Choose a source mode from the list.")]}
    errors: dict[str, list[str]] = {}
    for name in required_detail_fields(mode):
        if values.get(name) in (None, ""):
            errors[name] = [
                _("%(field)s is required for a lead found by “%(mode)s”.")
                % {"field": Project._meta.get_field(name).verbose_name, "mode": SourceMode(mode).label}
            ]
    chain, link = values.get("chain"), values.get("chain_link")
    if mode == SourceMode.CHAIN and chain is not None and link is not None and link.chain_id != chain.pk:
        errors["chain_link"] = [_("This link belongs to another industry chain.")]
    return errors
