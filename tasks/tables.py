import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage


class OutboxTable(tables.Table):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i")
    key = tables.Column(linkify=("tasks:outbox_message", {"pk": tables.A("pk")}))
    status = tables.Column()
    sent_at = tables.DateTimeColumn(format="Y-m-d H:i")
    retry = tables.Column(empty_values=(), orderable=False, verbose_name="", accessor="pk")

    class Meta:
        model = OutboxMessage
        fields = ["created_at", "key", "to_email", "subject", "status", "attempts", "last_error", "sent_at"]
        order_by = ["-created_at"]
        attrs = {"class": "table table-sm table-striped align-middle"}
        empty_text = _("No emails.")

    def render_status(self, record, value):
        return render_to_string(
            "tasks/_status.html", {"css": record.status_css, "label": value, "note": record.note_display}
        )

    def render_last_error(self, value):
        return value[:200]

    def render_retry(self, record):
        if not record.can_retry:
            return ""
        return render_to_string("tasks/_retry_button.html", {"ids": [record.pk]}, request=self.request)
