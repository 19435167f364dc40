"""What the operating company keeps up to date: actual investment and the site."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from operators.access import may_change

from .errors import PipelineError
from .models import Project
from .stages import claim_version, save_claimed

DELIVERY_FIELDS = ["actual_investment", "site_location", "site_area_mu", "registered_on"]


@transaction.atomic
def project_update_delivery(*, project: Project, user, expected_version: int, values: dict, note: str = "") -> Project:
    """Update the delivery details (operators of the zone and the owning organisation may)."""
    unknown = set(values) - set(DELIVERY_FIELDS)
    if unknown:
        raise PipelineError(
            _("Only delivery details can be changed here."), {f: [_("Not allowed here.")] for f in unknown}
        )
    if not may_change(user, project):
        raise PipelineError(_("You may not change this project."))
    current = claim_version(project, expected_version, user)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, values[name])
    save_claimed(current, project, user, note, changed)
    return current
