"""The dashboard's period picker and filters. Dropdowns list only what the user may see."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from operators.access import visible_zones
from projects.core import periods
from projects.pipeline.models import IndustryChain, SourceMode
from projects.reporting.metrics import RATE_KEYS, Filters

RANK_CHOICES = [
    ("intention_contract", _("Intention → contract")),
    ("contract_construction", _("Contract → construction")),
    ("construction_production", _("Construction → production")),
    ("funds_in_place", _("Funds in place")),
]
assert [key for key, _label in RANK_CHOICES] == RATE_KEYS
MAX_CUSTOM_DAYS = 366 * 5


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=periods.KINDS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=None, required=False, empty_label=_("All zones"))
    source_mode = forms.ChoiceField(
        label=_("Source mode"), choices=[("", _("All source modes")), *SourceMode.choices], required=False
    )
    chain = forms.ModelChoiceField(
        label=_("Industry chain"), queryset=IndustryChain.objects.all(), required=False, empty_label=_("All chains")
    )
    rank = forms.ChoiceField(label=_("Rank zones by"), choices=RANK_CHOICES, required=False)

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["zone"].queryset = visible_zones(user).order_by("county", "name")

    def clean(self):
        data = super().clean()
        kind = data.get("period") or periods.MONTH
        data["period"] = kind
        if kind == periods.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Give the first day of the custom period."))
            if not end:
                self.add_error("end", _("Give the last day of the custom period."))
            if start and end:
                if end < start:
                    self.add_error("end", _("The last day must not be before the first day."))
                elif (end - start).days >= MAX_CUSTOM_DAYS:
                    self.add_error("end", _("A custom period can be at most five years long."))
        return data

    def period_value(self) -> periods.Period:
        data = self.cleaned_data
        if data["period"] == periods.CUSTOM:
            return periods.Period(data["start"], data["end"])
        return periods.calendar_period(data["period"], self.today)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            zone_id=data["zone"].pk if data.get("zone") else None,
            source_mode=data.get("source_mode") or "",
            chain_id=data["chain"].pk if data.get("chain") else None,
        )

    def rank_by(self) -> str:
        return self.cleaned_data.get("rank") or RATE_KEYS[0]
