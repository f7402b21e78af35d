"""The duplicate review queue (issue 21): the finder's pairs side by side, "compare and
merge" (the merge page) or "not a duplicate"; and the create form's similar-customer
warning. Who may review: who may merge (``dedupe.review``)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.forms import DateField
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.dedupe import review
from samphan.customers.dedupe.finder import NIGHT_HOUR, duplicate_mark_not
from samphan.customers.dedupe.possible import possible_duplicates
from samphan.customers.models import Customer
from samphan.customers.tasks import duplicates_refresh

SHOWN = 5  # possible duplicates the create form names
ENTRY_FIELDS = (
    "first_name", "last_name", "first_name_en", "last_name_en", "nickname",
    "address", "province", "company_name", "company_name_en",
)  # fmt: skip


@login_required
def duplicate_queue(request: Request) -> HttpResponse:
    review.reviewer_check(request.user)
    reason = request.GET.get("reason", "")
    reason = reason if reason in review.REASON_FILTERS else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort in review.SORTS else review.DEFAULT_SORT
    paginator = Paginator(
        review.review_queue(request.user, reason=reason, sort=sort), settings.SAMPHAN_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    empty = not page.object_list
    context = {
        "page": page,
        "rows": review.review_rows(list(page.object_list)),
        "reason": reason,
        "sort": sort,
        "reasons": review.reason_filter_choices(),
        "sorts": [
            ("score", _("Most alike first")),
            ("newest", _("Found most recently")),
            ("oldest", _("Found longest ago")),
        ],
        "last_found": review.last_found() if empty else None,
        "night_hour": NIGHT_HOUR,
    }
    template = "customers/duplicates.html#results" if request.htmx else "customers/duplicates.html"
    return render(request, template, context)


@login_required
@require_POST
def duplicate_not(request: Request, pk: int) -> HttpResponse:
    """Mark the pair "not a duplicate" (audited): htmx removes its row."""
    with transaction.atomic():
        candidate = review.candidate_for_reviewer(request.user, pk, for_update=True)
        duplicate_mark_not(actor=request.user, candidate=candidate)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Marked as not a duplicate: this pair will not come back."))
    return redirect("duplicate_queue")


@login_required
@require_POST
def duplicates_run(request: Request) -> HttpResponse:
    """Queue a full run of the finder now (the worker runs it)."""
    review.reviewer_check(request.user)
    transaction.on_commit(duplicates_refresh.enqueue, robust=True)
    messages.success(
        request, _("The duplicate finder will run in a few minutes; come back to this page.")
    )
    return redirect("duplicate_queue")


def _entry(request: Request, kind: str) -> dict[str, Any]:
    """What the form holds so far, as ``possible_duplicates`` reads it (an unreadable
    date: none)."""
    get = request.GET
    birthday = None
    if text := get.get("birthday", "").strip():
        try:
            birthday = DateField(required=False).clean(text)
        except ValidationError:
            birthday = None
    values: dict[str, Any] = {name: get.get(name, "") for name in ENTRY_FIELDS}
    return values | {
        "kind": kind,
        "birthday": birthday,
        "phones": [get.get("mobile", "")],
        "emails": [get.get("email", "")],
    }


@login_required
def customer_similar(request: Request) -> HttpResponse:
    """The create form asks, as its names change, who may already be this customer: a
    warning that never stops the save."""
    require_perm(request.user, "customers.add_customer")
    kind = request.GET.get("kind", Customer.Kind.PERSON)
    kind = kind if kind in Customer.Kind.values else Customer.Kind.PERSON
    found = possible_duplicates(_entry(request, kind), request.user)[:SHOWN]
    return render(request, "customers/_similar_warning.html", {"similar": found})
