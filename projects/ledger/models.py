"""The ledger import's durable state: one row per uploaded file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from operators.models import Organization


def import_file_path(instance, filename: str) -> str:
    return f"imports/{uuid.uuid4().hex}"


class ImportJob(models.Model):
    """One uploaded ledger: checked first (the preview), then written on confirmation.

    The durable state lives here; the progress of a running step is kept in the cache, which every
    process sees even while the writing transaction is open."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed, waiting to be written")
        APPLYING = "applying", _("Writing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("to create"), default=0)
    updated_count = models.PositiveIntegerField(_("to update"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    duplicate_count = models.PositiveIntegerField(_("skipped as duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    # [{"row": 12, "column": "项目阶段", "message": "..."}], the first IMPORT_MAX_PROBLEMS of them.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # Headings recognised ({heading: column key}) and headings ignored.
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.CONFIRMED, self.Status.APPLYING)
