import django_filters
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage


class OutboxFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboxMessage.Status.choices, label=_("status"))
    kind = django_filters.CharFilter(label=_("kind"))
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(key__icontains=value) | queryset.filter(to_email__icontains=value)
