"""The page "who saw this customer" (PDPA, issue 20): for those who may read the audit
log (administrators and managers), of the customers they may see."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from samphan.accounts.models import User
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.privacy.access_log import AccessKind
from samphan.privacy.access_queries import AccessCursor, accesses_of

# Who saw whom is part of the audit: the same permission as the audit log.
SEE_ACCESSES = "core.view_auditevent"


def _number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@login_required
def customer_access(request: Request, pk: int) -> HttpResponse:
    customer = customer_for_user(request.user, pk, perm=SEE_ACCESSES)
    user_id = _number(request.GET.get("user", ""))
    kind = _number(request.GET.get("kind", ""))
    if kind not in AccessKind.values:
        kind = None
    before = AccessCursor.parse(request.GET.get("before", ""))
    accesses, older = accesses_of(customer.pk, user_id=user_id, kind=kind, before=before)
    query = "&".join(
        f"{name}={value}" for name, value in (("user", user_id), ("kind", kind)) if value
    )
    context = {
        "customer": customer,
        "accesses": accesses,
        "older": older,
        "before": before,
        "query": query,
        "chosen_user": user_id,
        "chosen_kind": kind,
        "kinds": AccessKind.choices,
        "staff": User.objects.order_by("first_name", "last_name", "username"),
    }
    return render(request, "privacy/access_customer.html", context)
