"""What a confidential deal hides: outside the owning organisation, a codename stands in for the
project's and the investor's names, unless the user is on the project's need-to-know list. This is
the one place that says which fields are hidden and how they read."""

from __future__ import annotations

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.translation import gettext as _

from operators.access import scope_for

# The one list of what a confidential deal hides from a reader outside its need-to-know list:
# every project field that names or identifies the enterprise. The project page and its forms,
# the history, the list and board, the ledger export, the emails and the API all read it.
CONFIDENTIAL_FIELDS = frozenset(
    {
        "title",
        "investor",
        "registered_company",
        "registered_credit_code",
        "referrer",
        "chain_leader",
        "fund_name",
        "fund_manager",
        "equity_vehicle",
        "source_note",
        "status_note",
        "site_location",
    }
)
# What a follow-up of a confidential deal hides from the same readers: its free text.
CONFIDENTIAL_FOLLOW_UP_FIELDS = frozenset({"summary", "visitors", "next_action"})
# The reason typed with a stage or status change (StageChange.note) is the project's status_note
# (the status service writes the same text to both), and is hidden as it.
MOVE_NOTE_FIELD = "status_note"
# Where a project loaded for a page says whether its reader is on its need-to-know list: a
# column of the row, the reader's id or null (projects.pipeline.selectors.with_need_to_know).
NEED_TO_KNOW_VIEWER = "need_to_know_viewer_id"


def know_reader_on_list(project, user, on_list: bool) -> None:
    """Tell a loaded project whether `user`, its reader, is on its need-to-know list (a column
    loaded with the row, e.g. projects.pipeline.selectors.need_to_know_entry), so that
    can_see_names asks no query."""
    project.__dict__[NEED_TO_KNOW_VIEWER] = user.pk if on_list else None


def can_see_names(project, user) -> bool:
    if not project.is_confidential:
        return True
    scope = scope_for(user)
    if scope.is_admin or project.organization_id in scope.org_ids:
        return True
    if NEED_TO_KNOW_VIEWER in project.__dict__:  # loaded with the row, for one reader
        return project.__dict__[NEED_TO_KNOW_VIEWER] == user.pk
    # need_to_know may be prefetched; ids avoid loading users.
    cache = getattr(project, "_prefetched_objects_cache", {}).get("need_to_know")
    if cache is not None:
        return any(u.pk == user.pk for u in cache)
    return project.need_to_know.filter(pk=user.pk).exists()


def hides(project, user, name: str) -> bool:
    """Whether `user` is kept from field `name` of the project (CONFIDENTIAL_FIELDS) or of one of
    its follow-ups (CONFIDENTIAL_FOLLOW_UP_FIELDS)."""
    return (name in CONFIDENTIAL_FIELDS or name in CONFIDENTIAL_FOLLOW_UP_FIELDS) and not can_see_names(project, user)


def _stand_in_title(project) -> str:
    return project.codename or _("Confidential project #%(id)s") % {"id": project.pk}


def display_title(project, user) -> str:
    if can_see_names(project, user):
        return project.title
    return _stand_in_title(project)


def display_investor(project, user) -> str:
    if can_see_names(project, user):
        return project.investor.name
    return _("(confidential)")


def shown_top500(project, user) -> bool:
    """Whether the reader is shown the investor's China Top-500 badge: it tells the investor apart,
    so it is hidden with the investor."""
    return project.investor.is_top500 and can_see_names(project, user)


def masked(project, user, values: dict, *, blank=None) -> dict:
    """`values` (field name → value, of the project or of one of its follow-ups) as `user` may
    read them. Outside need-to-know the title reads as the codename and the investor as
    "(confidential)"; every other listed field that holds something reads as `blank` (by default
    "(confidential)"; exports and the API write an empty value). Empty values stay empty, and
    fields on neither list pass unchanged."""
    listed = [n for n in values if n in CONFIDENTIAL_FIELDS or n in CONFIDENTIAL_FOLLOW_UP_FIELDS]
    if not listed or can_see_names(project, user):
        return dict(values)
    shown = dict(values)
    for name in listed:
        if name == "title":
            shown[name] = _stand_in_title(project)
        elif name == "investor":
            shown[name] = _("(confidential)")
        elif values[name] not in (None, ""):
            shown[name] = _("(confidential)") if blank is None else blank
    return shown


# -- the same rule in SQL, for sorting ---------------------------------------------------------
# A list sorted by name sorts each row by what its reader sees: a confidential deal by its
# codename, never where its hidden real name would sort. `names_visible` is the condition of
# can_see_names() for one reader as a Q (projects.pipeline.selectors.names_visible_q), or an empty
# Q for a reader who sees every name.


def shown_title_sort_key(names_visible: Q):
    """display_title() as an expression."""
    if not names_visible:
        return F("title")
    before, _id, after = (_("Confidential project #%(id)s")).partition("%(id)s")
    stand_in = Concat(Value(before), Cast("pk", CharField()), Value(after), output_field=CharField())
    return Case(
        When(names_visible, then=F("title")),
        default=Coalesce(NullIf(F("codename"), Value("")), stand_in),
        output_field=CharField(),
    )


def shown_investor_sort_key(names_visible: Q):
    """display_investor() as an expression."""
    if not names_visible:
        return F("investor__name")
    return Case(
        When(names_visible, then=F("investor__name")), default=Value(_("(confidential)")), output_field=CharField()
    )
