"""Filters of the project list and board. Every dropdown is scoped to what the user may see."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.access import visible_zones

from .models import IndustryChain, Project, SourceMode, Stage, Status
from .selectors import owner_filter_choices, project_search_q

WAN = Decimal(10_000)


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("Project or investor"), "type": "search"}),
    )
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=None)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    source_mode = django_filters.ChoiceFilter(label=_("source mode"), choices=SourceMode.choices)
    chain = django_filters.ModelChoiceFilter(label=_("industry chain"), queryset=IndustryChain.objects.all())
    owner = django_filters.ModelChoiceFilter(label=_("owner"), queryset=None)
    amount_min = django_filters.NumberFilter(label=_("planned from (万元)"), method="filter_amount_min", min_value=0)
    amount_max = django_filters.NumberFilter(label=_("planned to (万元)"), method="filter_amount_max", min_value=0)
    overdue = django_filters.BooleanFilter(
        label=_("overdue follow-ups only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    created_after = django_filters.DateFilter(
        label=_("logged from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("logged until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        self.filters["zone"].queryset = visible_zones(user)
        self.filters["owner"].queryset = owner_filter_choices(user)
        self.form.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def filter_q(self, queryset, name, value):
        return queryset.filter(project_search_q(self.request.user, value))

    def filter_amount_min(self, queryset, name, value):
        return queryset.filter(planned_amount__gte=Decimal(value) * WAN)

    def filter_amount_max(self, queryset, name, value):
        return queryset.filter(planned_amount__lte=Decimal(value) * WAN)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=Status.ACTIVE, next_follow_up_on__lt=timezone.localdate())
