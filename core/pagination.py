"""A paginator for long lists: it stops counting, and it picks a page's rows before joining them.

- Counting every visible idea for "12,345 ideas" read the whole table on each list page (100 ms at
  200,000 ideas, docs/PERFORMANCE.md). ``CappedPaginator`` counts at most ``cap + 1`` rows
  (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``): the lists show "more than 10,000 ideas" and the
  pages up to there; a narrower filter or search gives exact numbers again.
- A page of a queryset is read in two steps: the ids of the page (the filters and the order, no
  ``select_related`` joins), then those rows with everything the list shows. With a search that
  matched 25,000 ideas, PostgreSQL joined every match to its author before sorting for the top
  twenty (400 ms); picked first, twenty rows are joined (one more query, constant in page size).
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def _bounded_count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "query"):
            # A bounded subquery of the ids alone: no ordering, and no annotation the rows' columns
            # need (an annotation a filter uses stays in the WHERE).
            return object_list.order_by().values("pk")[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)

    @cached_property
    def count(self) -> int:
        """The number of rows, at most ``cap``: the pages go as far as the first ``cap`` rows."""
        return min(self._bounded_count, self.cap)

    def _get_page(self, object_list, number, paginator):
        """``object_list`` is the page's slice (Paginator.page): read its ids, then those rows."""
        if hasattr(object_list, "query"):
            ids = list(object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)} if ids else {}
            object_list = [rows[pk] for pk in ids if pk in rows]
        return super()._get_page(object_list, number, paginator)

    @property
    def capped(self) -> bool:
        """Whether there are more rows than ``count`` says (the total was not counted)."""
        return self._bounded_count > self.cap
