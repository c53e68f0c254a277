"""A paginator that stops counting: past ``cap`` rows the exact total is not worth a full scan.

Counting every visible idea for "12,345 ideas" read the whole table on each list page (100 ms at
200,000 ideas, docs/PERFORMANCE.md). ``CappedPaginator`` counts at most ``cap + 1`` rows
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``): the lists show "more than 10,000 ideas" and the pages
up to there; a narrower filter or search gives exact numbers again.
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

    @property
    def capped(self) -> bool:
        """Whether there are more rows than ``count`` says (the total was not counted)."""
        return self._bounded_count > self.cap
