"""Reads of data-subject requests and breaches for the pages and the API: the list in the
order staff work it, and fetch-and-authorise (``Http404`` for no such record,
``PermissionDenied`` without the permission)."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from samphan.core.http import User
from samphan.core.permissions import require_perm
from samphan.privacy.models import Breach, SubjectRequest

VIEW_REQUESTS = "privacy.view_subjectrequest"


@dataclass(frozen=True)
class RequestFilters:
    kind: str = ""
    status: str = "unfinished"  # unfinished (open or in progress), all, or one status
    q: str = ""


def requests_listed(filters: RequestFilters) -> QuerySet[SubjectRequest]:
    """Unfinished first, each group by due date (the nearest first)."""
    found = SubjectRequest.objects.select_related("customer", "handled_by")
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.status == "unfinished":
        found = found.unfinished()
    elif filters.status != "all":
        found = found.filter(status=filters.status)
    if filters.q:
        found = found.filter(
            Q(requester_name__icontains=filters.q)
            | Q(requester_contact__icontains=filters.q)
            | Q(customer__display_name__icontains=filters.q)
        )
    finished = Case(
        When(status__in=SubjectRequest.OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return found.order_by(finished, "due_on", "id")


def subject_request_for_user(user: User, pk: int, *, perm: str = VIEW_REQUESTS) -> SubjectRequest:
    require_perm(user, perm)
    found = SubjectRequest.objects.select_related("customer", "handled_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def breach_for_user(user: User, pk: int, *, perm: str = "privacy.view_breach") -> Breach:
    require_perm(user, perm)
    found = Breach.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
