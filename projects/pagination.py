"""Pagination for big lists: no COUNT(*), and deep pages without dragging joined rows through
OFFSET.

LazyPaginator already avoids the count (it looks one row ahead). Deep pages still pay for
OFFSET: the database builds every skipped row with its joins. Here the skipping happens on the
primary keys alone (an index-only scan on the sort columns), and only the page's rows are then
fetched with their joins: the "deferred join"."""

from django.core.paginator import EmptyPage, Page
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tables2 import LazyPaginator


class DeferredJoinPaginator(LazyPaginator):
    def _queryset(self) -> QuerySet | None:
        data = getattr(self.object_list, "data", self.object_list)
        return data if isinstance(data, QuerySet) else None

    def page(self, number):
        queryset = self._queryset()
        if queryset is None:
            return super().page(number)
        number = self.validate_number(number or 1)
        bottom = (number - 1) * self.per_page
        look_ahead_items = (self.look_ahead - 1) * self.per_page + 1
        ids = list(
            queryset.values_list("pk", flat=True)[bottom : bottom + self.per_page + self.orphans + look_ahead_items]
        )
        if len(ids) > self.per_page + self.orphans:
            self._num_pages = number + (len(ids) // self.per_page)
            ids = ids[: self.per_page]
        elif number != 1 and len(ids) <= self.orphans:
            raise EmptyPage(_("That page contains no results"))
        else:
            self._num_pages = number
            self._final_num_pages = number
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)
