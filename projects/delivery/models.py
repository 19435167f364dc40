"""After the signature: milestones, commitments, funds in place, handoff and supervision (督办).

Imported at the end of projects/models.py, so these are models of the `projects` app.

A little over 400 lines on purpose: the eight models of delivery and their choices and constraints,
one per record a delivery keeps, read best side by side; splitting them would only scatter them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.pipeline.models import AMOUNT, NON_NEGATIVE, Attachment, Project

POSITIVE = [MinValueValidator(Decimal("0.01"))]
MU = {"max_digits": 12, "decimal_places": 2}


class MilestoneKind(models.TextChoices):
    """Delivery milestones in the order they happen."""

    CONTRACT = "contract", _("Contract signed")
    REGISTRATION = "registration", _("Company registered")
    LAND = "land", _("Land acquired")
    CONSTRUCTION = "construction", _("Construction started")
    COMPLETION = "completion", _("Construction completed")
    PRODUCTION = "production", _("Production started")
    FULL_PRODUCTION = "full_production", _("Full production reached")


# Milestones whose actual date is also a Project field (set by stage moves): the two stay equal.
PROJECT_DATE_FIELDS = {
    MilestoneKind.CONTRACT: "contract_signed_on",
    MilestoneKind.REGISTRATION: "registered_on",
    MilestoneKind.CONSTRUCTION: "construction_started_on",
    MilestoneKind.PRODUCTION: "production_started_on",
}


class DeliverySettings(models.Model):
    """The city's delivery rules, one row, edited by administrators in the admin."""

    grace_days = models.PositiveSmallIntegerField(
        _("days late before a milestone turns red"),
        default=30,
        help_text=_("A milestone past its planned date is amber; this many days later it is red."),
    )
    manager_escalation_days = models.PositiveSmallIntegerField(
        _("days past due before a supervision order goes to the issuing manager"),
        default=3,
        help_text=_("The day after its due date an open order goes to the responsible leader."),
    )
    contract_offset_days = models.PositiveSmallIntegerField(_("contract: days after the intention"), default=60)
    registration_offset_days = models.PositiveSmallIntegerField(_("registration: days after the intention"), default=90)
    land_offset_days = models.PositiveSmallIntegerField(_("land: days after the intention"), default=150)
    construction_offset_days = models.PositiveSmallIntegerField(
        _("construction start: days after the intention"), default=180
    )
    completion_offset_days = models.PositiveSmallIntegerField(_("completion: days after the intention"), default=540)
    production_offset_days = models.PositiveSmallIntegerField(_("production: days after the intention"), default=600)
    full_production_offset_days = models.PositiveSmallIntegerField(
        _("full production: days after the intention"), default=960
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return str(_("Delivery settings"))

    @classmethod
    def current(cls) -> DeliverySettings:
        """The one row; created with the defaults on first use."""
        return cls.objects.get_or_create(pk=1)[0]

    def offset(self, kind: str) -> int:
        return getattr(self, f"{kind}_offset_days")


class MilestoneColour(models.TextChoices):
    DONE = "done", _("Done")
    ON_TRACK = "on_track", _("On track")
    AMBER = "amber", _("Late")
    RED = "red", _("Seriously late")
    UNPLANNED = "unplanned", _("No plan")


def milestone_colour(
    planned: datetime.date | None, actual: datetime.date | None, today: datetime.date, grace_days: int
) -> str:
    """Done once it has an actual date; otherwise amber from the day after the plan, red once
    more than `grace_days` late (planned + grace is still amber)."""
    if actual is not None:
        return MilestoneColour.DONE
    if planned is None:
        return MilestoneColour.UNPLANNED
    late = (today - planned).days
    if late <= 0:
        return MilestoneColour.ON_TRACK
    return MilestoneColour.AMBER if late <= grace_days else MilestoneColour.RED


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project"))
    kind = models.CharField(_("milestone"), max_length=20, choices=MilestoneKind.choices)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    actual_on = models.DateField(_("actual"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # When the actual date was recorded: what digests report as news.
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind"],
                name="one_milestone_per_kind",
                violation_error_message=_("The project already has this milestone."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "actual_on", "planned_on"], name="milestone_kind_dates")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"

    @property
    def order(self) -> int:
        return MilestoneKind.values.index(self.kind)

    def colour(self, today: datetime.date, grace_days: int) -> str:
        return milestone_colour(self.planned_on, self.actual_on, today, grace_days)

    def days_late(self, today: datetime.date) -> int:
        """Days past the plan: at the actual date when done, today otherwise; never negative."""
        if self.planned_on is None:
            return 0
        return max(0, ((self.actual_on or today) - self.planned_on).days)


class CommitmentMetric(models.TextChoices):
    """What the agreement promises and the operating company reports as achieved."""

    FIXED_ASSET_INVESTMENT = "fixed_asset_investment", _("Fixed-asset investment")
    ANNUAL_OUTPUT = "annual_output", _("Annual output")
    ANNUAL_TAX = "annual_tax", _("Annual tax")
    JOBS = "jobs", _("Jobs")
    LAND_MU = "land_mu", _("Land area (mu)")


# Metrics counted in yuan (typed in 万元 in forms); the others are plain numbers.
AMOUNT_METRICS = {
    CommitmentMetric.FIXED_ASSET_INVESTMENT,
    CommitmentMetric.ANNUAL_OUTPUT,
    CommitmentMetric.ANNUAL_TAX,
}


class DeliveryPlan(models.Model):
    """One per signed project: who supervises it, and what the agreement promises against what
    has been achieved. Total investment achieved is the funds in place (projects.pipeline.funds)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="delivery_plan", verbose_name=_("project")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        on_delete=models.PROTECT,
        related_name="led_plans",
        null=True,
        blank=True,
    )
    started_at = models.DateTimeField(_("delivery started"), auto_now_add=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    promised_total_investment = models.DecimalField(
        _("total investment"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    promised_fixed_asset_investment = models.DecimalField(
        _("fixed-asset investment"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    promised_intensity = models.DecimalField(
        _("investment intensity (万元 per mu)"), **MU, null=True, blank=True, validators=NON_NEGATIVE
    )
    promised_annual_output = models.DecimalField(
        _("annual output"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    promised_annual_tax = models.DecimalField(_("annual tax"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE)
    promised_jobs = models.PositiveIntegerField(_("jobs"), null=True, blank=True)
    promised_land_mu = models.DecimalField(_("land area (mu)"), **MU, null=True, blank=True, validators=NON_NEGATIVE)

    # Set by projects.delivery.services.commitment_report from the latest report of each metric.
    achieved_fixed_asset_investment = models.DecimalField(
        _("fixed-asset investment achieved"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    achieved_annual_output = models.DecimalField(
        _("annual output achieved"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    achieved_annual_tax = models.DecimalField(
        _("annual tax achieved"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    achieved_jobs = models.PositiveIntegerField(_("jobs achieved"), null=True, blank=True)
    achieved_land_mu = models.DecimalField(
        _("land area achieved (mu)"), **MU, null=True, blank=True, validators=NON_NEGATIVE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery plan")
        verbose_name_plural = _("delivery plans")

    def __str__(self) -> str:
        return str(self.project)

    @property
    def achieved_intensity(self) -> Decimal | None:
        """万元 of fixed-asset investment per mu of land, from what was achieved."""
        if not self.achieved_land_mu or self.achieved_fixed_asset_investment is None:
            return None
        return (self.achieved_fixed_asset_investment / Decimal(10_000) / self.achieved_land_mu).quantize(
            Decimal("0.01")
        )


class CommitmentReport(models.Model):
    """One report of what has been achieved on a metric so far, with its evidence file."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="commitment_reports", verbose_name=_("project")
    )
    metric = models.CharField(_("commitment"), max_length=30, choices=CommitmentMetric.choices)
    value = models.DecimalField(_("achieved so far"), **AMOUNT, validators=NON_NEGATIVE)
    as_of = models.DateField(_("as of"))
    evidence = models.ForeignKey(
        Attachment, verbose_name=_("evidence"), on_delete=models.PROTECT, related_name="commitment_reports"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-recorded_at"]
        verbose_name = _("commitment report")
        verbose_name_plural = _("commitment reports")
        indexes = [models.Index(fields=["project", "metric", "-as_of"], name="commitment_report_latest")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_metric_display()} · {self.as_of}"


class FundsTranche(models.Model):
    """Money the investor put in (资金到位), as received. Once a project has tranches its funds in
    place are their sum (projects.pipeline.funds); a wrong tranche is corrected (its history keeps
    what it said before)."""

    class Kind(models.TextChoices):
        REGISTERED_CAPITAL = "registered_capital", _("Registered capital")
        FIXED_ASSET = "fixed_asset", _("Fixed-asset investment")
        OTHER = "other", _("Other")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="funds_tranches", verbose_name=_("project")
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=POSITIVE)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    evidence = models.ForeignKey(
        Attachment, verbose_name=_("evidence"), on_delete=models.PROTECT, related_name="funds_tranches"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("funds tranche")
        verbose_name_plural = _("funds tranches")
        indexes = [models.Index(fields=["project", "received_on"], name="tranche_project_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="tranche_amount_positive",
                violation_error_message=_("A tranche must be a positive amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.received_on} · {self.amount}"


class ServiceRequest(models.Model):
    """Something the project needs from another department, tracked until it is closed."""

    class Department(models.TextChoices):
        POWER = "power", _("Power supply")
        WATER = "water", _("Water supply")
        GAS = "gas", _("Gas supply")
        ENVIRONMENT = "environment", _("Environmental assessment")
        PLANNING = "planning", _("Planning permit")
        OTHER = "other", _("Other")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="service_requests", verbose_name=_("project")
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    description = models.CharField(_("what is needed"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="service_requests"
    )
    due_on = models.DateField(_("due"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["closed_on", "due_on", "pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [models.Index(fields=["closed_on", "due_on"], name="service_request_open_due")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_department_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class SupervisionOrder(models.Model):
    """A manager's order (督办) on a project: what must happen, by when, by whom. Past due and not
    done, it escalates to the responsible leader (level 1), then to the issuing manager (level 2)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DONE = "done", _("Done")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="supervision_orders", verbose_name=_("project")
    )
    instruction = models.TextField(_("what must happen"))
    due_on = models.DateField(_("by when"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to whom"), on_delete=models.PROTECT, related_name="supervision_orders"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    # The project's responsible leader when the order was issued: the first escalation goes there.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_on", "pk"]
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        indexes = [
            models.Index(
                fields=["due_on", "escalation_level"], name="supervision_pending", condition=~Q(status="done")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.due_on}"


class SupervisionReport(models.Model):
    """Progress reported by the recipient of an order."""

    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.CASCADE, related_name="reports", verbose_name=_("supervision order")
    )
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.order} · {self.created_at:%Y-%m-%d}"
