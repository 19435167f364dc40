"""Serializers of the REST API. Querysets of every related field are scoped to the user."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from operators.access import visible_projects, visible_users, visible_zones
from operators.models import Organization, Zone
from projects.core.confidential import (
    CONFIDENTIAL_FOLLOW_UP_FIELDS,
    MOVE_NOTE_FIELD,
    can_see_names,
    display_investor,
    display_title,
    masked,
)
from projects.pipeline.models import ChainLink, FollowUp, IndustryChain, Investor, Project, Stage, StageChange
from projects.pipeline.selectors import pickable_investors, pipeline_organizations, projects_for_masking
from projects.pipeline.stages import EVIDENCE_FIELDS
from projects.pipeline.writes import EDITABLE_FIELDS


def _user(serializer):
    return serializer.context["request"].user


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key field whose choices are what `scope(user)` returns."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "name", "short_name", "kind", "level", "county"]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "zone", "county"]


class InvestorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Investor
        fields = ["id", "name", "credit_code", "is_top500", "is_industry_top100", "industry", "home_city"]


EVIDENCE = [name for fields in EVIDENCE_FIELDS.values() for name in fields]
READ_ONLY = [
    "id",
    "organization",
    "stage",
    "status",
    "lost_reason",
    "next_follow_up_on",
    "last_activity_at",
    "version",
    "created_at",
    "updated_at",
    *EVIDENCE,
]


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the user may see it (a confidential one shows its codename to outsiders)."""

    title = serializers.SerializerMethodField()
    investor_name = serializers.SerializerMethodField()
    # 资金到位率 as the pages show it (projects.pipeline.funds): actual_investment ÷ contract_amount.
    funds_in_place_rate = serializers.DecimalField(max_digits=None, decimal_places=4, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "investor",
            "investor_name",
            *[f for f in EDITABLE_FIELDS if f != "title"],
            *READ_ONLY[1:],
            "funds_in_place_rate",
        ]
        read_only_fields = fields

    def to_representation(self, project):
        # The fields of projects.core.confidential's list as the reader may read them: empty
        # outside need-to-know (the title is the codename); the investor's id is left out.
        data = super().to_representation(project)
        if can_see_names(project, _user(self)):
            return data
        return {**masked(project, _user(self), data, blank=""), "investor": None}

    def get_title(self, project) -> str:
        return display_title(project, _user(self))

    def get_investor_name(self, project) -> str:
        return display_investor(project, _user(self))


class ProjectWriteSerializer(serializers.ModelSerializer):
    """Log a lead (POST) or change its details (PATCH/PUT, with the `version` you saw)."""

    investor = ScopedRelatedField(
        pickable_investors,
        required=False,
        help_text=_("An existing investor's id; or give investor_name (and investor_credit_code)."),
    )
    investor_name = serializers.CharField(max_length=200, required=False, write_only=True)
    investor_credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True, write_only=True)
    organization = ScopedRelatedField(pipeline_organizations, required=False)
    zone = ScopedRelatedField(visible_zones)
    owner = ScopedRelatedField(lambda user: visible_users(user, get_user_model().objects.all()), required=False)
    chain = ScopedRelatedField(lambda user: IndustryChain.objects.all(), required=False, allow_null=True)
    chain_link = ScopedRelatedField(lambda user: ChainLink.objects.all(), required=False, allow_null=True)
    acknowledge_duplicates = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=_("Save even if another project seems to court the same investor (they are then linked)."),
    )
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text=_("Required on update: the version you saw.")
    )

    class Meta:
        model = Project
        fields = [
            "investor",
            "investor_name",
            "investor_credit_code",
            "organization",
            "acknowledge_duplicates",
            "version",
            *EDITABLE_FIELDS,
        ]

    def validate(self, attrs):
        if self.instance is None:
            if not attrs.get("investor") and not attrs.get("investor_name", "").strip():
                raise serializers.ValidationError({"investor": [_("Choose an investor or give investor_name.")]})
            organizations = pipeline_organizations(_user(self))
            if not attrs.get("organization"):
                if organizations.count() != 1:
                    raise serializers.ValidationError({"organization": [_("Say which organisation logs this lead.")]})
                attrs["organization"] = organizations.get()
        elif "version" not in attrs:
            raise serializers.ValidationError({"version": [_("Send the version you saw.")]})
        return attrs


class _ProjectRowList(serializers.ListSerializer):
    """Loads the projects of a page of rows once, to decide what the reader may read of each."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        self.context["projects"] = projects_for_masking(_user(self), {row.project_id for row in rows})
        return super().to_representation(rows)


class _ProjectRowSerializer(serializers.ModelSerializer):
    """A row of a project (a follow-up, a stage change) whose free text a confidential deal hides
    outside need-to-know, as the project page and the reminders do. `masked_as` says which field
    of projects.core.confidential's lists each of the row's fields reads as."""

    masked_as: dict[str, str] = {}

    def to_representation(self, row):
        data = super().to_representation(row)
        projects = self.context.get("projects")
        if projects is None or row.project_id not in projects:  # one row, not a page
            projects = projects_for_masking(_user(self), {row.project_id})
        values = {as_: data[name] for name, as_ in self.masked_as.items() if name in data}
        shown = masked(projects[row.project_id], _user(self), values, blank="")
        return {**data, **{name: shown[as_] for name, as_ in self.masked_as.items() if name in data}}


class FollowUpSerializer(_ProjectRowSerializer):
    # Any project the user sees: one they may not change is refused with 403 and the reason (the view).
    project = ScopedRelatedField(lambda user: visible_projects(user, Project.objects.all()))
    masked_as = {name: name for name in CONFIDENTIAL_FOLLOW_UP_FIELDS}

    class Meta:
        model = FollowUp
        list_serializer_class = _ProjectRowList
        fields = [
            "id",
            "project",
            "kind",
            "occurred_on",
            "summary",
            "visitors",
            "next_action",
            "next_due_on",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "author", "created_at"]


class StageChangeSerializer(_ProjectRowSerializer):
    masked_as = {"note": MOVE_NOTE_FIELD}

    class Meta:
        model = StageChange
        list_serializer_class = _ProjectRowList
        fields = [
            "id",
            "project",
            "from_stage",
            "to_stage",
            "from_status",
            "to_status",
            "changed_at",
            "changed_by",
            "note",
        ]
        read_only_fields = fields


class MoveStageSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    expected_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.DictField(
        required=False,
        default=dict,
        help_text=_("Evidence fields of the stages entered: %(fields)s.") % {"fields": ", ".join(EVIDENCE)},
    )

    def validate_evidence(self, value):
        unknown = set(value) - set(EVIDENCE)
        if unknown:
            raise serializers.ValidationError(_("Not evidence fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
        # Each evidence value goes through the model field's own parsing (dates, amounts, codes).
        cleaned, errors = {}, {}
        for name, raw in value.items():
            field = Project._meta.get_field(name)
            try:
                cleaned[name] = None if raw in (None, "") and field.null else field.to_python(raw)
            except Exception as exc:
                errors[name] = [str(getattr(exc, "messages", [exc])[0])]
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    yours = serializers.CharField()
    current = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    changes = ChangeSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
