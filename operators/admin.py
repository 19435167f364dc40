from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, NotificationPreference, Organization, Zone


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Zone)
class ZoneAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "level", "county", "is_active"]
    list_filter = ["kind", "level", "county", "is_active"]
    search_fields = ["name", "short_name", "county"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "zone", "county", "operator_partner_status", "escalation_working_days"]
    list_filter = ["kind", "operator_partner_status", "zone__county"]
    list_select_related = ["zone"]
    search_fields = ["name", "county", "zone__name"]
    autocomplete_fields = ["zone"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["role", "is_active", "organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "reminders_enabled", "reminder_time", "digest_frequency", "language"]
    list_filter = ["reminders_enabled", "digest_frequency", "language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name"]
    filter_horizontal = ["digest_zones"]
