"""Types shared by every router: bounded, NUL-free strings, database-sized ids, errors, pages.

A field's type is an ``Annotated`` alias, which mypy reads as the plain type:
``name: Annotated[str, MaxChars(200)]``, ``status: Annotated[str, OneOf(Order.Status.values)]``,
``q: Search``."""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from annotated_types import GroupedMetadata
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler, StringConstraints
from pydantic_core import CoreSchema

from samphan.core import dates
from samphan.core.pagination import COUNT_CAP, CappedPaginator

MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; reject it as bad input rather than fail later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


@dataclass(frozen=True, slots=True)
class MaxChars(GroupedMetadata):
    """``Annotated[str, MaxChars(200)]``: at most 200 characters, none of them NUL."""

    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield from StringConstraints(max_length=self.max_length)
        yield AfterValidator(_no_nul)


@dataclass(frozen=True, slots=True, init=False)
class OneOf:
    """``Annotated[str, OneOf(Order.Status.values)]``: one of a model's choices (``blank``:
    or ""), listed as an enum in the OpenAPI schema, validated as a ``Literal`` is."""

    values: tuple[str, ...]

    def __init__(self, values: Iterable[str], *, blank: bool = False) -> None:
        object.__setattr__(self, "values", (*values, "") if blank else tuple(values))

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return handler.generate_schema(Literal[self.values])


Search = Annotated[str, MaxChars(100)]  # a list's `q`
Email = Annotated[str, MaxChars(254)]  # the longest address RFC 5321 lets through


def _not_a_boolean(value: Any) -> Any:
    # Pydantic reads JSON true as 1, a valid id: a client sending true meant something else.
    if isinstance(value, bool):
        raise ValueError("an id is a whole number, not true or false")
    return value


# In a path, the id arrives as text and is read as a number; in a body it must be one.
Id = Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=1, le=MAX_ID)]


def _iso_date_only(value: Any) -> Any:
    # Pydantic would read 0 or "1700000000" as a Unix time; a date filter takes YYYY-MM-DD.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, dt.date):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _christian_era(value: dt.date) -> dt.date:
    # The API speaks A.D. only: a Buddhist-era year (2569) read as A.D. would be silently
    # 543 years off, so it is refused with the year the client probably meant.
    if value.year >= dates.BUDDHIST_ERA_FROM:
        raise ValueError(
            f"the year {value.year} looks like a Buddhist-era year: "
            f"send the year A.D. ({value.year - dates.BUDDHIST_ERA_OFFSET})"
        )
    # A business date: year 0001 or 1850 is a typo, and at the ends of the calendar a
    # conversion to local time overflows (issue 20); the pages' date fields agree.
    if not dates.EARLIEST_YEAR <= value.year <= dates.LATEST_YEAR:
        raise ValueError(
            f"must be a year between {dates.EARLIEST_YEAR} and {dates.LATEST_YEAR} A.D."
        )
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only), AfterValidator(_christian_era)]


def _iso_moment_only(value: Any) -> Any:
    # Pydantic would read 0, "0" or "1700000000" as a Unix time; a moment is ISO 8601 text.
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("must be a date and time written as ISO 8601 text")


IsoDateTime = Annotated[
    dt.datetime, BeforeValidator(_iso_moment_only), AfterValidator(_christian_era)
]


class ErrorOut(Schema):
    """``detail`` is a message, or a list of ``{loc, msg, type}`` naming each bad field."""

    detail: str | list[dict[str, Any]]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def page_of(queryset: Any, page: int, page_size: int, cap: int = COUNT_CAP) -> dict[str, Any]:
    paginator = CappedPaginator(queryset, page_size, cap=cap)
    start = (page - 1) * page_size
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }
