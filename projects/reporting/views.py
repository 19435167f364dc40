"""The managers' dashboard and its Excel ledger: thin views over projects.reporting.metrics."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from operators.access import reads_dashboards, scope_for, visible_zones
from projects.core import periods
from projects.core.amounts import YI
from projects.core.confidential import display_investor, display_title, shown_top500
from projects.core.downloads import download
from projects.delivery.selectors import CATEGORIES, three_not_yets_counts
from projects.reporting import metrics
from projects.reporting.forms import RANK_CHOICES, DashboardForm
from projects.reporting.officers import officer_table, officer_totals
from projects.reporting.period_ledger import ledger_dataset, ledger_projects

# The project list (issue 3) and its query parameters. Beside its own (zone, stage, status,
# source_mode, chain, owner, overdue, created_after/before) the dashboard's links use: reached
# (stage or later), open (not lost), chain_link, organization, and <date>_after/<date>_before for
# the signing, contract and construction dates.
PROJECT_LIST_PATH = "/projects/"
DATE_FILTERS = {
    "created_at": ("created_after", "created_before"),
    "intention_signed_on": ("intention_signed_after", "intention_signed_before"),
    "contract_signed_on": ("contract_signed_after", "contract_signed_before"),
    "construction_started_on": ("construction_started_after", "construction_started_before"),
}


class ProjectLinks:
    """Links from a figure to the list of the projects behind it, carrying the dashboard's filters."""

    def __init__(self, filters: metrics.Filters, period: periods.Period):
        self.base = {}
        if filters.zone_id:
            self.base["zone"] = filters.zone_id
        if filters.source_mode:
            self.base["source_mode"] = filters.source_mode
        if filters.chain_id:
            self.base["chain"] = filters.chain_id
        self.period = period

    def __call__(self, *, during: str | None = None, reached: str | None = None, **params) -> str:
        query = {**self.base, **{k: v for k, v in params.items() if v not in (None, "")}}
        if during:
            after, before = DATE_FILTERS[during]
            query[after], query[before] = self.period.start.isoformat(), self.period.end.isoformat()
        if reached:
            query["reached"] = reached
        return f"{PROJECT_LIST_PATH}?{urlencode(query, doseq=True)}"


def _masked(projects, user) -> list[dict]:
    return [
        {
            "project": p,
            "title": display_title(p, user),
            "investor": display_investor(p, user),
            # The Top-500 flag tells the investor apart: hidden with it.
            "top500": shown_top500(p, user),
        }
        for p in projects
    ]


def _scope_label(user) -> str:
    scope = scope_for(user)
    if scope.sees_everything:
        return _("All zones")
    if scope.manager_counties:
        return "、".join(sorted(scope.manager_counties))
    return "、".join(z.short_name or z.name for z in visible_zones(user).order_by("county", "name"))


def not_yets_card(user, filters: metrics.Filters) -> dict:
    """The 三未 counts (as of today) of the dashboard's zone, each linking to its list on the
    delivery overview filtered by the same zone. Source mode and chain do not narrow them: the
    overview has no such filter, and its lists must show what the card counts."""
    zone_ids = [filters.zone_id] if filters.zone_id else None
    counts = three_not_yets_counts(user, zone_ids=zone_ids)
    url = reverse("delivery:overview") + (f"?{urlencode({'zone': filters.zone_id})}" if filters.zone_id else "")
    return {
        "url": url,
        "lists": [
            {"key": key, "label": label, "n": counts[key], "url": f"{url}#{key}"} for key, label in CATEGORIES.items()
        ],
    }


def dashboard_context(user, form: DashboardForm) -> dict:
    period, filters, today = form.period_value(), form.filters(), form.today
    link = ProjectLinks(filters, period)
    funnel = metrics.funnel(user, filters)
    for row in funnel:
        row["url"] = link(reached=row["stage"])
        row["at_url"] = link(stage=row["stage"])
    rates = metrics.zone_rates(user, filters, period, form.rank_by())
    for row in [*rates["rows"], rates["total"]]:
        zone = row["zone"].pk if row["zone"] else None
        for key, (field, reached) in metrics.RATES.items():
            row[f"{key}_url"] = link(zone=zone, during=field)
            row[f"{key}_converted_url"] = link(zone=zone, during=field, reached=reached)
        row["funds_url"] = link(zone=zone, during="contract_signed_on")
    sources = metrics.by_source_mode(user, filters)
    for row in sources:
        row["url"] = link(source_mode=row["mode"].value, open=1)
    chains = metrics.by_chain(user, filters)
    for chain in chains:
        chain["url"] = link(chain=chain["chain"].pk, open=1)
        for row in chain["links"]:
            row["url"] = link(chain=chain["chain"].pk, chain_link=row["link"].pk, open=1)
    weeks = metrics.weekly_activity(user, filters, min(period.end, today))
    for week in weeks:
        week["leads_url"] = link(created_after=week["start"].isoformat(), created_before=week["end"].isoformat())
    totals = metrics.totals_against_previous(user, filters, period)
    overdue_owners = metrics.overdue_by(user, filters, today, "owner")
    for row in overdue_owners:
        row["url"] = link(owner=row["owner"], overdue=1)
    overdue_orgs = metrics.overdue_by(user, filters, today, "organization")
    for row in overdue_orgs:
        row["url"] = link(organization=row["organization"], overdue=1)
    officers = officer_table(user, filters, period, today)
    for row in officers:
        owner = row["user_id"]
        row["leads_url"] = link(owner=owner, during="created_at")
        row["intentions_url"] = link(owner=owner, during="intention_signed_on")
        row["contracts_url"] = link(owner=owner, during="contract_signed_on")
        row["overdue_url"] = link(owner=owner, overdue=1)
    intentions = _masked(metrics.signed_in_period(user, filters, period, "intention"), user)
    contracts = _masked(metrics.signed_in_period(user, filters, period, "contract"), user)

    charts = {
        "funnel": {
            "labels": [str(r["stage"].label) for r in funnel],
            "reached": [r["reached"] for r in funnel],
            "amount": [float(r["amount"] / YI) for r in funnel],
        },
        "rates": {
            "labels": [str(r["zone"]) for r in rates["rows"]],
            "series": [
                {"label": str(label), "data": [_pct(r[key]) for r in rates["rows"]]} for key, label in RANK_CHOICES
            ],
        },
        "sources": {
            "labels": [str(r["mode"].label) for r in sources],
            "n": [r["n"] for r in sources],
            "amount": [float((r["amount"] or 0) / YI) for r in sources],
        },
        "weeks": {
            "labels": [w["start"].strftime("%m-%d") for w in weeks],
            "leads": [w["leads"] for w in weeks],
            "moves": [w["moves"] for w in weeks],
            "leads_label": _("New leads"),
            "moves_label": _("Stage moves"),
        },
    }
    kpis = [
        _kpi("new_leads", _("New leads"), totals["new_leads"], link(during="created_at")),
        _kpi("moves", _("Stage moves"), totals["moves"], link()),
        _kpi(
            "intentions",
            _("Intentions signed"),
            totals["intentions"],
            link(during="intention_signed_on"),
            amount=totals["intention_amount"],
        ),
        _kpi(
            "contracts",
            _("Contracts signed"),
            totals["contracts"],
            link(during="contract_signed_on"),
            amount=totals["contract_amount"],
        ),
        _kpi("lost", _("Projects lost"), totals["lost"], link(status="lost"), up_is_good=False),
        {
            "key": "overdue",
            "label": _("Overdue follow-ups"),
            "value": sum(r["n"] for r in overdue_orgs),
            "url": link(overdue=1),
            "alert": bool(overdue_orgs),
            "amount": None,
        },
    ]
    return {
        "kpis": kpis,
        "period": period,
        "previous": period.previous(),
        "today": today,
        "filters": filters,
        "scope_label": _scope_label(user),
        "totals": totals,
        "funnel": funnel,
        "rates": rates,
        "rank_choices": RANK_CHOICES,
        "sources": sources,
        "chains": chains,
        "weeks": weeks,
        "signed_lists": [
            (
                "intention",
                intentions,
                _("Intentions signed in the period"),
                _("Signed on"),
                totals["intentions"]["value"],
                link(during="intention_signed_on"),
            ),
            (
                "contract",
                contracts,
                _("Contracts signed in the period"),
                _("Signed on"),
                totals["contracts"]["value"],
                link(during="contract_signed_on"),
            ),
        ],
        "overdue_url": link(overdue=1),
        "not_yets": not_yets_card(user, filters),
        "overdue_owners": overdue_owners,
        "overdue_orgs": overdue_orgs,
        "officers": officers,
        "officer_totals": officer_totals(officers),
        "charts": charts,
        "period_kinds": periods.KINDS,
    }


def _tone(trend: dict, up_is_good: bool = True) -> str:
    if trend["arrow"] == "=":
        return "trend-flat"
    return "trend-good" if (trend["arrow"] == "▲") == up_is_good else "trend-bad"


def _kpi(key, label, trend, url, amount=None, up_is_good=True) -> dict:
    card = {"key": key, "label": label, "value": trend["value"], "url": url, "amount": amount}
    card["trend"] = trend | {"tone": _tone(trend, up_is_good)}
    if amount is not None:
        card["amount"] = amount | {"tone": _tone(amount, up_is_good)}
    return card


def _pct(value) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _form(request) -> DashboardForm:
    """The dashboard's filters as asked for; no filters at all means this month."""
    if not reads_dashboards(request.user):
        raise Http404
    return DashboardForm(request.GET or {"period": periods.MONTH}, user=request.user, today=timezone.localdate())


@require_GET
@login_required
def dashboard(request):
    """The figures managers and team leads are judged on, for a period and their zones."""
    form = _form(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if form.is_valid():
        context |= dashboard_context(request.user, form)
    return render(request, "projects/dashboard.html", context)


@require_GET
@login_required
def ledger_export(request):
    """The period's ledger (项目台账) as an Excel file, with the dashboard's filters."""
    form = _form(request)
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        ]
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    period = form.period_value()
    dataset = ledger_dataset(ledger_projects(request.user, form.filters(), period), request.user, period)
    return download(dataset.export("xlsx"), _("ledger") + f"-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")
