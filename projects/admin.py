from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from projects.core.errors import PipelineError, StaleVersion
from projects.pipeline.funds import has_tranches
from projects.pipeline.history import changes_since
from projects.pipeline.models import (
    Attachment,
    ChainLink,
    ConfidentialAccess,
    FollowUp,
    IndustryChain,
    Investor,
    PossibleDuplicate,
    Project,
    Stage,
    StageChange,
)
from projects.pipeline.need_to_know import need_to_know_reason
from projects.pipeline.stages import project_move_stage
from projects.pipeline.versions import claim_version, save_version


class ChainLinkInline(admin.TabularInline):
    model = ChainLink
    extra = 0


@admin.register(IndustryChain)
class IndustryChainAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]
    inlines = [ChainLinkInline]


@admin.register(ChainLink)
class ChainLinkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "chain", "position"]
    list_filter = ["chain", "position"]
    list_select_related = ["chain"]
    search_fields = ["name", "chain__name"]


@admin.register(Investor)
class InvestorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "is_top500", "is_industry_top100", "industry", "home_city"]
    list_filter = ["is_top500", "is_industry_top100", "industry"]
    search_fields = ["name", "credit_code"]


class ProjectActionForm(ActionForm):
    to_stage = forms.ChoiceField(label=gettext_lazy("Move to"), choices=[("", "—"), *Stage.choices], required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False)


class ProjectAdminForm(forms.ModelForm):
    """The project's change form carries the version it was opened at: saved over a project that
    changed since, it is refused with what changed (the version rule, projects.pipeline.versions)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # No Meta: the admin builds the form for the model with the fields it shows.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].required = True
            # The row's version now (the instance may be an older one, in the history's views).
            self.fields["seen_version"].initial = (
                Project.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )

    def clean(self):
        data = super().clean()
        seen = data.get("seen_version")
        if self.instance.pk and seen is not None:
            # Tells the user, field by field; save_model's claim_version is what guards a race.
            current = Project.objects.get(pk=self.instance.pk)
            if current.version != seen:
                stale = StaleVersion()
                changes = changes_since(current, seen)
                # The form keeps the values sent, older ones included: saving them again would undo
                # the other change, so it stays refused until the page is opened again.
                raise ValidationError(
                    [str(stale.message)]
                    + [_("%(field)s: %(seen)s → %(now)s") % {"field": f, "seen": a, "now": b} for f, a, b in changes]
                    + [_("Open the page again to edit the current version.")]
                )
        return data


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    form = ProjectAdminForm
    action_form = ProjectActionForm
    actions = ["move_stage"]
    list_display = [
        "title",
        "investor",
        "zone",
        "organization",
        "owner",
        "source_mode",
        "stage",
        "status",
        "planned_amount",
        "next_follow_up_on",
    ]
    list_filter = ["stage", "status", "source_mode", "zone", "is_confidential", "priority"]
    list_select_related = ["investor", "zone", "organization", "owner"]
    search_fields = ["title", "investor__name", "codename"]
    autocomplete_fields = [
        "investor",
        "zone",
        "organization",
        "owner",
        "created_by",
        "operating_company",
        "service_contact",
        "chain",
        "chain_link",
    ]
    filter_horizontal = ["need_to_know"]
    readonly_fields = ["version", "next_follow_up_on", "last_activity_at", "created_at", "updated_at"]
    date_hierarchy = "created_at"

    @admin.action(description=gettext_lazy("Move the selected projects to a stage (with the evidence rules)"))
    def move_stage(self, request, queryset):
        """Each project goes through the transition service: its evidence is checked and a
        StageChange written; the ones that cannot move are listed with the reason."""
        to_stage = request.POST.get("to_stage", "")
        note = request.POST.get("note", "")
        if to_stage not in Stage.values:
            self.message_user(request, _("Choose the stage to move to."), messages.ERROR)
            return
        moved = 0
        for project in queryset:
            try:
                project_move_stage(
                    project=project, user=request.user, to_stage=to_stage, expected_version=project.version, note=note
                )
            except PipelineError as exc:
                details = "; ".join(str(m) for ms in exc.errors.values() for m in ms) or str(exc.message)
                self.message_user(request, f"{project.title}: {details}", messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(request, _("%(n)d project(s) moved.") % {"n": moved}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        """A change is a new version with its history (who, and whose need-to-know changed)."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        current = claim_version(obj, request.user, form.cleaned_data["seen_version"])
        obj.version = current.version
        chosen = form.cleaned_data.get("need_to_know")
        before = list(obj.need_to_know.order_by("pk"))  # the list is saved after the row
        reason = need_to_know_reason(before, sorted(chosen, key=lambda p: p.pk)) if chosen is not None else ""
        save_version(
            obj,
            request.user,
            fields=None,
            reason=reason or _("Changed in the administration"),
            activity=False,
            clean=False,
        )

    # Stage and status change only through projects.pipeline.stages (evidence, version check,
    # StageChange); a project with funds tranches has their sum as its actual investment.
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        return [*fields, "stage", "status", "lost_reason", *(["actual_investment"] if has_tranches(obj) else [])]


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["project", "kind", "occurred_on", "next_due_on", "author"]
    list_filter = ["kind"]
    list_select_related = ["project", "author"]
    search_fields = ["project__title", "summary"]
    autocomplete_fields = ["project", "author"]
    date_hierarchy = "occurred_on"


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "to_status", "changed_at", "changed_by"]
    list_filter = ["to_stage", "to_status"]
    list_select_related = ["project", "changed_by"]
    search_fields = ["project__title", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "project", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    list_select_related = ["project", "uploaded_by"]
    search_fields = ["original_name", "sha256", "project__title"]
    readonly_fields = ["sha256", "size", "content_type"]


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(SimpleHistoryAdmin):
    list_display = ["project", "other", "matched_by", "score", "decision", "decided_by", "decided_at"]
    list_filter = ["decision", "matched_by"]
    list_select_related = ["project", "other", "decided_by"]
    search_fields = ["project__title", "other__title"]


@admin.register(ConfidentialAccess)
class ConfidentialAccessAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "attachment", "at"]
    list_select_related = ["project", "user", "attachment"]
    search_fields = ["project__title", "user__username"]
