from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

COUNT_CAP = 10_000


class CappedPaginator[T](Paginator[T]):
    """A paginator that counts at most ``cap`` rows.

    Counting a million matching rows costs more than the exact figure tells anyone
    scrolling a list; pages past the cap are not offered and the total reads "10,000+".
    """

    def __init__(self, object_list: QuerySet[Any, T], per_page: int, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.cap = cap

    @cached_property
    def bounded_count(self) -> int:
        # COUNT over an unordered, LIMITed subquery: stops reading after cap + 1 rows
        # (an ORDER BY there would make the database walk the sort order instead).
        return self.queryset.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.bounded_count > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.bounded_count, self.cap)


def paginate[T](request: HttpRequest, queryset: QuerySet[Any, T]) -> Page[T]:
    """The page the request asks for (``?page=``), at the site's page size."""
    return CappedPaginator(queryset, settings.SAMPHAN_PAGE_SIZE).get_page(request.GET.get("page"))
