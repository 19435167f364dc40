from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Heartbeat, Notice, OutboxMessage


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at", "count"]
    readonly_fields = ["name", "seen_at", "count"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["key", "to_email", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "to_email", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["retry"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False  # rows come from sweeps, through tasks.services.outbox_add

    @admin.action(description=_("Send the selected failed or pending emails again"))
    def retry(self, request, queryset):
        count = services.outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)d emails will be sent again.") % {"count": count})


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "recipient", "project", "level", "days", "noticed_on", "message_key"]
    list_filter = ["kind", "noticed_on"]
    search_fields = ["key", "message_key"]
    list_select_related = ["recipient", "project"]
    raw_id_fields = ["recipient", "project", "follow_up"]
