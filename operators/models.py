"""Zones, the organisations that work in them, and who belongs where in which role."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Zone(models.Model):
    class Kind(models.TextChoices):
        ECONOMIC_TECH = "economic_tech", _("Economic-technological zone")
        HIGH_TECH = "high_tech", _("High-tech zone")
        BONDED = "bonded", _("Comprehensive bonded zone")
        FREE_TRADE = "free_trade", _("Free-trade area")
        INDUSTRIAL_CLUSTER = "industrial_cluster", _("Industrial cluster")
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    county = models.CharField(_("county"), max_length=50, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.short_name or self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Management committee")
        OPERATING_COMPANY = "operating_company", _("Operating company")
        COUNTY_BUREAU = "county_bureau", _("County investment bureau")
        CITY_OFFICE = "city_office", _("City office")

    class PartnerStatus(models.TextChoices):
        NONE = "none", _("None")
        NEGOTIATING = "negotiating", _("In negotiation")
        ENGAGED = "engaged", _("Engaged")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    # A county bureau's county; for zone organisations it is the zone's county.
    county = models.CharField(_("county"), max_length=50, blank=True, db_index=True)
    # Operating companies may bring in a professional park operator.
    operator_partner = models.CharField(_("professional operator"), max_length=100, blank=True)
    operator_partner_status = models.CharField(
        _("professional operator status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.NONE
    )
    # Notification thresholds, editable by the organisation (reminders issue).
    escalation_working_days = models.PositiveSmallIntegerField(
        _("escalate follow-ups overdue by more than (working days)"), default=5
    )
    stale_days = models.JSONField(
        _("days without activity before a project is stale, per stage"), default=dict, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["county_bureau", "city_office"]) | models.Q(zone__isnull=False),
                name="zone_org_has_zone",
                violation_error_message=_("A management committee or operating company must belong to a zone."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("Investment officer")
    TEAM_LEAD = "team_lead", _("Team lead")
    OPERATOR = "operator", _("Operator")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="one_membership_per_org",
                violation_error_message=_("This user already belongs to this organisation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class NotificationPreference(models.Model):
    """What a user wants to receive, and when. Created on first use with the defaults."""

    class DigestFrequency(models.TextChoices):
        NONE = "none", _("None")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Monday)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminders_enabled = models.BooleanField(_("follow-up reminder emails"), default=True)
    reminder_time = models.TimeField(_("reminder time"), default=datetime.time(8, 30))
    language = models.CharField(
        _("email language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    digest_frequency = models.CharField(
        _("digest"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.NONE
    )
    digest_zones = models.ManyToManyField(
        Zone, verbose_name=_("digest zones"), blank=True, help_text=_("Empty: every zone in your scope.")
    )
    history = HistoricalRecords(m2m_fields=[digest_zones])

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
