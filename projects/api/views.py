"""The REST API (/api/v1/): the same scoping functions, selectors and services as the pages.

Out of scope → 404; in scope but not the user's to change → 403 with a sentence saying why (the
same rights as the pages: operators.access, projects.pipeline.writes.update_refusal, the owner
through projects.pipeline.ownership, stages through the transition service). Writes go through the
services; a stale version → 409 with what changed.
Errors are JSON: {"detail": "...", "errors": {"field": ["message", ...]}}.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from operators.access import (
    visible_organizations,
    visible_related,
    visible_zones,
)
from projects.api import serializers as s
from projects.api.filters import FollowUpFilter, ProjectFilter, StageChangeFilter
from projects.core.errors import PipelineError, StaleVersion
from projects.pipeline.history import changes_since
from projects.pipeline.models import FollowUp, Priority, Project, StageChange
from projects.pipeline.ownership import project_assign_owner
from projects.pipeline.rights import ASSIGN_OWNER, CHANGE
from projects.pipeline.selectors import pickable_investors, pipeline_organizations, project_list, with_shown_names
from projects.pipeline.services import followup_record, project_create
from projects.pipeline.sources import ALL_DETAIL_FIELDS
from projects.pipeline.stages import project_move_stage
from projects.pipeline.writes import project_update, update_refusal


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _conflict(exc: StaleVersion) -> Response:
    return Response(
        {
            "detail": str(exc.message),
            "current_version": exc.current_version,
            "changes": [{"field": f, "yours": a, "current": b} for f, a, b in exc.changes],
        },
        status=status.HTTP_409_CONFLICT,
    )


def exception_handler(exc, context):
    """Application errors as JSON with field-level messages."""
    if isinstance(exc, StaleVersion):
        return _conflict(exc)
    if isinstance(exc, PipelineError):
        errors = {k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])] for k, v in exc.errors.items()}
        return Response({"detail": str(exc.message), "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        data = response.data if isinstance(response.data, dict) else {"__all__": response.data}
        response.data = {"detail": _("Invalid input."), "errors": data}
    return response


ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input, with field-level messages"),
    403: OpenApiResponse(s.ErrorSerializer, description="In your scope, but not yours to change: the reason"),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found or outside your scope"),
}


def _refuse_unless_may_change(user, project) -> None:
    """403, saying why, for a project the user sees but may change nothing of (the pages' rule)."""
    refusal = update_refusal(user, project, {})
    if refusal:
        raise PermissionDenied(refusal)


class ProjectOrdering(OrderingFilter):
    """`?ordering=title` (or `investor_name`) sorts by the names as the reader sees them, as the
    list page does: a confidential deal where its codename sorts, not its hidden real name."""

    SORT_KEYS = {"title": "shown_title", "investor_name": "shown_investor"}

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        keys = [
            ("-" if term.startswith("-") else "") + self.SORT_KEYS.get(term.lstrip("-"), term.lstrip("-"))
            for term in ordering
        ]
        return with_shown_names(queryset, request.user).order_by(*keys, "pk")


@extend_schema_view(
    list=extend_schema(summary="Projects you may see", responses={200: s.ProjectSerializer(many=True)}),
    retrieve=extend_schema(responses={200: s.ProjectSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        request=s.ProjectWriteSerializer,
        responses={201: s.ProjectSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    ),
    update=extend_schema(
        request=s.ProjectWriteSerializer,
        responses={
            200: s.ProjectSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            409: s.ConflictSerializer,
        },
    ),
    partial_update=extend_schema(
        request=s.ProjectWriteSerializer,
        responses={
            200: s.ProjectSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            409: s.ConflictSerializer,
        },
    ),
)
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilter
    filter_backends = [DjangoFilterBackend, ProjectOrdering]
    ordering_fields = [
        "title",
        "investor_name",
        "created_at",
        "planned_amount",
        "next_follow_up_on",
        "last_activity_at",
    ]
    pagination_class = Pagination
    queryset = Project.objects.none()

    def get_queryset(self):
        # The list page's selector: scope, joins, order, and need-to-know as a column of the row.
        return project_list(self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.ProjectWriteSerializer
        return s.ProjectSerializer

    def _read(self, project, code=status.HTTP_200_OK):
        project = project_list(self.request.user).get(pk=project.pk)
        return Response(s.ProjectSerializer(project, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        if not pipeline_organizations(request.user).exists():
            raise PermissionDenied(_("Only investment officers and team leads log leads."))
        serializer = s.ProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        investor = data.get("investor")
        new_investor = None
        if investor is None:
            new_investor = {
                "name": data.get("investor_name", ""),
                "credit_code": data.get("investor_credit_code") or None,
            }
        # The same service as the lead form: source details, scope and the duplicate check.
        project = project_create(
            user=request.user,
            title=data.get("title", ""),
            zone=data["zone"],
            organization=data["organization"],
            owner=data.get("owner") or request.user,
            source_mode=data.get("source_mode", ""),
            details={name: data[name] for name in ALL_DETAIL_FIELDS if name in data},
            investor=investor,
            new_investor=new_investor,
            planned_amount=data.get("planned_amount"),
            industry=data.get("industry", ""),
            priority=data.get("priority", Priority.NORMAL),
            acknowledge_duplicates=data.get("acknowledge_duplicates", False),
        )
        return self._read(project, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        project = self.get_object()
        _refuse_unless_may_change(request.user, project)
        partial = kwargs.get("partial", False)
        serializer = s.ProjectWriteSerializer(
            project, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        for name in ("investor", "investor_name", "investor_credit_code", "organization", "acknowledge_duplicates"):
            data.pop(name, None)
        # The owner as on the owner page: its team lead reassigns it, through the ownership service.
        owner = data.pop("owner", project.owner)
        new_owner = owner is not None and owner.pk != project.owner_id
        if new_owner and not ASSIGN_OWNER.allows(request.user, project):
            raise PermissionDenied(str(ASSIGN_OWNER.refusal))
        refusal = update_refusal(request.user, project, data)
        if refusal:
            raise PermissionDenied(refusal)
        with transaction.atomic():
            if new_owner:
                project_assign_owner(project=project, user=request.user, owner=owner, expected_version=version)
                version = project.version
            if data or not new_owner:
                project = project_update(project=project, user=request.user, expected_version=version, **data)
        return self._read(project)

    @extend_schema(
        summary="Move a project to another stage (the evidence rules apply)",
        request=s.MoveStageSerializer,
        responses={
            200: s.ProjectSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            409: s.ConflictSerializer,
        },
    )
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request, pk=None):
        project = self.get_object()
        _refuse_unless_may_change(request.user, project)
        serializer = s.MoveStageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            project_move_stage(
                project=project,
                user=request.user,
                to_stage=data["to_stage"],
                expected_version=data["expected_version"],
                note=data["note"],
                evidence=data["evidence"],
            )
        except StaleVersion as exc:
            current = Project.objects.get(pk=project.pk)
            exc.changes = exc.changes or changes_since(current, data["expected_version"], request.user)
            exc.current_version = current.version
            raise
        return self._read(project)


@extend_schema_view(
    create=extend_schema(responses={201: s.FollowUpSerializer, 400: ERRORS[400], 403: ERRORS[403]}),
    retrieve=extend_schema(responses={200: s.FollowUpSerializer, 404: ERRORS[404]}),
)
class FollowUpViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.FollowUpSerializer
    pagination_class = Pagination
    filterset_class = FollowUpFilter
    queryset = FollowUp.objects.none()

    def get_queryset(self):
        return visible_related(self.request.user, FollowUp.objects.all()).order_by("-occurred_on", "-pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        if not CHANGE.allows(self.request.user, project):
            raise PermissionDenied(str(CHANGE.refusal))
        serializer.instance = followup_record(project=project, user=self.request.user, **data)


class StageChangeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.StageChangeSerializer
    pagination_class = Pagination
    filterset_class = StageChangeFilter
    queryset = StageChange.objects.none()

    def get_queryset(self):
        return visible_related(self.request.user, StageChange.objects.all()).order_by("-changed_at", "-pk")


class InvestorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.InvestorSerializer
    pagination_class = Pagination
    queryset = s.Investor.objects.none()

    def get_queryset(self):
        queryset = pickable_investors(self.request.user).order_by("name", "pk")
        term = self.request.query_params.get("q")
        return queryset.filter(name__icontains=term) if term else queryset


class ZoneViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ZoneSerializer
    pagination_class = Pagination
    queryset = s.Zone.objects.none()

    def get_queryset(self):
        return visible_zones(self.request.user).order_by("county", "name")


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.OrganizationSerializer
    pagination_class = Pagination
    queryset = s.Organization.objects.none()

    def get_queryset(self):
        return visible_organizations(self.request.user).order_by("kind", "name")
