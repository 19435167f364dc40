"""Investors, projects (leads) and everything that happens to them.

Over 400 lines on purpose: these are the Django models of one capability (a project, its
investor, chain, follow-ups, stage changes, files, possible duplicates and need-to-know log) and
their constraints, which read best side by side; the choices they use are in
projects.pipeline.choices and re-exported here, so code keeps importing them from this module."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operators.models import Organization, Zone
from projects.core.amounts import ratio
from projects.core.validators import validate_credit_code
from projects.pipeline.choices import LostReason, Priority, SourceMode, Stage, Status

AMOUNT = {"max_digits": 18, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def funds_in_place_rate(funds: Decimal | None, contract_amount: Decimal | None) -> Decimal | None:
    """资金到位率: funds in place ÷ the contracted amount (合同投资额), for one project or for sums
    over many. None ("—") without a contract; funds not recorded count as 0. The one formula:
    projects.pipeline.funds says what the funds in place are, docs/metrics.md in words."""
    return ratio(funds, contract_amount)


class IndustryChain(models.Model):
    """An industry chain a city promotes (产业链), e.g. electronic information."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")

    def __str__(self) -> str:
        return self.name


class ChainLink(models.Model):
    """A link (环节) in a chain, e.g. "IC packaging & test", midstream."""

    class Position(models.TextChoices):
        UPSTREAM = "upstream", _("Upstream")
        MIDSTREAM = "midstream", _("Midstream")
        DOWNSTREAM = "downstream", _("Downstream")

    chain = models.ForeignKey(IndustryChain, on_delete=models.CASCADE, related_name="links", verbose_name=_("chain"))
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["chain", "position", "name"]
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")
        constraints = [models.UniqueConstraint(fields=["chain", "name"], name="unique_link_per_chain")]

    def __str__(self) -> str:
        return f"{self.chain} · {self.name}"


class Investor(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # Derived from name by projects.pipeline.duplicates.normalize_name; kept for fast duplicate lookups.
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False, default="")
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": _("Another investor already has this credit code.")},
    )
    is_top500 = models.BooleanField(_("China Top-500"), default=False)
    is_industry_top100 = models.BooleanField(_("industry Top-100"), default=False)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    home_city = models.CharField(_("home city"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("investor")
        verbose_name_plural = _("investors")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance, filename: str) -> str:
    # A random name: the uploaded name is kept in `original_name`, never used on disk.
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Project(models.Model):
    title = models.CharField(_("project"), max_length=200)
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="projects"
    )
    # zone, organization, owner and created_at lead composite indexes (Meta.indexes), which serve
    # their lookups as well: no single-column index of their own to update on every write.
    zone = models.ForeignKey(
        Zone, verbose_name=_("target zone"), on_delete=models.PROTECT, related_name="projects", db_index=False
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="projects",
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="logged_projects",
        null=True,
        blank=True,
    )
    operating_company = models.ForeignKey(
        Organization,
        verbose_name=_("operating company"),
        on_delete=models.PROTECT,
        related_name="operated_projects",
        null=True,
        blank=True,
        limit_choices_to={"kind": Organization.Kind.OPERATING_COMPANY},
    )
    service_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service contact"),
        on_delete=models.SET_NULL,
        related_name="serviced_projects",
        null=True,
        blank=True,
    )

    # How the lead was found, and the details of that source mode.
    source_mode = models.CharField(_("source mode"), max_length=20, choices=SourceMode.choices)
    fund_name = models.CharField(_("fund"), max_length=200, blank=True)
    fund_manager = models.CharField(_("fund manager"), max_length=200, blank=True)
    fund_committed_amount = models.DecimalField(
        _("fund committed amount"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    fund_condition = models.TextField(_("condition tied to the fund"), blank=True)
    equity_vehicle = models.CharField(_("investing vehicle"), max_length=200, blank=True)
    equity_stake_pct = models.DecimalField(
        _("stake %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    equity_amount = models.DecimalField(_("equity amount"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE)
    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("industry chain"), on_delete=models.PROTECT, null=True, blank=True
    )
    chain_link = models.ForeignKey(
        ChainLink, verbose_name=_("chain link"), on_delete=models.PROTECT, null=True, blank=True
    )
    chain_leader = models.CharField(_("chain-leader enterprise"), max_length=200, blank=True)
    referrer = models.CharField(_("referred by"), max_length=200, blank=True)
    source_note = models.TextField(_("source details"), blank=True)

    industry = models.CharField(_("industry"), max_length=100, blank=True)
    planned_amount = models.DecimalField(
        _("planned investment"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)

    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices, default=Stage.LEAD)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    lost_reason = models.CharField(_("reason lost"), max_length=30, choices=LostReason.choices, blank=True)
    status_note = models.TextField(_("status reason"), blank=True)
    on_hold_until = models.DateField(_("expected resume date"), null=True, blank=True)

    # Derived from follow-ups by projects.pipeline.services; never typed.
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    # Evidence per stage (DOMAIN.md).
    intention_signed_on = models.DateField(_("intention signed on"), null=True, blank=True)
    intention_amount = models.DecimalField(
        _("amount in the intention"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    contract_amount = models.DecimalField(
        _("contracted amount"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    registered_company = models.CharField(_("registered company"), max_length=200, blank=True)
    registered_credit_code = models.CharField(
        _("registered company's credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    construction_started_on = models.DateField(_("construction started on"), null=True, blank=True)
    production_started_on = models.DateField(_("production started on"), null=True, blank=True)
    actual_investment = models.DecimalField(
        _("actual investment to date"), **AMOUNT, null=True, blank=True, validators=NON_NEGATIVE
    )
    site_location = models.CharField(_("site"), max_length=200, blank=True)
    site_area_mu = models.DecimalField(
        _("land area (mu)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )

    # Confidential deals show a codename to everyone outside the owning organisation.
    is_confidential = models.BooleanField(_("confidential"), default=False)
    codename = models.CharField(_("codename"), max_length=100, blank=True)
    need_to_know = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("need-to-know list"), blank=True, related_name="+"
    )

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "last_activity_at", "next_follow_up_on"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["organization", "stage"], name="project_org_stage"),
            models.Index(fields=["zone", "stage"], name="project_zone_stage"),
            models.Index(fields=["owner", "next_follow_up_on"], name="project_owner_due"),
            models.Index(fields=["status", "next_follow_up_on"], name="project_status_due"),
            models.Index(fields=["status", "stage", "last_activity_at"], name="project_stale"),
            # The list's default order and its deep pages read keys from these alone.
            models.Index(fields=["created_at", "id"], name="project_created_id"),
            models.Index(fields=["organization", "created_at", "id"], name="project_org_created_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0)
                & Q(fund_committed_amount__gte=0)
                & Q(equity_amount__gte=0)
                & Q(intention_amount__gte=0)
                & Q(contract_amount__gte=0)
                & Q(actual_investment__gte=0),
                name="project_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(equity_stake_pct__gte=0) & Q(equity_stake_pct__lte=100),
                name="project_stake_between_0_and_100",
                violation_error_message=_("The stake must be between 0 and 100 %."),
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | ~Q(lost_reason=""),
                name="project_lost_has_reason",
                violation_error_message=_("A lost project needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="project_version_positive",
                violation_error_message=_("The version must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def funds_in_place_rate(self) -> Decimal | None:
        """资金到位率 of this project (projects.pipeline.funds, docs/metrics.md)."""
        return funds_in_place_rate(self.actual_investment, self.contract_amount)


class PossibleDuplicate(models.Model):
    """Two projects that seem to court the same investor; a manager settles who gets the credit."""

    class MatchedBy(models.TextChoices):
        CREDIT_CODE = "credit_code", _("Same credit code")
        NAME = "name", _("Similar name")
        SAME_INVESTOR = "same_investor", _("Same investor")

    class Decision(models.TextChoices):
        OPEN = "open", _("Open")
        SAME_PROJECT = "same_project", _("Same project")
        DIFFERENT = "different", _("Different projects")

    class Credit(models.TextChoices):
        KEEPER = "keeper", _("Given to the organisation that keeps it")
        SHARED = "shared", _("Shared")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="duplicate_links")
    other = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    matched_by = models.CharField(_("matched by"), max_length=20, choices=MatchedBy.choices)
    score = models.PositiveSmallIntegerField(_("similarity"), default=100)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, default=Decision.OPEN)
    kept = models.ForeignKey(
        Project, verbose_name=_("project kept"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    credit = models.CharField(_("credit"), max_length=20, choices=Credit.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["project", "other"], name="unique_duplicate_pair"),
            models.CheckConstraint(
                condition=~Q(project=models.F("other")),
                name="duplicate_not_self",
                violation_error_message=_("A project cannot duplicate itself."),
            ),
        ]
        indexes = [models.Index(fields=["decision"], name="duplicate_decision")]

    def __str__(self) -> str:
        return f"{self.project} ~ {self.other}"


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        SITE_INSPECTION = "site_inspection", _("Site inspection")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    visitors = models.CharField(_("who came"), max_length=200, blank=True)
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_due_on = models.DateField(_("next follow-up due"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["project", "-occurred_on", "-created_at"], name="followup_project_latest"),
            models.Index(fields=["next_due_on"], name="followup_due"),
            models.Index(fields=["author", "created_at"], name="followup_author"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.occurred_on}"


class StageChange(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("project")
    )
    from_stage = models.CharField(_("from"), max_length=30, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=30, choices=Stage.choices)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    changed_at = models.DateTimeField(_("when"), db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="stage_changes"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["project", "-changed_at"], name="stagechange_project"),
            models.Index(fields=["to_stage", "changed_at"], name="stagechange_to_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage} → {self.to_stage}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        INTENTION_AGREEMENT = "intention_agreement", _("Signed intention agreement")
        CONTRACT = "contract", _("Contract")
        BUSINESS_LICENCE = "business_licence", _("Business licence")
        PHOTO = "photo", _("Photo")
        VOUCHER = "voucher", _("Bank voucher")
        AUDIT_REPORT = "audit_report", _("Audit report")
        OTHER = "other", _("Other")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("project")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="attachment_sha256_hex",
                violation_error_message=_("The SHA-256 must be 64 hexadecimal characters."),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class ConfidentialAccess(models.Model):
    """Every opening of a confidential project's page or file (who, when)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="confidential_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attachment = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("confidential access")
        verbose_name_plural = _("confidential access log")

    def __str__(self) -> str:
        return f"{self.user} · {self.project} · {self.at:%Y-%m-%d %H:%M}"
