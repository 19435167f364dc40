"""What an import's rows are matched against: the importing user's zones and people, the industry
chains, the organisation's projects and the investors the ledger names; and the lookups that resolve
a row's investor, zone, owner and chain, or record why they cannot.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from operators.access import changeable_projects, visible_users, visible_zones
from projects.ledger.columns import fold
from projects.ledger.plan import Plan, Row, new_row
from projects.pipeline.duplicates import normalize_name as _normalize_name
from projects.pipeline.funds import with_tranches
from projects.pipeline.models import IndustryChain, Investor, Project

LOOKUP_CHUNK = 500  # values in one `IN (…)` lookup (SQLite allows 999 parameters by default)
# A ledger repeats investor names: normalise each name once.
normalize_name = functools.lru_cache(maxsize=200_000)(_normalize_name)


def _user_keys(user) -> list[str]:
    keys = [fold(user.get_username())]
    full = user.get_full_name().strip()
    if full:
        keys += [fold(full), fold(f"{full}({user.get_username()})")]
    return keys


class Context:
    """What the rows are resolved against: the user's zones, people, and the organisation's projects."""

    def __init__(self, *, user, organization, rows_values: list[dict]):
        self.user = user
        self.organization = organization
        self.note = _("Imported from the ledger.")
        self.zones = {}
        for zone in visible_zones(user):
            for name in (zone.name, zone.short_name):
                if name:
                    self.zones.setdefault(fold(name), zone)
        self.users: dict[str, list] = {}
        for person in visible_users(user, get_user_model().objects.filter(is_active=True)):
            for key in _user_keys(person):
                bucket = self.users.setdefault(key, [])
                if person not in bucket:
                    bucket.append(person)
        self.chains = {fold(c.name): c for c in IndustryChain.objects.all()}
        # Matching needs only ids, investors and titles; whole projects are loaded on the first
        # match (a new ledger never needs them).
        self._existing = changeable_projects(user, Project.objects.filter(organization=organization))
        self._projects: dict[int, Project] | None = None
        self.by_id: set[int] = set()
        self.by_key: dict[tuple, int] = {}
        for pk, investor_id, title in self._existing.values_list("pk", "investor_id", "title"):
            self.by_id.add(pk)
            self.by_key.setdefault((investor_id, fold(title)), pk)
        codes = sorted({v["investor_credit_code"] for v in rows_values if v.get("investor_credit_code")})
        names = sorted({v["investor"] for v in rows_values if v.get("investor")})
        self.investors_by_code: dict[str, Investor] = {
            inv.credit_code: inv for inv in _matching(Investor.objects.all(), "credit_code", codes)
        }
        self.investors_by_norm: dict[str, Investor] = {}
        norms = sorted({normalize_name(name) for name in names})
        for inv in _matching(Investor.objects.order_by("pk"), "normalized_name", norms):
            self.investors_by_norm.setdefault(inv.normalized_name, inv)
        # Investors whose stored normalised name is missing or older than today's rules match by
        # their name as well.
        for inv in _matching(Investor.objects.order_by("pk"), "name", names):
            self.investors_by_norm.setdefault(normalize_name(inv.name) or fold(inv.name), inv)

    def project(self, pk: int) -> Project:
        if self._projects is None:
            self._projects = {p.pk: p for p in self._existing}
        return self._projects[pk]

    @functools.cached_property
    def with_tranches(self) -> set[int]:
        """The matched projects whose actual investment is the sum of their tranches (a ledger
        does not type it): one query for the whole file, on first use."""
        return set(with_tranches(self._existing).values_list("pk", flat=True))


def _matching(queryset, field: str, values: list[str]):
    """The objects of `queryset` whose text `field` is one of `values`: on PostgreSQL one array
    parameter (`IN (SELECT unnest(…))`), elsewhere `IN (…)` in chunks."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield from queryset.filter(**{f"{field}__in": RawSQL("SELECT unnest(%s::varchar[])", [values])})
        return
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield from queryset.filter(**{f"{field}__in": values[start : start + LOOKUP_CHUNK]})


def resolve_investor(plan: Plan, context: Context, number: int, values: dict, heading):
    """The existing investor the row names (by credit code, else by normalised name), or the new
    one it creates (a row, shared by every row naming it); None after a problem."""
    name = values["investor"]
    code = values.get("investor_credit_code")
    norm = normalize_name(name) or fold(name)
    investor = context.investors_by_code.get(code) if code else None
    if investor is None:
        candidate = context.investors_by_norm.get(norm)
        if candidate is not None and not (code and candidate.credit_code and candidate.credit_code != code):
            investor = candidate
    if investor is None:
        investor = new_row(Investor, name=name, normalized_name=norm, credit_code=code)
        plan.new_investors[code or f"name:{norm}"] = investor
        if code:
            context.investors_by_code[code] = investor
        context.investors_by_norm.setdefault(norm, investor)
        return investor
    if code and not investor.credit_code:
        if isinstance(investor, Row):  # new in this ledger: an earlier row named it without a code
            investor["credit_code"] = code
            context.investors_by_code[code] = investor
            return investor
        pending = plan.investor_codes.get(investor.pk)
        if pending is not None and pending.credit_code != code:
            plan.problem(
                number,
                heading("investor_credit_code"),
                _("Another row gives this investor the credit code %(code)s.") % {"code": pending.credit_code},
            )
            return None
        investor.credit_code = code
        plan.investor_codes[investor.pk] = investor
    return investor


def lookup(plan: Plan, number: int, column: str, table: dict, text: str, what: str):
    found = table.get(fold(text))
    if isinstance(found, list):
        if len(found) > 1:
            plan.problem(
                number,
                column,
                _("Several people are called “%(name)s”; write the login name instead.") % {"name": text},
            )
            return None
        found = found[0] if found else None
    if found is None:
        plan.problem(
            number, column, _("No %(what)s called “%(name)s” that you may choose.") % {"what": what, "name": text}
        )
    return found
