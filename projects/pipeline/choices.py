"""The choices of a project: its stage (the pipeline, in order), status, reason lost, source mode
and priority. projects.pipeline.models re-exports them; import them from there."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The pipeline, in order (DOMAIN.md)."""

    LEAD = "lead", _("Lead")
    CONTACTED = "contacted", _("Contacted")
    SITE_VISIT = "site_visit", _("Site visit")
    NEGOTIATING = "negotiating", _("Negotiating")
    INTENTION_SIGNED = "intention_signed", _("Intention signed")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    REGISTERED = "registered", _("Registered")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    IN_PRODUCTION = "in_production", _("In production")

    @classmethod
    def order(cls, stage: str) -> int:
        return cls.values.index(stage)


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    LOST = "lost", _("Lost")


class LostReason(models.TextChoices):
    OTHER_REGION = "other_region", _("Went to another region")
    INVESTOR_WITHDREW = "investor_withdrew", _("Investor withdrew")
    FAILED_REVIEW = "failed_review", _("Failed land / energy / environment review")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class SourceMode(models.TextChoices):
    FUND = "fund", _("Fund-based promotion")
    EQUITY = "equity", _("Equity promotion")
    CHAIN = "chain", _("Industry-chain promotion")
    REFERRAL = "referral", _("Referral by enterprises")
    DIRECT = "direct", _("Direct visit")
    EXPO = "expo", _("Expo")
    AGENCY = "agency", _("Agency")
    OTHER = "other", _("Other")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")
