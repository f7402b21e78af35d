"""/api/v1 duplicates: the pairs the duplicate finder found, as the review page shows
them (``dedupe.review``: who may merge, pairs of customers they can see); a pair marked
"not a duplicate" never comes back."""

from typing import Any

from ninja import Query, Schema

from samphan.api.schemas import ERRORS, Id, page_of
from samphan.core.http import Request
from samphan.customers.api.common import PageParams, router
from samphan.customers.dedupe import review
from samphan.customers.dedupe.finder import duplicate_mark_not
from samphan.customers.models import DuplicateCandidate


class DuplicateOut(Schema):
    id: int
    customer_a_id: int
    customer_a_name: str
    customer_b_id: int
    customer_b_name: str
    score: float
    reasons: list[str]
    status: str

    @staticmethod
    def resolve_customer_a_name(obj: DuplicateCandidate) -> str:
        return obj.customer_a.display_name

    @staticmethod
    def resolve_customer_b_name(obj: DuplicateCandidate) -> str:
        return obj.customer_b.display_name


class DuplicatePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[DuplicateOut]


@router.get("/duplicates", response={200: DuplicatePage, **ERRORS}, tags=["duplicates"])
def duplicate_list(request: Request, params: Query[PageParams]) -> Any:
    """Open possible duplicates, highest score first; `reasons` are codes (`phone`,
    `email`, `name_same`, `name_sound`, `name_look`, `birthday`, `birthday_differs`,
    `company`, `address`, `line`, `phone_near`, `email_near`, `nickname`). For who may
    merge (admins, managers): the pairs whose two customers they can see."""
    review.reviewer_check(request.user)
    return page_of(review.review_queue(request.user), params.page, params.page_size)


@router.post(
    "/duplicates/{candidate_id}/not-duplicate",
    response={200: DuplicateOut, **ERRORS},
    tags=["duplicates"],
)
def duplicate_not(request: Request, candidate_id: Id) -> Any:
    """Mark the pair "not a duplicate": the finder never shows it again (audited)."""
    # Every API write runs in a transaction (api/main.py): the row stays locked to the end.
    candidate = review.candidate_for_reviewer(request.user, candidate_id, for_update=True)
    duplicate_mark_not(actor=request.user, candidate=candidate)
    return DuplicateCandidate.objects.select_related("customer_a", "customer_b").get(
        pk=candidate_id
    )
