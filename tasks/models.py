"""Background work: heartbeats, the notification outbox, and the ledger of what was notified."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Last time a background process did its work: shows administrators the worker is alive."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """One email to send, exactly once per key.

    Sweeps insert rows (ON CONFLICT DO NOTHING on `key`); the sender claims a row by moving it
    from pending to sending with a conditional UPDATE and sends only if that changed one row.
    A row with `context` is built when it is sent (tasks.content): until then its subject is the
    sweep's summary and its bodies are empty; a row without is sent as it was rendered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Built at send time and found not needed any more (nothing due: the follow-ups were
        # recorded meanwhile; or the recipient gone or unsubscribed): not sent, why in `note`.
        SKIPPED = "skipped", _("Not needed")

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    to_email = models.EmailField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt started"), null=True, blank=True)
    # Which process made the last attempt (host:pid): shows how sends spread over the workers.
    claimed_by = models.CharField(_("last attempt by"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the builder of the row's kind needs to write the email when it is sent (plain JSON:
    # the day, the counts the sweep saw); null for a row rendered when it was queued.
    context = models.JSONField(_("content data"), null=True, blank=True)
    # Why a row was not sent (skipped); a gettext_noop text, translated when shown. The column
    # has a database default so that code of the previous release can still insert rows.
    note = models.CharField(_("note"), max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox")
        indexes = [
            # What the sender asks every minute: keep it cheap however many rows were sent.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_pending"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending"),
            models.Index(fields=["status", "-created_at"], name="outbox_status_created"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def status_css(self) -> str:
        return {"sent": "success", "failed": "danger", "sending": "warning", "skipped": "info"}.get(
            self.status, "secondary"
        )

    @property
    def built_at_send(self) -> bool:
        return self.context is not None

    @property
    def awaits_content(self) -> bool:
        """Built at send time and not written yet: the outbox page shows only its subject."""
        return self.built_at_send and not self.body_text

    @property
    def note_display(self) -> str:
        return gettext(self.note) if self.note else ""

    @property
    def can_retry(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.PENDING)


class Notice(models.Model):
    """A line of a daily email that must appear once: an escalated follow-up at a level, a stale
    project nudged in a week. `key` makes it once; `message_key` is the outbox email carrying it."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("Escalation")
        STALE = "stale", _("Stale lead")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    follow_up = models.ForeignKey(
        "projects.FollowUp", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(default=0)
    # Working days overdue (escalation) or days without activity (stale) when it was noticed.
    days = models.PositiveIntegerField(default=0)
    noticed_on = models.DateField()
    message_key = models.CharField(max_length=200, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["project", "kind", "noticed_on"], name="notice_project_kind")]

    def __str__(self) -> str:
        return self.key
