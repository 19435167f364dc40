"""Forms of the delivery page. Amounts are typed in 万元 and handed to services in yuan;
every dropdown is a scoped queryset."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.access import visible_users
from operators.models import Organization, Role
from projects.core.amounts import WAN
from projects.delivery.models import AMOUNT_METRICS, CommitmentMetric, FundsTranche, MilestoneKind, ServiceRequest
from projects.pipeline.edit_forms import BootstrapForm
from projects.pipeline.forms import WanField
from projects.pipeline.models import Attachment, Project

# ISO format whatever the language: <input type=date> only reads YYYY-MM-DD.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlanForm(BootstrapForm):
    """The plan page's forms take Bootstrap's classes as soon as they are made."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


def project_people(user, project: Project):
    """Who can be named on a project's delivery: active members of its zone's organisations or of
    its owning organisation, among the people the user may pick."""
    people = get_user_model().objects.filter(
        Q(memberships__organization__zone_id=project.zone_id) | Q(memberships__organization_id=project.organization_id),
        memberships__is_active=True,
        is_active=True,
    )
    return visible_users(user, people).distinct().order_by("first_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class MilestonePlanForm(PlanForm):
    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        for m in milestones:
            self.fields[m.kind] = forms.DateField(
                label=m.get_kind_display(),
                required=False,
                initial=m.planned_on,
                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
            )


class MilestoneActualForm(PlanForm):
    kind = forms.ChoiceField(label=_("milestone"), choices=MilestoneKind.choices)
    actual_on = forms.DateField(label=_("date reached"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class CommitmentsForm(PlanForm):
    promised_total_investment = WanField(label=_("total investment (万元)"), required=False)
    promised_fixed_asset_investment = WanField(label=_("fixed-asset investment (万元)"), required=False)
    promised_intensity = forms.DecimalField(
        label=_("investment intensity (万元 per mu)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    promised_annual_output = WanField(label=_("annual output (万元)"), required=False)
    promised_annual_tax = WanField(label=_("annual tax (万元)"), required=False)
    promised_jobs = forms.IntegerField(label=_("jobs"), min_value=0, required=False)
    promised_land_mu = forms.DecimalField(
        label=_("land area (mu)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )

    @classmethod
    def for_plan(cls, plan, data=None):
        initial = {}
        if plan:
            for name in cls.base_fields:
                value = getattr(plan, name)
                initial[name] = value  # amounts in yuan: WanField shows them in 万元
        return cls(data, initial=initial)


EVIDENCE_KIND_CHOICES = [
    (Attachment.Kind.VOUCHER, Attachment.Kind.VOUCHER.label),
    (Attachment.Kind.AUDIT_REPORT, Attachment.Kind.AUDIT_REPORT.label),
]


class CommitmentReportForm(PlanForm):
    metric = forms.ChoiceField(label=_("commitment"), choices=CommitmentMetric.choices)
    value = forms.DecimalField(
        label=_("achieved so far"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        help_text=_("Amounts in 万元; jobs and mu as numbers."),
    )
    as_of = forms.DateField(label=_("as of"), widget=DATE, initial=timezone.localdate)
    evidence = forms.FileField(label=_("evidence (PDF, JPEG, PNG)"))
    evidence_kind = forms.ChoiceField(
        label=_("kind of evidence"),
        choices=[
            *EVIDENCE_KIND_CHOICES,
            (Attachment.Kind.PHOTO, Attachment.Kind.PHOTO.label),
            (Attachment.Kind.OTHER, Attachment.Kind.OTHER.label),
        ],
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("value") is not None and data.get("metric") in AMOUNT_METRICS:
            data["value"] = (data["value"] * WAN).quantize(Decimal("0.01"))
        return data


class TrancheForm(PlanForm):
    received_on = forms.DateField(label=_("received on"), widget=DATE, initial=timezone.localdate)
    amount = WanField(label=_("amount (万元)"), min_value=Decimal("0.0001"))
    kind = forms.ChoiceField(label=_("kind"), choices=FundsTranche.Kind.choices)
    evidence = forms.FileField(label=_("bank voucher or audit report (PDF, JPEG, PNG)"))
    evidence_kind = forms.ChoiceField(label=_("kind of evidence"), choices=EVIDENCE_KIND_CHOICES)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class TrancheCorrectForm(TrancheForm):
    reason = forms.CharField(label=_("what was wrong"), max_length=300)

    def __init__(self, *args, tranche=None, **kwargs):
        if tranche is not None:
            kwargs.setdefault(
                "initial",
                {"received_on": tranche.received_on, "amount": tranche.amount, "kind": tranche.kind},
            )
        super().__init__(*args, **kwargs)
        self.fields["evidence"].required = False
        self.fields["evidence"].label = _("replacement evidence (optional)")
        del self.fields["note"]


class HandOverForm(PlanForm):
    operating_company = forms.ModelChoiceField(label=_("operating company"), queryset=Organization.objects.none())
    service_contact = PersonChoiceField(label=_("service contact"), queryset=None, required=False)

    def __init__(self, *args, user, project: Project, **kwargs):
        kwargs.setdefault(
            "initial",
            {"operating_company": project.operating_company_id, "service_contact": project.service_contact_id},
        )
        super().__init__(*args, **kwargs)
        companies = Organization.objects.filter(zone_id=project.zone_id, kind=Organization.Kind.OPERATING_COMPANY)
        self.fields["operating_company"].queryset = companies
        self.fields["service_contact"].queryset = project_people(user, project).filter(
            memberships__organization__in=companies
        )


class ServiceRequestForm(PlanForm):
    department = forms.ChoiceField(label=_("department"), choices=ServiceRequest.Department.choices)
    description = forms.CharField(label=_("what is needed"), max_length=300)
    owner = PersonChoiceField(label=_("owner"), queryset=None)
    due_on = forms.DateField(label=_("due"), widget=DATE)

    def __init__(self, *args, user, project: Project, **kwargs):
        kwargs.setdefault("initial", {"owner": project.service_contact_id or user.pk})
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = project_people(user, project)


class CloseForm(PlanForm):
    outcome = forms.CharField(label=_("outcome"), max_length=300)


class LeaderForm(PlanForm):
    leader = PersonChoiceField(label=_("responsible leader"), queryset=None, required=False)

    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = get_user_model().objects.filter(
            memberships__role__in=[Role.MANAGER, Role.TEAM_LEAD], memberships__is_active=True, is_active=True
        )
        self.fields["leader"].queryset = visible_users(user, leaders).distinct().order_by("first_name", "username")


class SupervisionOrderForm(PlanForm):
    instruction = forms.CharField(label=_("what must happen"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("by when"), widget=DATE)
    assignee = PersonChoiceField(label=_("to whom"), queryset=None)

    def __init__(self, *args, user, project: Project, **kwargs):
        kwargs.setdefault("initial", {"assignee": project.service_contact_id})
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = project_people(user, project)


class ReportForm(PlanForm):
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 2}))


class OrderCloseForm(PlanForm):
    text = forms.CharField(label=_("closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
