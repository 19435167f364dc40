"""The project list: one table, sorted and paged in SQL. Names go through projects.confidential."""

from __future__ import annotations

import django_tables2 as tables
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .confidential import can_see_names, display_investor, display_title
from .models import Project, SourceMode, Stage, Status
from .templatetags.amounts import amount

# Columns a phone hides: the list stays readable at 375 px.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
WIDE_ONLY_NOWRAP = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-nowrap"}}
STAGE_COLOURS = {
    "lead": "secondary",
    "contacted": "info",
    "site_visit": "info",
    "negotiating": "primary",
    "intention_signed": "primary",
    "contract_signed": "success",
    "registered": "success",
    "under_construction": "warning",
    "in_production": "success",
}


class ProjectTable(tables.Table):
    title = tables.Column(
        verbose_name=capfirst(_("project")), order_by=("title", "pk"), attrs={"td": {"style": "min-width: 10rem"}}
    )
    investor = tables.Column(verbose_name=capfirst(_("investor")), order_by=("investor__name", "pk"), attrs=WIDE_ONLY)
    zone = tables.Column(verbose_name=capfirst(_("zone")), order_by=("zone__name", "pk"), attrs=WIDE_ONLY_NOWRAP)
    source_mode = tables.Column(
        verbose_name=capfirst(_("source mode")),
        order_by=("source_mode", "pk"),
        attrs={"th": {"class": "d-none d-xl-table-cell"}, "td": {"class": "d-none d-xl-table-cell text-nowrap"}},
    )
    stage = tables.Column(
        verbose_name=capfirst(_("stage")), order_by=("stage", "pk"), attrs={"td": {"class": "text-nowrap"}}
    )
    planned_amount = tables.Column(
        verbose_name=capfirst(_("planned investment")),
        order_by=("planned_amount", "pk"),
        attrs={
            "th": {"class": "text-end d-none d-md-table-cell"},
            "td": {"class": "text-end text-nowrap d-none d-md-table-cell"},
        },
    )
    owner = tables.Column(
        verbose_name=capfirst(_("owner")),
        order_by=("owner__first_name", "owner__username", "pk"),
        attrs=WIDE_ONLY_NOWRAP,
    )
    next_follow_up_on = tables.Column(
        verbose_name=capfirst(_("next follow-up")),
        order_by=("next_follow_up_on", "pk"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    last_activity_at = tables.Column(
        verbose_name=capfirst(_("last activity")),
        order_by=("last_activity_at", "pk"),
        attrs={"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell text-nowrap"}},
    )

    class Meta:
        model = Project
        fields = ()
        sequence = (
            "title",
            "investor",
            "zone",
            "source_mode",
            "stage",
            "planned_amount",
            "owner",
            "next_follow_up_on",
            "last_activity_at",
        )
        attrs = {"class": "table table-hover table-sm align-middle bg-white mb-0", "id": "project-table"}
        template_name = "projects/_table.html"
        empty_text = _("No project matches these filters.")
        order_by = ("-created_at", "-pk")
        default = "—"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = timezone.localdate()
        # Labels looked up once per page: get_FOO_display() rebuilds its map on every call.
        self.labels = {
            "stage": {k: str(v) for k, v in Stage.choices},
            "status": {k: str(v) for k, v in Status.choices},
            "source_mode": {k: str(v) for k, v in SourceMode.choices},
        }

    def render_title(self, record):
        # On a phone the investor and amount columns are hidden: they come under the title.
        return format_html(
            '<a class="fw-semibold" href="{}">{}</a><div class="d-md-none small text-body-secondary">{} · {}</div>',
            reverse("projects:detail", args=[record.pk]),
            display_title(record, self.user),
            display_investor(record, self.user),
            amount(record.planned_amount),
        )

    def render_investor(self, record):
        name = display_investor(record, self.user)
        if record.investor.is_top500 and can_see_names(record, self.user):
            return format_html(
                '{} <span class="badge text-bg-warning" title="{}">{}</span>', name, _("China Top-500"), _("Top-500")
            )
        return name

    def render_zone(self, record):
        return record.zone.short_name or record.zone.name

    def render_source_mode(self, record):
        return self.labels["source_mode"].get(record.source_mode, record.source_mode)

    def render_stage(self, record):
        html = format_html(
            '<span class="badge text-bg-{}">{}</span>',
            STAGE_COLOURS.get(record.stage, "secondary"),
            self.labels["stage"].get(record.stage, record.stage),
        )
        if record.status != Status.ACTIVE:
            html = format_html(
                '{} <span class="badge text-bg-dark">{}</span>', html, self.labels["status"].get(record.status)
            )
        return html

    def render_planned_amount(self, value):
        return amount(value)

    def render_owner(self, record):
        return record.owner.get_full_name() or record.owner.username

    def render_next_follow_up_on(self, record, value):
        if record.status == Status.ACTIVE and value < self.today:
            return format_html(
                '<span class="overdue" title="{}"><i class="bi bi-alarm"></i> {}</span>',
                _("Overdue"),
                value.isoformat(),
            )
        return value.isoformat()

    def render_last_activity_at(self, value):
        local = timezone.localtime(value)
        return format_html('<span title="{}">{}</span>', local.strftime("%Y-%m-%d %H:%M"), local.strftime("%Y-%m-%d"))

    # -- the body, rendered in one pass -----------------------------------------------------------
    # django-tables2 renders each cell through accessor lookups, argument introspection and a
    # template node: about 4 ms a row. The body is built here with one format_html per cell from
    # the same render_* methods, and the template only places it (templates/projects/_table.html).

    def body_html(self):
        columns = [(column.name, column.attrs.get("td", {})) for column in self.columns]
        td_attrs = {name: flatatt(attrs) for name, attrs in columns}
        renderers = {name: getattr(self, f"render_{name}") for name, _attrs in columns}
        rows = []
        for row in self.page.object_list if self.page else self.rows:
            record = row.record
            cells = []
            for name, _attrs in columns:
                value = getattr(record, name)
                cell = self.default if value is None else _call(renderers[name], record, value)
                cells.append(f"<td{td_attrs[name]}>{conditional_escape(cell)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return mark_safe("".join(rows))  # noqa: S308 - every cell went through format_html


def _call(renderer, record, value):
    code = renderer.__func__.__code__
    names = code.co_varnames[1 : code.co_argcount]
    return renderer(**{name: (record if name == "record" else value) for name in names})
