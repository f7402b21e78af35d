"""The customers router and what its modules share: the visible-customer look-up, the
page of a list, the duplicate-contact 409 and the contact point schemas."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from samphan.api.schemas import Choice, Text
from samphan.core.permissions import require_perm
from samphan.customers import services
from samphan.customers.models import ContactPoint, Customer


class CustomersRouter(Router):
    """Names each operation as it was when the customers API was one module
    (`samphan_customers_api_<view>`; ninja would add the module's name), so clients
    generated from the schema keep their method names."""

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **options: Any
    ) -> None:
        options["operation_id"] = options.get("operation_id") or (
            f"samphan_customers_api_{view_func.__name__}"
        )
        super().add_api_operation(path, methods, view_func, **options)


router = CustomersRouter(tags=["customers"])


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    label: str
    is_preferred: bool


class ContactPointIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Choice(ContactPoint.Kind.values)  # type: ignore[valid-type]
    value: Text(300)  # type: ignore[valid-type]
    label: Text(50) = ""  # type: ignore[valid-type]
    is_preferred: bool = False


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _customers(request: HttpRequest) -> QuerySet[Customer]:
    return Customer.objects.visible_to(request.user).prefetch_related(
        "tags", "interests", "contact_points"
    )


def _customer(
    request: HttpRequest, pk: int, *, perm: str = "", kind: str = "", detail: bool = True
) -> Customer:
    """A customer the caller may see (404 otherwise), after checking ``perm`` (403).

    ``detail`` fetches tags, interests and contact points too, for a ``CustomerOut``.
    """
    require_perm(request.user, perm or "customers.view_customer")
    customers = _customers(request) if detail else Customer.objects.visible_to(request.user)
    if kind:
        customers = customers.filter(kind=kind)
    customer = customers.filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def _duplicate_conflict(
    request: HttpRequest,
    contacts: dict[str, dict[str, Any]],
    *,
    field: str,
    exclude_id: int | None = None,
) -> dict[str, Any]:
    """An error naming the visible customers who already have one of these phones or e-mails.

    ``contacts`` maps the name of each contact's value field (for a bad value's 422) to
    the contact; ``field`` is what the 409 names.
    """
    normalised = []
    for value_field, contact in contacts.items():
        try:
            value = services.contact_value_normalise(contact["kind"], contact["value"])
        except ValidationError as error:
            raise ValidationError({value_field: error.message_dict["value"]}) from error
        normalised.append((contact["kind"], value))
    duplicates = services.duplicates_of(normalised, exclude_id=exclude_id)
    if not duplicates.exists():
        return {}
    # Only ids the caller may see; others are counted, never revealed.
    visible = list(duplicates.visible_to(request.user).values_list("pk", flat=True)[:5])
    return {
        "loc": ["body", field],
        "type": "duplicate",
        "msg": f"A phone or e-mail already belongs to another customer {visible or ''}; "
        "send allow_duplicate=true to create anyway.",
    }
