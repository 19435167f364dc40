"""Reads used by more than one view, export or service: querysets scoped through operators.access."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from operators.access import (
    may_change,
    scope_for,
    visible_projects,
    visible_users,
    visible_zones,
)
from operators.models import Membership, Organization, Role
from projects.core.confidential import (
    NEED_TO_KNOW_VIEWER,
    shown_investor_sort_key,
    shown_title_sort_key,
)
from projects.core.periods import week_start
from projects.pipeline.models import Investor, Project, Stage, Status

User = get_user_model()


def with_need_to_know(queryset: QuerySet, user) -> QuerySet:
    """Whether `user` is on each project's need-to-know list, as a column of the rows themselves
    (the user's id, or null): what projects.core.confidential needs to decide. One index probe a
    row rather than a query of its own: a prefetch sent every row's id back as a parameter
    (270 on the board) and built an object per row to hold the answer."""
    on_list = need_to_know_entry(OuterRef("pk"), user.pk)
    return queryset.annotate(**{NEED_TO_KNOW_VIEWER: Subquery(on_list.values("user_id")[:1])})


def need_to_know_entry(project, user) -> QuerySet:
    """The need-to-know row of `project` and `user` (ids or outer references), for a subquery."""
    return Project.need_to_know.through.objects.filter(project_id=project, user_id=user)


def project_list(user) -> QuerySet:
    """Projects the user may see, with what a list row, a card or an export line shows."""
    # The primary key breaks ties, so that pages never repeat or skip a row.
    queryset = Project.objects.select_related("investor", "zone", "owner", "organization").order_by(
        "-created_at", "-pk"
    )
    return with_need_to_know(visible_projects(user, queryset), user)


# What a row of the project list shows and decides with (projects.pipeline.tables, projects.core.confidential).
LIST_ROW_FIELDS = [
    *("title", "codename", "is_confidential", "organization_id", "source_mode", "stage", "status"),
    *("planned_amount", "next_follow_up_on", "last_activity_at"),
    *("investor__name", "investor__is_top500", "zone__name", "zone__short_name"),
    *("owner__first_name", "owner__last_name", "owner__username"),
]


def project_rows(user) -> QuerySet:
    """project_list for the list's table: only what a row shows (a project has some fifty
    columns, and a page builds 50 of them)."""
    queryset = Project.objects.select_related("investor", "zone", "owner").only(*LIST_ROW_FIELDS)
    return with_shown_names(
        with_need_to_know(visible_projects(user, queryset.order_by("-created_at", "-pk")), user), user
    )


def with_shown_names(queryset: QuerySet, user) -> QuerySet:
    """Sort keys `shown_title` and `shown_investor`: the names as `user` reads them
    (projects.core.confidential), so that sorting by name places a confidential deal where its
    codename sorts. Aliases: computed only when a query sorts by them."""
    visible = names_visible_q(user)
    return queryset.alias(shown_title=shown_title_sort_key(visible), shown_investor=shown_investor_sort_key(visible))


def projects_for_masking(user, project_ids) -> dict[int, Project]:
    """These projects (by id), loaded in one query with what projects.core.confidential needs to
    decide what `user` may read of them: for rows of theirs (follow-ups, stage changes) listed
    without their project."""
    ids = set(project_ids)
    if not ids:
        return {}
    projects = Project.objects.filter(pk__in=ids).only("pk", "is_confidential", "organization_id", "codename")
    return {p.pk: p for p in with_need_to_know(projects, user)}


def names_visible_q(user) -> Q:
    """Projects whose real names the user may see (and so search by): not confidential, or in
    the user's organisations, or with the user on the need-to-know list."""
    scope = scope_for(user)
    if scope.is_admin:
        # Always true, and not an empty Q(): an empty Q drops out of an OR (`Q() | x` is `x`).
        return Q(pk__isnull=False)
    return (
        Q(is_confidential=False)
        | Q(organization_id__in=scope.org_ids)
        | Q(Exists(Project.need_to_know.through.objects.filter(project_id=OuterRef("pk"), user_id=user.pk)))
    )


def project_search_q(user, text: str) -> Q:
    """Search by project or investor name, but never by a name the user may not see: a
    confidential deal is found by its codename only."""
    text = text.strip()
    if not text:
        return Q()
    # Candidates from three indexed lookups (trigram indexes on PostgreSQL) joined by UNION: an
    # OR across the investor join, or around the whole condition, leaves no index usable.
    by_title = Project.objects.filter(title__icontains=text).order_by().values("pk")
    by_investor = Project.objects.filter(investor__name__icontains=text).order_by().values("pk")
    by_codename = Project.objects.filter(is_confidential=True, codename__icontains=text).order_by().values("pk")
    candidates = by_title.union(by_investor, by_codename)
    return Q(pk__in=candidates) & (names_visible_q(user) | Q(is_confidential=True, codename__icontains=text))


def can_change(user, project: Project) -> bool:
    return may_change(user, project)


# -- what the lead form offers ------------------------------------------------------------------


def pipeline_organizations(user) -> QuerySet:
    """Organisations the user may log a lead for: where they are an officer or team lead."""
    scope = scope_for(user)
    if scope.is_admin:
        return Organization.objects.exclude(kind=Organization.Kind.OPERATING_COMPANY)
    return Organization.objects.filter(pk__in=scope.pipeline_org_ids)


def lead_zones(user) -> QuerySet:
    return visible_zones(user).filter(is_active=True)


def possible_owners(user, organization_ids=None) -> QuerySet:
    """Officers and team leads of the organisations the user logs leads for."""
    org_ids = organization_ids if organization_ids is not None else pipeline_organizations(user).values("pk")
    members = Membership.objects.filter(
        organization_id__in=org_ids, is_active=True, role__in=[Role.OFFICER, Role.TEAM_LEAD]
    )
    return User.objects.filter(is_active=True, pk__in=members.values("user_id")).order_by("first_name", "username")


def pickable_investors(user) -> QuerySet:
    """Investors the user may pick for a lead (the form, the API, the lead service): those of
    projects whose names the user may see, and those nobody courts yet. Investors are shared by
    every organisation, but which one courts whom is not."""
    scope = scope_for(user)
    if scope.is_admin:
        return Investor.objects.all()
    projects = visible_projects(user, Project.objects.all()).filter(names_visible_q(user))
    courted = Exists(Project.objects.filter(investor=OuterRef("pk")))
    return Investor.objects.filter(Q(pk__in=projects.values("investor_id")) | ~courted)


def owner_filter_choices(user) -> QuerySet:
    # A manager's dropdown lists every officer of the city: load only what the label needs.
    return (
        visible_users(user, User.objects.filter(is_active=True))
        .only("pk", "first_name", "last_name", "username")
        .order_by("first_name", "username")
    )


# -- the board ---------------------------------------------------------------------------------

BOARD_CARDS_PER_STAGE = 30
# What a card shows and what decides it (projects.pipeline.board: names, rights, the move form).
BOARD_CARD_FIELDS = [
    *("title", "codename", "is_confidential", "organization_id", "zone_id", "stage", "status", "version"),
    *("planned_amount", "next_follow_up_on", "last_activity_at"),
    *("investor__name", "investor__is_top500", "owner__first_name", "owner__last_name", "owner__username"),
]


def board(user, queryset: QuerySet) -> list[dict]:
    """One column per stage: the count and total planned amount of the active projects in it,
    and the most recently active cards. Three queries (totals, ranked keys, cards), whatever
    the number of projects."""
    active = queryset.filter(status=Status.ACTIVE)
    totals = {
        row["stage"]: row
        for row in active.order_by().values("stage").annotate(count=Count("pk"), total=Sum("planned_amount"))
    }
    recent_first = [F("last_activity_at").desc(nulls_last=True), F("pk").desc()]
    # Ranked on the projects' own columns, and only the winners loaded with their joins, by
    # primary key: ranking the joined rows carried every active project's investor, zone and
    # owner through the sort. The ranked keys come from `active`, which holds the user's scope.
    # Two queries, as the list's deferred join: as a subquery, the planner expects thousands of
    # winners (it cannot see the rank limit) and scans the whole table to join them.
    ranked = list(
        active.order_by()
        .annotate(rank=Window(RowNumber(), partition_by="stage", order_by=recent_first))
        .filter(rank__lte=BOARD_CARDS_PER_STAGE)
        .values_list("pk", flat=True)
    )
    winners = Project.objects.select_related("investor", "owner").only(*BOARD_CARD_FIELDS).filter(pk__in=ranked)
    winners = with_need_to_know(winners, user).order_by("stage", *recent_first)
    cards: dict[str, list[Project]] = {stage: [] for stage in Stage.values}
    for project in winners:
        cards[project.stage].append(project)
    return [
        {
            "stage": stage,
            "label": label,
            "count": totals.get(stage, {}).get("count", 0),
            "total": totals.get(stage, {}).get("total"),
            "cards": cards[stage],
            "next_stage": Stage.values[i + 1] if i + 1 < len(Stage.values) else None,
            "next_label": Stage.labels[i + 1] if i + 1 < len(Stage.values) else None,
        }
        for i, (stage, label) in enumerate(Stage.choices)
    ]


# -- My work -----------------------------------------------------------------------------------


def my_work(user) -> dict:
    """An officer's day: follow-ups due today or overdue, own projects by stage, leads logged
    this week. A fixed number of queries."""
    today = timezone.localdate()
    mine = project_list(user).filter(owner=user)
    due = list(mine.filter(status=Status.ACTIVE, next_follow_up_on__lte=today).order_by("next_follow_up_on", "pk")[:50])
    by_stage = dict(
        mine.filter(status=Status.ACTIVE)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    start = timezone.make_aware(datetime.datetime.combine(week_start(today), datetime.time.min))
    logged = list(project_list(user).filter(created_by=user, created_at__gte=start).order_by("-created_at")[:50])
    return {
        "today": today,
        "due_today": [p for p in due if p.next_follow_up_on == today],
        "overdue": [p for p in due if p.next_follow_up_on < today],
        "by_stage": [(stage, label, by_stage.get(stage, 0)) for stage, label in Stage.choices],
        "owned_count": sum(by_stage.values()),
        "logged_this_week": logged,
    }
