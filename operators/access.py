"""Who may see and change what: the one place where access is decided.

Every view, export, API endpoint, digest, search and duplicate warning filters its querysets
through these functions. They filter querysets they are handed (by field name), so this app
never imports the apps that hold projects.

Rules (by role, per active membership):
- officer, team lead: projects of their own organisation;
- operator: projects whose target zone is their organisation's zone;
- manager: the zones of their scope: a city office sees every zone, a county bureau the zones
  of its county, a zone organisation its own zone;
- administrator (role admin, or a superuser): everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .models import Membership, Organization, Role, Zone


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    roles: frozenset[str] = frozenset()
    # Organisations where the user works a pipeline (officer, team lead).
    pipeline_org_ids: frozenset[int] = frozenset()
    lead_org_ids: frozenset[int] = frozenset()
    # Zones the user operates in (operator role).
    operator_zone_ids: frozenset[int] = frozenset()
    # Manager scope: everything (manager_all), or zone ids and counties.
    manager_all: bool = False
    manager_zone_ids: frozenset[int] = frozenset()
    manager_counties: frozenset[str] = frozenset()
    org_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_manager(self) -> bool:
        return self.is_admin or Role.MANAGER in self.roles

    @property
    def sees_everything(self) -> bool:
        return self.is_admin or self.manager_all


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_access_scope", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, is_active=True).select_related("organization", "organization__zone")
    )
    roles = {m.role for m in memberships}
    pipeline_orgs, lead_orgs, op_zones, mgr_zones, mgr_counties = set(), set(), set(), set(), set()
    manager_all = False
    for m in memberships:
        org = m.organization
        if m.role in (Role.OFFICER, Role.TEAM_LEAD):
            pipeline_orgs.add(org.pk)
            if m.role == Role.TEAM_LEAD:
                lead_orgs.add(org.pk)
        elif m.role == Role.OPERATOR and org.zone_id:
            op_zones.add(org.zone_id)
        elif m.role == Role.MANAGER:
            if org.kind == Organization.Kind.CITY_OFFICE:
                manager_all = True
            elif org.kind == Organization.Kind.COUNTY_BUREAU:
                mgr_counties.add(org.county)
            elif org.zone_id:
                mgr_zones.add(org.zone_id)
    scope = Scope(
        is_admin=user.is_superuser or Role.ADMIN in roles,
        roles=frozenset(roles),
        pipeline_org_ids=frozenset(pipeline_orgs),
        lead_org_ids=frozenset(lead_orgs),
        operator_zone_ids=frozenset(op_zones),
        manager_all=manager_all,
        manager_zone_ids=frozenset(mgr_zones),
        manager_counties=frozenset(mgr_counties),
        org_ids=frozenset(m.organization_id for m in memberships),
    )
    user._access_scope = scope
    return scope


def _zone_q(scope: Scope, prefix: str) -> Q:
    """Zones the user reaches as operator or manager, as a filter on `<prefix>` (a zone FK)."""
    q = Q(pk__in=[])
    zone_ids = scope.operator_zone_ids | scope.manager_zone_ids
    if zone_ids:
        q |= Q(**{f"{prefix}_id__in": zone_ids})
    if scope.manager_counties:
        q |= Q(**{f"{prefix}__county__in": scope.manager_counties})
    return q


def visible_projects(user, queryset: QuerySet) -> QuerySet:
    """Projects (or a queryset with `organization` and `zone`) the user may see."""
    scope = scope_for(user)
    if scope.sees_everything:
        return queryset
    q = _zone_q(scope, "zone")
    if scope.pipeline_org_ids:
        q |= Q(organization_id__in=scope.pipeline_org_ids)
    return queryset.filter(q)


def changeable_projects(user, queryset: QuerySet) -> QuerySet:
    """Projects the user may change: their organisation's (officers, team leads), their zone's
    (operators, for the later stages and site details only), all (administrators).
    Managers read; they settle disputes and supervise through their own actions."""
    scope = scope_for(user)
    if scope.is_admin:
        return queryset
    q = Q(pk__in=[])
    if scope.pipeline_org_ids:
        q |= Q(organization_id__in=scope.pipeline_org_ids)
    if scope.operator_zone_ids:
        q |= Q(zone_id__in=scope.operator_zone_ids)
    return queryset.filter(q)


def pipeline_projects(user, queryset: QuerySet) -> QuerySet:
    """Projects whose pipeline the user works: their organisation's (officers, team leads), all
    (administrators). Only these may have their owner, source, attribution, early stages,
    status or confidentiality changed; operators are left out on purpose."""
    scope = scope_for(user)
    if scope.is_admin:
        return queryset
    return queryset.filter(organization_id__in=scope.pipeline_org_ids)


def works_pipeline_of(user, project) -> bool:
    """True when the user may change everything about `project` (not only its later stages)."""
    scope = scope_for(user)
    return scope.is_admin or project.organization_id in scope.pipeline_org_ids


def operates_zone_of(user, project) -> bool:
    """True when the user is an operator of the project's target zone."""
    return project.zone_id in scope_for(user).operator_zone_ids


def may_change(user, project) -> bool:
    """The object-level form of changeable_projects, for a project already loaded."""
    return works_pipeline_of(user, project) or operates_zone_of(user, project)


def visible_related(user, queryset: QuerySet, via: str = "project") -> QuerySet:
    """Rows hanging off a project (follow-ups, stage changes, attachments) the user may see."""
    scope = scope_for(user)
    if scope.sees_everything:
        return queryset
    q = _zone_q(scope, f"{via}__zone")
    if scope.pipeline_org_ids:
        q |= Q(**{f"{via}__organization_id__in": scope.pipeline_org_ids})
    return queryset.filter(q)


def visible_zones(user, queryset: QuerySet | None = None) -> QuerySet:
    """Zones for dropdowns and dashboards: those the user works in or oversees."""
    queryset = Zone.objects.all() if queryset is None else queryset
    scope = scope_for(user)
    if scope.sees_everything:
        return queryset
    q = Q(pk__in=scope.operator_zone_ids | scope.manager_zone_ids)
    if scope.manager_counties:
        q |= Q(county__in=scope.manager_counties)
    if scope.pipeline_org_ids:
        # An officer's organisation logs leads for its own zone, or for the zones of its county.
        q |= Q(organizations__pk__in=scope.pipeline_org_ids)
        q |= Q(county__in=Organization.objects.filter(pk__in=scope.pipeline_org_ids).values("county"))
    return queryset.filter(q).distinct()


def visible_organizations(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Organization.objects.all() if queryset is None else queryset
    scope = scope_for(user)
    if scope.sees_everything:
        return queryset
    q = Q(pk__in=scope.org_ids) | Q(
        zone__in=visible_zones(user).filter(
            Q(pk__in=scope.operator_zone_ids | scope.manager_zone_ids) | Q(county__in=scope.manager_counties)
        )
    )
    if scope.manager_counties:
        q |= Q(county__in=scope.manager_counties)
    return queryset.filter(q).distinct()


def visible_users(user, queryset: QuerySet) -> QuerySet:
    """People the user may pick in a dropdown (owners, contacts): members of visible organisations."""
    scope = scope_for(user)
    if scope.sees_everything:
        return queryset
    return queryset.filter(
        memberships__organization__in=visible_organizations(user), memberships__is_active=True
    ).distinct()


def users_seeing_project(project, queryset: QuerySet) -> QuerySet:
    """The dual of visible_projects: users (from `queryset`) whose scope includes `project`
    (a Project or anything with `organization_id` and `zone`). Used to offer a need-to-know list."""
    active = Q(memberships__is_active=True)
    zone = project.zone
    q = Q(is_superuser=True) | Q(memberships__role=Role.ADMIN, memberships__is_active=True)
    q |= active & Q(
        memberships__role__in=[Role.OFFICER, Role.TEAM_LEAD], memberships__organization_id=project.organization_id
    )
    q |= active & Q(memberships__role=Role.OPERATOR, memberships__organization__zone_id=zone.pk)
    q |= (
        active
        & Q(memberships__role=Role.MANAGER)
        & (
            Q(memberships__organization__kind=Organization.Kind.CITY_OFFICE)
            | Q(
                memberships__organization__kind=Organization.Kind.COUNTY_BUREAU,
                memberships__organization__county=zone.county,
            )
            | Q(memberships__organization__zone_id=zone.pk)
        )
    )
    return queryset.filter(q, is_active=True).distinct()


def is_team_lead_of(user, organization_id: int) -> bool:
    scope = scope_for(user)
    return scope.is_admin or organization_id in scope.lead_org_ids


def settles_disputes(user) -> bool:
    """Managers (and administrators) settle attribution disputes between organisations."""
    return scope_for(user).is_manager


def reads_dashboards(user) -> bool:
    """Managers (their zones) and team leads (their organisation) read the dashboard."""
    scope = scope_for(user)
    return scope.is_manager or bool(scope.lead_org_ids)
