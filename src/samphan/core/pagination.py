from collections.abc import Sequence
from functools import cached_property
from typing import Any, Protocol, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

COUNT_CAP = 10_000


class _Capped:
    """Counts up to ``cap`` rows: ``bounded_count`` may say ``cap + 1`` (there are more)."""

    cap: int

    @cached_property
    def bounded_count(self) -> int:
        raise NotImplementedError

    @property
    def capped(self) -> bool:
        return self.bounded_count > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.bounded_count, self.cap)


class CappedPaginator[T](_Capped, Paginator[T]):
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


def paginate[T](request: HttpRequest, queryset: QuerySet[Any, T]) -> Page[T]:
    """The page the request asks for (``?page=``), at the site's page size."""
    return CappedPaginator(queryset, settings.SAMPHAN_PAGE_SIZE).get_page(request.GET.get("page"))


class Window[T](Protocol):
    """Reads rows ``offset`` to ``offset + size`` of a list and how many rows it holds in
    all (None when ``offset`` is past its end: no row to carry the count)."""

    def __call__(self, offset: int, size: int) -> tuple[list[T], int | None]: ...


class WindowPaginator[T](_Capped, Paginator[T]):
    """A paginator over a list read a page at a time by a ``Window``, which counts the rows
    as it reads a page: the page asked for and the count come from one statement.

    As ``CappedPaginator``, it counts at most ``cap`` rows (the window's count may say
    ``cap + 1``: there are more) and offers no page past them; a page number out of range
    gets the last page, as Django's ``get_page`` does (one more read there).
    """

    def __init__(self, window: Window[T], per_page: int, cap: int) -> None:
        self.window = window
        self.cap = cap
        self._read: dict[tuple[int, int], list[T]] = {}
        super().__init__(_WindowRows(self), per_page)

    def read(self, offset: int, size: int) -> list[T]:
        if (offset, size) not in self._read:
            rows, total = self.window(offset, size)
            self._read[offset, size] = rows
            if total is not None:
                self.__dict__["bounded_count"] = total
        return self._read[offset, size]

    @cached_property
    def bounded_count(self) -> int:
        self.read(0, self.per_page)
        # Page one holds the count unless the list is empty (read says 0 then).
        return int(self.__dict__.get("bounded_count", 0))

    def get_page(self, number: Any) -> Page[T]:
        # The page asked for, read with the count, when it may exist; Django's checks of the
        # number then find the count known and the page's rows read.
        try:
            asked = int(number)
        except (TypeError, ValueError):
            asked = 1
        if 1 <= asked <= -(-self.cap // self.per_page):
            self.read((asked - 1) * self.per_page, self.per_page)
        return super().get_page(number)


class _WindowRows[T](Sequence[T]):
    """The paginator's object_list: a slice is a page, read through the window once."""

    def __init__(self, paginator: WindowPaginator[T]) -> None:
        self.paginator = paginator

    def __len__(self) -> int:
        return self.paginator.count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        rows = self.paginator.read(start, self.paginator.per_page)
        return rows[: stop - start]
