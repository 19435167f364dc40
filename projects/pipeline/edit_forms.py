"""Forms of the delivery pages: stage and status changes, delivery details, files, owner,
confidentiality and dispute decisions. Amounts are typed in 万元 and handed on in yuan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.core.confidential import CONFIDENTIAL_FIELDS, hides
from projects.core.validators import normalize_credit_code
from projects.pipeline.forms import WanField
from projects.pipeline.funds import from_tranches_note, has_tranches
from projects.pipeline.models import Attachment, LostReason, PossibleDuplicate, Project, Stage, Status
from projects.pipeline.stages import (
    ALL_EVIDENCE_FIELDS,
    EVIDENCE_FIELDS,
    OPERATOR_STAGES,
    OPTIONAL_EVIDENCE_FIELDS,
    STAGE_FILES,
)

AMOUNT_FIELDS = {"planned_amount", "intention_amount", "contract_amount", "actual_investment"}


def _model_field(name: str, **kwargs):
    model_field = Project._meta.get_field(name)
    label = model_field.verbose_name
    if name in AMOUNT_FIELDS:
        return WanField(label=_("%(label)s (万元)") % {"label": label}, required=False, **kwargs)
    if model_field.get_internal_type() == "DateField":
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=False, max_length=model_field.max_length)


class BootstrapForm(forms.Form):
    """Gives widgets Bootstrap's classes once the fields are final."""

    def style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:  # style() may run again after fields were added
                widget.attrs["class"] = " ".join([*classes, css])
        return self


class VersionedForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StageChangeForm(VersionedForm):
    to_stage = forms.ChoiceField(label=_("Move to"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when moving back."),
    )

    def __init__(self, *args, project: Project, operator_only: bool, show_names: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        stages = OPERATOR_STAGES if operator_only else list(Stage)
        self.fields["to_stage"].choices = [(s.value, s.label) for s in stages if s != project.stage]
        # A project with funds tranches enters production with their sum: the figure is not offered.
        self.funds_note = from_tranches_note(project) if has_tranches(project) else ""
        for name in ALL_EVIDENCE_FIELDS + [f for fs in OPTIONAL_EVIDENCE_FIELDS.values() for f in fs]:
            if not (name == "actual_investment" and self.funds_note):
                self.fields[name] = _model_field(name)
        for kind in STAGE_FILES.values():
            self.fields[f"file_{kind}"] = forms.FileField(
                label=Attachment.Kind(kind).label,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
            )
        if not self.is_bound:
            self.initial.setdefault("version", project.version)
            for name in ALL_EVIDENCE_FIELDS:
                if name not in self.fields or (not show_names and name in CONFIDENTIAL_FIELDS):
                    continue  # a confidential deal's company name is not shown outside need-to-know
                value = getattr(project, name)
                self.initial.setdefault(name, value)  # amounts in yuan: WanField shows them in 万元

    def clean_registered_credit_code(self):
        return normalize_credit_code(self.cleaned_data.get("registered_credit_code")) or ""

    def groups(self):
        """Evidence fields by the stage that asks for them, for the template."""
        out = []
        for stage in list(Stage)[1:]:
            names = EVIDENCE_FIELDS[stage] + OPTIONAL_EVIDENCE_FIELDS.get(stage, [])
            kind = STAGE_FILES.get(stage)
            fields = [self[n] for n in names if n in self.fields] + ([self[f"file_{kind}"]] if kind else [])
            note = self.funds_note if "actual_investment" in names else ""
            if fields:
                out.append({"stage": stage, "order": Stage.order(stage), "fields": fields, "note": note})
        return out

    def evidence_and_uploads(self):
        """The evidence of the stages the move enters (only what was filled in), and the files."""
        to_stage = self.cleaned_data["to_stage"]
        old, new = Stage.order(self.project.stage), Stage.order(to_stage)
        entered = list(Stage)[old + 1 : new + 1] if new > old else []
        evidence, uploads = {}, []
        for stage in entered:
            for name in EVIDENCE_FIELDS[stage] + OPTIONAL_EVIDENCE_FIELDS.get(stage, []):
                value = self.cleaned_data.get(name)
                if value not in (None, ""):
                    evidence[name] = value
        for kind in STAGE_FILES.values():
            uploaded = self.cleaned_data.get(f"file_{kind}")
            if uploaded:
                uploads.append((kind, uploaded))
        return evidence, uploads


# The fields of the stage form a refused move can be completed with (evidence, files, the note).
STAGE_FORM_FIELDS = [
    "note",
    *ALL_EVIDENCE_FIELDS,
    *[f for fs in OPTIONAL_EVIDENCE_FIELDS.values() for f in fs],
    *[f"file_{kind}" for kind in STAGE_FILES.values()],
]


def stage_form_for_move(
    project: Project, *, to_stage: str, note: str, operator_only: bool, show_names: bool
) -> StageChangeForm:
    """The stage form for a move tried elsewhere (the board) that needs more: bound to the target
    stage and the note given, the project's current evidence filled in, ready for the service's
    errors to be added to its fields."""
    blank = StageChangeForm(project=project, operator_only=operator_only, show_names=show_names)
    data = {
        name: "" if blank[name].value() is None else blank[name].value()
        for name in blank.fields
        if not name.startswith("file_")
    }
    data.update(to_stage=to_stage, note=note, version=project.version)
    form = StageChangeForm(data, project=project, operator_only=operator_only, show_names=show_names)
    form.is_valid()
    return form


class StatusChangeForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    lost_reason = forms.ChoiceField(
        label=_("Why it was lost"), choices=[("", "—"), *LostReason.choices], required=False
    )
    on_hold_until = forms.DateField(
        label=_("Expected resume date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in Status.choices if c[0] != project.status]
        self.initial.setdefault("version", project.version)


class DeliveryDetailsForm(VersionedForm):
    actual_investment = WanField(label=_("Actual investment to date (万元)"), required=False)
    site_location = forms.CharField(label=_("Site"), required=False, max_length=200)
    site_area_mu = forms.DecimalField(
        label=_("Land area (mu)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    registered_on = forms.DateField(
        label=_("Registered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=100)

    def __init__(self, *args, project: Project, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Once the project has funds tranches its actual investment is their sum: not offered.
        self.funds_note = from_tranches_note(project) if has_tranches(project) else ""
        if self.funds_note:
            del self.fields["actual_investment"]
        # A field the reader may not see is not offered: neither shown prefilled nor cleared by
        # a save (the service changes only the fields it is given).
        for name in [n for n in self.fields if n in CONFIDENTIAL_FIELDS and hides(project, user, n)]:
            del self.fields[name]
        if not self.is_bound:
            self.initial.update(
                {name: getattr(project, name) for name in self.fields if name not in ("version", "note")},
                version=project.version,
            )

    def clean(self):
        data = super().clean()
        # A form opened before the first tranche still carries the typed figure: say why it is refused.
        if self.funds_note and self.data.get("actual_investment", "") != "":
            raise forms.ValidationError(self.funds_note)
        return data


class AttachmentForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
    )


class ReplaceFileForm(BootstrapForm):
    file = forms.FileField(label=_("New file (PDF, JPEG or PNG)"))


class OwnerForm(VersionedForm):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=100)

    def __init__(self, *args, project: Project, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.initial.setdefault("version", project.version)
        self.initial.setdefault("owner", project.owner_id)


class ConfidentialityForm(VersionedForm):
    is_confidential = forms.BooleanField(label=_("Confidential"), required=False)
    codename = forms.CharField(label=_("Codename"), required=False, max_length=100)
    need_to_know = forms.ModelMultipleChoiceField(
        label=_("Need-to-know list"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People outside the owning organisation who may see the real names."),
    )

    def __init__(self, *args, project: Project, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_to_know"].queryset = people
        self.fields["need_to_know"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        if not self.is_bound:
            self.initial.update(
                version=project.version,
                is_confidential=project.is_confidential,
                codename=project.codename,
                need_to_know=list(project.need_to_know.values_list("pk", flat=True)),
            )


class DisputeDecisionForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in PossibleDuplicate.Decision.choices if c[0] != PossibleDuplicate.Decision.OPEN],
        widget=forms.RadioSelect,
    )
    kept = forms.TypedChoiceField(label=_("Project kept"), required=False, coerce=int, empty_value=None)
    credit = forms.ChoiceField(
        label=_("Credit"), required=False, choices=[("", "—"), *PossibleDuplicate.Credit.choices]
    )
    decision_note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].choices = [("", "—"), *choices]
