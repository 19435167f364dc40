from django import forms
from django.utils.translation import gettext_lazy as _

from operators.access import visible_zones
from operators.models import NotificationPreference
from projects.models import Stage

from .selectors import DEFAULT_STALE_DAYS, stale_thresholds


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["reminders_enabled", "reminder_time", "language", "digest_frequency", "digest_zones"]
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
            "digest_zones": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "reminders_enabled": _(
                "Daily reminders of your due follow-ups, stale-lead nudges and (for team leads) escalations."
            ),
            "reminder_time": _("Asia/Shanghai time, on working days."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A dropdown never lists zones outside the user's scope.
        self.fields["digest_zones"].queryset = visible_zones(user).order_by("county", "name")


def _stage_field_name(stage: str) -> str:
    return f"stale_{stage}"


class OrganizationThresholdsForm(forms.Form):
    """Escalation delay and, per stage, the days without activity after which a project is stale.
    Blank means the default; 0 means never."""

    escalation_working_days = forms.IntegerField(
        label=_("Escalate follow-ups overdue by more than (working days)"), min_value=1, max_value=60
    )

    def __init__(self, *args, organization, **kwargs):
        current = stale_thresholds(organization.stale_days)
        overrides = organization.stale_days if isinstance(organization.stale_days, dict) else {}
        initial = {"escalation_working_days": organization.escalation_working_days}
        for stage in Stage.values:
            if stage in overrides and current[stage] != DEFAULT_STALE_DAYS[stage]:
                initial[_stage_field_name(stage)] = current[stage] or 0
        super().__init__(*args, initial=initial, **kwargs)
        for stage, label in Stage.choices:
            default = DEFAULT_STALE_DAYS[stage]
            self.fields[_stage_field_name(stage)] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=3650,
                widget=forms.NumberInput(attrs={"placeholder": default if default is not None else _("never")}),
                help_text=_("Default: %(days)s") % {"days": default if default is not None else _("never")},
            )

    def stage_fields(self):
        return [self[_stage_field_name(stage)] for stage in Stage.values]

    def stale_days(self) -> dict:
        """Only the stages that differ from the defaults are stored; 0 is stored as null (never)."""
        result = {}
        for stage in Stage.values:
            value = self.cleaned_data.get(_stage_field_name(stage))
            if value is None:
                continue
            value = value or None
            if value != DEFAULT_STALE_DAYS[stage]:
                result[stage] = value
        return result
