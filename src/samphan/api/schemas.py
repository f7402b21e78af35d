"""Types shared by every router: bounded, NUL-free strings, database-sized ids, errors, pages."""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from samphan.core import dates
from samphan.core.pagination import COUNT_CAP, CappedPaginator

MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; reject it as bad input rather than fail later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_nul)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only), AfterValidator(_christian_era)]
IsoDateTime = Annotated[dt.datetime, AfterValidator(_christian_era)]


def Choice(values: list[str], *, blank: bool = False) -> Any:  # noqa: N802 - used like a type
    """One of a model's choices, listed as an enum in the OpenAPI schema."""
    return Literal[tuple([*values, ""] if blank else values)]


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
