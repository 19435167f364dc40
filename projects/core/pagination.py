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
from django_tables2.rows import BoundRows


class DeferredJoinPaginator(LazyPaginator):
    def _queryset(self) -> QuerySet | None:
        # The table hands over its BoundRows, whose data (TableQuerysetData) wraps the queryset.
        data = self.object_list
        for _level in range(3):
            if isinstance(data, QuerySet):
                return data
            data = getattr(data, "data", None)
        return None

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
        found = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        records = [found[pk] for pk in ids if pk in found]
        if isinstance(self.object_list, BoundRows):
            return Page(BoundRows(data=records, table=self.object_list.table), number, self)
        return Page(records, number, self)
