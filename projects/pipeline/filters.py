"""Filters of the project list and board. Every dropdown is scoped to what the user may see."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.access import visible_organizations, visible_zones
from projects.core.amounts import WAN
from projects.core.widgets import (
    FastCheckboxInput,
    FastDateInput,
    FastHiddenInput,
    FastMultiSelect,
    FastNumberInput,
    FastSelect,
    FastTextInput,
    RowChoices,
)
from projects.pipeline.models import ChainLink, IndustryChain, Project, SourceMode, Stage, Status
from projects.pipeline.selectors import owner_filter_choices, project_search_q

# The model dropdowns read as rows (projects.core.widgets.RowChoices): the columns of each label.
ROW_LABELS = {
    "zone": (("short_name", "name"), lambda short_name, name: short_name or name),  # Zone.__str__
    "chain": (("name",), lambda name: name),
    # User.get_full_name(), else the username.
    "owner": (
        ("first_name", "last_name", "username"),
        lambda first, last, username: f"{first} {last}".strip() or username,
    ),
}


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_q",
        widget=FastTextInput(attrs={"placeholder": _("Project or investor"), "type": "search"}),
    )
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=None)
    # Multi-valued (?stage=a&stage=b) for the dashboard's links; one dropdown when one is chosen.
    stage = django_filters.MultipleChoiceFilter(label=_("stage"), choices=Stage.choices, widget=FastMultiSelect)
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=Status.choices, widget=FastMultiSelect)
    source_mode = django_filters.ChoiceFilter(label=_("source mode"), choices=SourceMode.choices)
    chain = django_filters.ModelChoiceFilter(label=_("industry chain"), queryset=IndustryChain.objects.all())
    owner = django_filters.ModelChoiceFilter(label=_("owner"), queryset=None)
    amount_min = django_filters.NumberFilter(
        label=_("planned from (万元)"), method="filter_amount_min", min_value=0, widget=FastNumberInput
    )
    amount_max = django_filters.NumberFilter(
        label=_("planned to (万元)"), method="filter_amount_max", min_value=0, widget=FastNumberInput
    )
    overdue = django_filters.BooleanFilter(
        label=_("overdue follow-ups only"), method="filter_overdue", widget=FastCheckboxInput
    )
    created_after = django_filters.DateFilter(
        label=_("logged from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=FastDateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("logged until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=FastDateInput(attrs={"type": "date"}),
    )
    # The dashboard's links (docs/metrics.md, "Links to the projects behind a figure"): carried as
    # hidden fields, so that changing a visible filter keeps them; listed above the table.
    reached = django_filters.ChoiceFilter(
        label=_("has reached"), choices=Stage.choices, method="filter_reached", widget=FastHiddenInput
    )
    open = django_filters.BooleanFilter(label=_("open pipeline"), method="filter_open", widget=FastHiddenInput)
    chain_link = django_filters.ModelChoiceFilter(
        label=_("link of the chain"), queryset=ChainLink.objects.all(), widget=FastHiddenInput
    )
    organization = django_filters.ModelChoiceFilter(label=_("organisation"), queryset=None, widget=FastHiddenInput)
    intention_signed_after = django_filters.DateFilter(
        label=_("intention signed from"), field_name="intention_signed_on", lookup_expr="gte", widget=FastHiddenInput
    )
    intention_signed_before = django_filters.DateFilter(
        label=_("intention signed until"), field_name="intention_signed_on", lookup_expr="lte", widget=FastHiddenInput
    )
    contract_signed_after = django_filters.DateFilter(
        label=_("contract signed from"), field_name="contract_signed_on", lookup_expr="gte", widget=FastHiddenInput
    )
    contract_signed_before = django_filters.DateFilter(
        label=_("contract signed until"), field_name="contract_signed_on", lookup_expr="lte", widget=FastHiddenInput
    )
    construction_started_after = django_filters.DateFilter(
        label=_("construction started from"),
        field_name="construction_started_on",
        lookup_expr="gte",
        widget=FastHiddenInput,
    )
    construction_started_before = django_filters.DateFilter(
        label=_("construction started until"),
        field_name="construction_started_on",
        lookup_expr="lte",
        widget=FastHiddenInput,
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        self.filters["zone"].queryset = visible_zones(user)
        self.filters["owner"].queryset = owner_filter_choices(user)
        self.filters["organization"].queryset = visible_organizations(user)
        for name, field in self.form.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if isinstance(field.widget, FastMultiSelect):
                field.widget.attrs["class"] = "form-select form-select-sm"
                field.widget.choices = [("", "---------"), *field.choices]
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                choices = field.widget.choices
                if name in ROW_LABELS:
                    choices = RowChoices(field.queryset, *ROW_LABELS[name], empty_label=field.empty_label)
                field.widget = FastSelect(
                    attrs={**field.widget.attrs, "class": "form-select form-select-sm"}, choices=choices
                )
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def filter_q(self, queryset, name, value):
        return queryset.filter(project_search_q(self.request.user, value))

    def filter_amount_min(self, queryset, name, value):
        return queryset.filter(planned_amount__gte=Decimal(value) * WAN)

    def filter_amount_max(self, queryset, name, value):
        return queryset.filter(planned_amount__lte=Decimal(value) * WAN)

    def hidden_active(self) -> list[tuple[str, str]]:
        """(label, value) of the hidden filters in use: the page says what narrows the list."""
        if not self.is_bound or not self.form.is_valid():
            return []
        shown = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if not isinstance(field.widget, forms.HiddenInput) or value in (None, "", False):
                continue
            if name == "reached":
                value = Stage(value).label
            elif value is True:
                value = _("yes")
            shown.append((str(field.label), str(value)))
        return shown

    def filter_reached(self, queryset, name, value):
        """At this stage or a later one, whatever the status (docs/metrics.md "has reached")."""
        if not value:
            return queryset
        return queryset.filter(stage__in=Stage.values[Stage.order(value) :])

    def filter_open(self, queryset, name, value):
        return queryset.exclude(status=Status.LOST) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=Status.ACTIVE, next_follow_up_on__lt=timezone.localdate())
