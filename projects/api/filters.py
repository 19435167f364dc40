"""Filters of the REST API. Every choice a filter accepts, and every dropdown the browsable API
shows, comes from the scoping functions for the requesting user (the same as the pages' filters);
the search is the pages' need-to-know-aware search.

A project filter is typed as an id, not picked from a list: a list would name every project the
user sees (a confidential one by its real title), and an id outside the user's scope is refused
exactly as a missing one (400)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from operators.access import visible_organizations, visible_projects, visible_zones
from operators.models import Organization, Zone
from projects.pipeline.models import FollowUp, IndustryChain, Project, SourceMode, Stage, StageChange, Status
from projects.pipeline.selectors import owner_filter_choices, project_search_q


def _for_user(choices, model):
    """A filter queryset as a callable of the request: `choices(user)`, nothing without a request
    (the schema generator builds the filters without one)."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return choices(request.user)

    return queryset


def _visible_projects(user):
    return visible_projects(user, Project.objects.all())


class ProjectFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("Project or investor name contains"))
    stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    source_mode = filters.MultipleChoiceFilter(choices=SourceMode.choices)
    zone = filters.ModelChoiceFilter(queryset=_for_user(visible_zones, Zone))
    organization = filters.ModelChoiceFilter(queryset=_for_user(visible_organizations, Organization))
    owner = filters.ModelChoiceFilter(queryset=_for_user(owner_filter_choices, get_user_model()))
    chain = filters.ModelChoiceFilter(queryset=IndustryChain.objects.all())
    planned_amount_min = filters.NumberFilter(field_name="planned_amount", lookup_expr="gte")
    planned_amount_max = filters.NumberFilter(field_name="planned_amount", lookup_expr="lte")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Project
        fields = ["zone", "organization", "owner", "chain", "q", "stage", "status", "source_mode"]

    def search(self, queryset, name, value):
        # The list page's search: a confidential deal is found by its codename only, outside need-to-know.
        return queryset.filter(project_search_q(self.request.user, value))


def _project_filter():
    return filters.ModelChoiceFilter(
        queryset=_for_user(_visible_projects, Project), widget=forms.NumberInput, label=_("Project id")
    )


class FollowUpFilter(filters.FilterSet):
    project = _project_filter()

    class Meta:
        model = FollowUp
        fields = ["project", "kind"]


class StageChangeFilter(filters.FilterSet):
    project = _project_filter()

    class Meta:
        model = StageChange
        fields = ["project", "to_stage"]
