"""The project list: one table, sorted and paged in SQL. Names go through projects.core.confidential.

Why the table's body, header and page links are built here and not by django-tables2's template:
the list page was made one pass for the benchmark (docs/benchmarks.md, issue 9: ~4 ms a row of
template nodes before). templates/projects/_table.html places what body_html, header_html and
pagination_html return; every value goes through projects.core.html.escape (and format_html)."""

from __future__ import annotations

import django_tables2 as tables
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.templatetags.django_tables2 import table_page_range

from projects.core.amounts import amount
from projects.core.confidential import display_investor, display_title, shown_top500
from projects.core.html import escape as _escape
from projects.core.html import format_html as _format_html
from projects.pipeline.models import Project, SourceMode, Stage, Status

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
    # Sorted by the names as the reader sees them (selectors.with_shown_names): a confidential deal
    # by its codename, not where its hidden real name sorts.
    title = tables.Column(
        verbose_name=capfirst(_("project")),
        order_by=("shown_title", "pk"),
        attrs={"td": {"style": "min-width: 10rem"}},
    )
    investor = tables.Column(verbose_name=capfirst(_("investor")), order_by=("shown_investor", "pk"), attrs=WIDE_ONLY)
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
        # Looked up once per page: get_FOO_display() rebuilds its map on every call, and reverse()
        # and translations cost as much as a cell.
        self.detail_url = reverse("projects:detail", args=[987654321]).replace("987654321", "{}")
        self.top500 = (str(_("China Top-500")), str(_("Top-500")))
        self.overdue = str(_("Overdue"))
        self.labels = {
            "stage": {k: str(v) for k, v in Stage.choices},
            "status": {k: str(v) for k, v in Status.choices},
            "source_mode": {k: str(v) for k, v in SourceMode.choices},
        }

    def render_title(self, record):
        # On a phone the investor and amount columns are hidden: they come under the title.
        return _format_html(
            '<a class="fw-semibold" href="{}">{}</a><div class="d-md-none small text-body-secondary">{} · {}</div>',
            self.detail_url.format(record.pk),
            display_title(record, self.user),
            display_investor(record, self.user),
            amount(record.planned_amount),
        )

    def render_investor(self, record):
        name = display_investor(record, self.user)
        # The Top-500 flag tells the investor apart: hidden with it.
        if shown_top500(record, self.user):
            return _format_html('{} <span class="badge text-bg-warning" title="{}">{}</span>', name, *self.top500)
        return name

    def render_zone(self, record):
        return record.zone.short_name or record.zone.name

    def render_source_mode(self, record):
        return self.labels["source_mode"].get(record.source_mode, record.source_mode)

    def render_stage(self, record):
        html = _format_html(
            '<span class="badge text-bg-{}">{}</span>',
            STAGE_COLOURS.get(record.stage, "secondary"),
            self.labels["stage"].get(record.stage, record.stage),
        )
        if record.status != Status.ACTIVE:
            html = _format_html(
                '{} <span class="badge text-bg-dark">{}</span>', html, self.labels["status"].get(record.status)
            )
        return html

    def render_planned_amount(self, value):
        return amount(value)

    def render_owner(self, record):
        return record.owner.get_full_name() or record.owner.username

    def render_next_follow_up_on(self, record, value):
        if record.status == Status.ACTIVE and value < self.today:
            return _format_html(
                '<span class="overdue" title="{}"><i class="bi bi-alarm"></i> {}</span>',
                self.overdue,
                value.isoformat(),
            )
        return value.isoformat()

    def render_last_activity_at(self, value):
        local = timezone.localtime(value)
        return _format_html('<span title="{}">{}</span>', f"{local:%Y-%m-%d %H:%M}", f"{local:%Y-%m-%d}")

    # -- the body, rendered in one pass -----------------------------------------------------------
    # django-tables2 renders each cell through accessor lookups, argument introspection and a
    # template node: about 4 ms a row. The body is built here from the same render_* methods,
    # with what is the same for every row (cell attributes, each method's arguments, the link
    # pattern, translated labels) worked out once a page; the template only places it
    # (templates/projects/_table.html).

    def body_html(self):
        cells = []
        for column in self.columns:
            render = getattr(self, f"render_{column.name}")
            code = render.__func__.__code__
            wants = code.co_varnames[1 : code.co_argcount]  # which of (record, value) it takes
            cells.append((f"<td{flatatt(column.attrs.get('td', {}))}>", column.name, render, wants))
        default = _escape(self.default)
        rows = []
        for row in self.page.object_list if self.page else self.rows:
            record = row.record
            html = ["<tr>"]
            for td, name, render, wants in cells:
                value = getattr(record, name)
                if value is None:
                    cell = default
                elif wants == ("record",):
                    cell = _escape(render(record))
                elif wants == ("value",):
                    cell = _escape(render(value))
                else:
                    cell = _escape(render(**{arg: (record if arg == "record" else value) for arg in wants}))
                html += (td, cell, "</td>")
            html.append("</tr>")
            rows.append("".join(html))
        return mark_safe("".join(rows))  # noqa: S308 - every cell went through _escape

    # -- the header and the page links, built the same way ---------------------------------------
    # The same markup and the same library calls as django_tables2/bootstrap5.html (the sort and
    # page links of querystring_replace, table_page_range), without a template node per link.

    def header_html(self):
        cells = []
        for column in self.columns:
            header = _escape(column.header)
            if column.orderable:
                link = self._query(**{self.prefixed_order_by_field: column.order_by_alias.next})
                header = f'<a href="{link}">{header}</a>'
            cells.append(f'<th {column.attrs["th"].as_html()} scope="col">{header}</th>')
        return mark_safe(f"<thead {_attrs(self.attrs.get('thead'))}><tr>{''.join(cells)}</tr></thead>")  # noqa: S308

    def pagination_html(self):
        page, paginator = self.page, self.paginator
        if not page or paginator.num_pages <= 1:
            return ""
        field, items = self.prefixed_page_field, []
        if page.has_previous():
            link = self._query(**{field: page.previous_page_number()})
            items.append(
                f'<li class="previous page-item"><a href="{link}" class="page-link">'
                f'<span aria-hidden="true">&laquo;</span> {_escape(gettext("previous"))} </a></li>'
            )
        if page.has_previous() or page.has_next():
            for number in table_page_range(page, paginator):
                active = " active" if page.number == number else ""
                href = f'href="{self._query(**{field: number})}"' if number != "..." else ""
                items.append(f'<li class="page-item{active}"><a class="page-link" {href}> {_escape(number)} </a></li>')
        if page.has_next():
            link = self._query(**{field: page.next_page_number()})
            items.append(
                f'<li class="next page-item"><a href="{link}" class="page-link"> {_escape(gettext("next"))} '
                '<span aria-hidden="true">&raquo;</span></a></li>'
            )
        return mark_safe(  # noqa: S308 - links and texts escaped above
            '<nav aria-label="Table navigation"><ul class="pagination justify-content-center">'
            f"{''.join(items)}</ul></nav>"
        )

    def _query(self, **changes) -> str:
        """querystring_replace: the request's query with `changes`, escaped for an attribute."""
        params = {**dict(self.request.GET), **changes}
        return _escape("?" + urlencode(params, doseq=True))


def _attrs(attrs) -> str:
    return attrs.as_html() if hasattr(attrs, "as_html") else ""
