"""Forms: the lead form (detail fields following the source mode), the follow-up form, the board's
move form. They check the input; the rules and the writes are in projects.pipeline.services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.core.amounts import WAN
from projects.core.validators import normalize_credit_code, validate_credit_code
from projects.pipeline.models import ChainLink, FollowUp, IndustryChain, Project, SourceMode, Stage
from projects.pipeline.selectors import lead_zones, pickable_investors, pipeline_organizations, possible_owners
from projects.pipeline.sources import ALL_DETAIL_FIELDS, detail_fields, required_detail_fields, source_detail_errors


def yuan_to_wan_text(yuan) -> str:
    """Exact: 123456789.00 yuan → "12345.6789" (万元), no exponent, no trailing zeros."""
    text = f"{Decimal(yuan) / WAN:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class WanField(forms.DecimalField):
    """An amount typed in 万元 and cleaned to exact yuan. Six decimals in 万元 are the two of
    the yuan column, so every stored amount can be typed and nothing is rounded."""

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=18, decimal_places=6, **kwargs)
        self.widget.attrs.update({"step": "any", "inputmode": "decimal"})

    def clean(self, value):
        wan = super().clean(value)
        return None if wan is None else (wan * WAN).quantize(Decimal("0.01"))

    def prepare_value(self, value):
        # Initial values come from the model (yuan, a Decimal); posted ones are what was typed.
        if isinstance(value, Decimal | int):
            return yuan_to_wan_text(value)
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MarkErrorsMixin:
    """Bootstrap shows a field as invalid by its widget's class."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    self.fields[name].widget.attrs["class"] = f"{css} is-invalid".strip()


class LeadForm(MarkErrorsMixin, forms.ModelForm):
    """Log a lead. The investor is picked (typeahead fills `investor`) or created from the
    typed name; the detail fields shown and required follow `source_mode`."""

    investor = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    investor_name = forms.CharField(label=_("investor"), max_length=200, required=False)
    investor_credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters; optional, but it finds the same investor for sure."),
    )
    investor_is_top500 = forms.BooleanField(label=_("China Top-500"), required=False)
    investor_is_industry_top100 = forms.BooleanField(label=_("industry Top-100"), required=False)
    acknowledge_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = [
            "title",
            "organization",
            "zone",
            "owner",
            "source_mode",
            *ALL_DETAIL_FIELDS,
            "industry",
            "planned_amount",
            "priority",
            "is_confidential",
            "codename",
        ]
        field_classes = {"planned_amount": WanField, "fund_committed_amount": WanField, "equity_amount": WanField}
        labels = {
            "planned_amount": _("planned investment (万元)"),
            "fund_committed_amount": _("fund committed amount (万元)"),
            "equity_amount": _("equity amount (万元)"),
        }
        widgets = {
            "fund_condition": forms.Textarea(attrs={"rows": 2}),
            "source_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["investor"].queryset = pickable_investors(user)
        orgs = pipeline_organizations(user)
        self.fields["organization"].queryset = orgs
        self.fields["zone"].queryset = lead_zones(user)
        self.fields["owner"].queryset = possible_owners(user)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["chain"].queryset = IndustryChain.objects.all()
        self.fields["source_mode"].choices = [("", "---------"), *SourceMode.choices]
        if not self.is_bound:
            self.initial.setdefault("owner", user.pk)
            org_ids = list(orgs.values_list("pk", flat=True)[:2])
            if len(org_ids) == 1:
                self.initial.setdefault("organization", org_ids[0])
                zone_id = orgs.values_list("zone_id", flat=True).first()
                if zone_id:
                    self.initial.setdefault("zone", zone_id)
        chain_id = self.data.get(self.add_prefix("chain")) or self.initial.get("chain")
        links = ChainLink.objects.select_related("chain")
        self.fields["chain_link"].queryset = links.filter(chain_id=chain_id) if str(chain_id).isdigit() else links
        for name in ALL_DETAIL_FIELDS:
            self.fields[name].required = False
        for name in required_detail_fields(self.source_mode):
            self.fields[name].widget.attrs["required"] = True
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    @property
    def source_mode(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("source_mode"), "")
        return self.initial.get("source_mode", "")

    def detail_bound_fields(self):
        """The detail fields of the chosen mode, in display order, each with `required` known."""
        required = set(required_detail_fields(self.source_mode))
        return [(self[name], name in required) for name in detail_fields(self.source_mode)]

    def clean_investor_credit_code(self):
        code = normalize_credit_code(self.cleaned_data.get("investor_credit_code"))
        if code:
            validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        if not data.get("investor") and not (data.get("investor_name") or "").strip():
            self.add_error("investor_name", _("Pick an investor or type the name of a new one."))
        mode = data.get("source_mode")
        if mode:
            for name, messages in source_detail_errors(mode, data).items():
                if name not in self.errors:
                    for message in messages:
                        self.add_error(name, message)
        if data.get("is_confidential") and not (data.get("codename") or "").strip():
            self.add_error("codename", _("A confidential project needs a codename."))
        return data

    def _post_clean(self):
        # The instance is built by projects.pipeline.services.project_create, which runs the model's
        # validation with the investor; here there is no investor yet.
        pass

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        investor = data.get("investor")
        return {
            "title": data["title"],
            "zone": data["zone"],
            "organization": data["organization"],
            "owner": data["owner"],
            "source_mode": data["source_mode"],
            "details": {name: data.get(name) for name in detail_fields(data["source_mode"])},
            "investor": investor,
            "new_investor": None
            if investor
            else {
                "name": data["investor_name"],
                "credit_code": data.get("investor_credit_code"),
                "is_top500": data.get("investor_is_top500", False),
                "is_industry_top100": data.get("investor_is_industry_top100", False),
            },
            "planned_amount": data.get("planned_amount"),
            "industry": data.get("industry", ""),
            "priority": data.get("priority") or 2,
            "is_confidential": data.get("is_confidential", False),
            "codename": data.get("codename", ""),
            "acknowledge_duplicates": data.get("acknowledge_duplicates", False),
        }


class FollowUpForm(MarkErrorsMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["kind", "occurred_on", "summary", "visitors", "next_action", "next_due_on"]
        widgets = {
            "occurred_on": DateInput(),
            "next_due_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            self.initial.setdefault("kind", FollowUp.Kind.CALL)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def _post_clean(self):
        pass  # validated with its project by projects.pipeline.services.followup_record


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices)
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)


def add_service_errors(form: forms.Form, errors: dict) -> None:
    """Put a service's {field: [messages]} on the form: on the field when the form has it."""
    for name, messages in errors.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(name if name in form.fields else None, message)
