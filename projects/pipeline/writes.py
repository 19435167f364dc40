"""Changing a project's details: through the API, and the delivery details the operating company keeps
up to date (creating leads and recording follow-ups use projects.pipeline.services, like the pages). Checks its rule, full_cleans, runs in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from operators.access import operates_zone_of, works_pipeline_of
from projects.core.errors import PipelineError, TransitionError
from projects.pipeline.funds import actual_investment_put
from projects.pipeline.models import Project
from projects.pipeline.rights import CHANGE
from projects.pipeline.versions import claim_version, save_version, write_project

# What a PATCH may change; stage, status and evidence go through the transition service.
EDITABLE_FIELDS = [
    "title",
    "zone",
    "owner",
    "source_mode",
    "fund_name",
    "fund_manager",
    "fund_committed_amount",
    "fund_condition",
    "equity_vehicle",
    "equity_stake_pct",
    "equity_amount",
    "chain",
    "chain_link",
    "chain_leader",
    "referrer",
    "source_note",
    "industry",
    "planned_amount",
    "priority",
    "site_location",
    "site_area_mu",
]
# What the zone's operating company may change among them: the site, as on the delivery details page.
SITE_FIELDS = ["site_location", "site_area_mu"]


def update_refusal(user, project: Project, fields: dict) -> str:
    """Why `user` may not give `project` these values ("" when they may): the pages' rule. The
    project's organisation changes its details; the operating company of its zone only the site;
    a manager none; the owner changes only through projects.pipeline.ownership (team leads)."""
    if not CHANGE.allows(user, project):
        return str(CHANGE.refusal)
    changed = {name for name, value in fields.items() if getattr(project, name) != value}
    if "owner" in changed:
        return _("The owner is assigned by a team lead of the project's organisation, not changed with its details.")
    if works_pipeline_of(user, project) or not changed:
        return ""
    if operates_zone_of(user, project) and changed <= set(SITE_FIELDS):
        return ""
    return _(
        "An operating company changes only a project's site (location and area); its organisation changes the rest."
    )


@transaction.atomic
def project_update(*, project: Project, user, expected_version: int, **fields) -> Project:
    """Change a project's details, as far as `update_refusal` lets the user. The version the user
    saw must be current (no lost update)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise PipelineError(_("These fields cannot be changed here."), {f: [_("Not editable.")] for f in unknown})
    refusal = update_refusal(user, project, fields)
    if refusal:
        raise PipelineError(refusal)
    write_project(project, user, expected_version=expected_version, **fields)
    return project


DELIVERY_FIELDS = ["actual_investment", "site_location", "site_area_mu", "registered_on"]


@transaction.atomic
def project_update_delivery(*, project: Project, user, expected_version: int, values: dict, note: str = "") -> Project:
    """Update the delivery details (operators of the zone and the owning organisation may). The
    actual investment is typed here only for a project without funds tranches."""
    unknown = set(values) - set(DELIVERY_FIELDS)
    if unknown:
        raise PipelineError(
            _("Only delivery details can be changed here."), {f: [_("Not allowed here.")] for f in unknown}
        )
    CHANGE.check(user, project)
    current = claim_version(project, user, expected_version)
    values = dict(values)
    changed = []
    # The actual investment goes through its one writer: refused once the project has tranches.
    if "actual_investment" in values and actual_investment_put(current, values.pop("actual_investment")):
        changed.append("actual_investment")
    changed += [name for name, value in values.items() if getattr(current, name) != value]
    for name in changed:
        if name in values:
            setattr(current, name, values[name])
    save_version(current, user, fields=changed, reason=note, project=project, error=TransitionError)
    return current
