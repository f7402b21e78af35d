"""The merge page (issue 21): two customers side by side, a surviving value per field, what
will move, confirm; and the undo button the survivor's page shows for 30 days."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.dates import format_date
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.merge import (
    CHOSEN_FIELDS,
    UNDO_DAYS,
    customer_merge_undo,
    customers_merge,
    merge_relations,
    stage_source,
)
from samphan.customers.models import ContactPoint, Customer, MergeRecord

PERM = "customers.archive_customer"
COMPARED_KINDS = (*ContactPoint.PHONE_KINDS, ContactPoint.Kind.EMAIL, ContactPoint.Kind.LINE)


def _shown(customer: Customer, name: str) -> str:
    field = Customer._meta.get_field(name)
    if getattr(field, "choices", None):
        return str(getattr(customer, f"get_{name}_display")())
    value = getattr(customer, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return format_date(value)
    if hasattr(value, "name") and not isinstance(value, str | Customer):
        return value.name or ""
    return "" if value in (None, "", {}) else str(value)


@login_required
def customer_merge(request: Request, pk: int) -> HttpResponse:
    survivor = customer_for_user(request.user, pk, perm=PERM)
    try:
        other_id = int(request.GET.get("with") or request.POST.get("with") or "")
    except ValueError:
        raise Http404 from None
    other = customer_for_user(request.user, other_id)
    rows = []
    for name in CHOSEN_FIELDS:
        mine, theirs = _shown(survivor, name), _shown(other, name)
        if not mine and not theirs:
            continue
        # As the merge decides when not told: the survivor's value, else the other's.
        default = survivor if mine else other
        if name == "stage":
            default = stage_source(survivor, [other])
        label = str(Customer._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        rows.append({"name": name, "label": label, "mine": mine, "theirs": theirs,
                     "default": default.pk, "same": mine == theirs,
                     "pictures": name == "photo"})  # fmt: skip
    if request.method == "POST":
        choices: dict[str, int] = {}
        for row in rows:
            name = str(row["name"])
            picked = request.POST.get(f"field_{name}", "")
            if not row["same"]:
                choices[name] = int(picked) if picked.isdigit() else int(str(row["default"]))
        try:
            customers_merge(
                actor=request.user, survivor=survivor, duplicates=[other], choices=choices
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Merged."))
            return redirect("customer_detail", pk=survivor.pk)
    counts = []
    for how, field in merge_relations():
        if how == "fk":
            found = field.model._default_manager.filter(**{field.attname: other.pk}).count()
            if found:
                counts.append((str(field.model._meta.verbose_name_plural), found))
    # Both customers' phones, e-mails and LINE IDs beside each other: all are kept.
    contacts: dict[int, list[ContactPoint]] = {survivor.pk: [], other.pk: []}
    for point in ContactPoint.objects.filter(
        customer_id__in=[survivor.pk, other.pk], kind__in=COMPARED_KINDS
    ):
        contacts[point.customer_id].append(point)
    context: dict[str, Any] = {
        "survivor": survivor,
        "other": other,
        "rows": rows,
        "counts": counts,
        "survivor_contacts": contacts[survivor.pk],
        "other_contacts": contacts[other.pk],
    }
    return render(request, "customers/merge.html", context)


def merges_to_undo(customer: Customer, since: dt.datetime | None = None) -> list[MergeRecord]:
    """The merges into this customer still open to undo (newest first): made ``since``
    (``undo_since()`` when not given)."""
    since = since or undo_since()
    return list(
        MergeRecord.objects.filter(survivor=customer, undone_at=None, created_at__gte=since)
    )


def undo_since() -> dt.datetime:
    """The oldest moment a merge made then may still be undone."""
    return timezone.now() - dt.timedelta(days=UNDO_DAYS)


@login_required
@require_POST
def merge_undo(request: Request, merge_pk: int) -> HttpResponse:
    require_perm(request.user, PERM)
    visible = Customer.objects.visible_to(request.user)
    record = MergeRecord.objects.filter(pk=merge_pk, survivor__in=visible).first()
    if record is None:
        raise Http404
    try:
        customer_merge_undo(actor=request.user, record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("customer_detail", pk=record.survivor_id)
