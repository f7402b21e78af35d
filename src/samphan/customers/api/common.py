"""The customers router and what its modules share: what a customer's detail fetches, the
page of a list, the duplicate-contact 409 and the contact point schemas."""

from collections.abc import Callable
from typing import Annotated, Any

from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import MaxChars, OneOf
from samphan.core.http import Request
from samphan.customers import services
from samphan.customers.models import ContactPoint, Customer, CustomerQuerySet


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
    kind: Annotated[str, OneOf(ContactPoint.Kind.values)]
    value: Annotated[str, MaxChars(300)]
    label: Annotated[str, MaxChars(50)] = ""
    is_preferred: bool = False


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def with_details(kind: str = "") -> CustomerQuerySet:
    """Customers with what a ``CustomerOut`` shows (tags, interests, contact points), for
    ``customer_for_user``'s ``queryset``; only of ``kind`` when given."""
    customers = Customer.objects.prefetch_related("tags", "interests", "contact_points")
    return customers.filter(kind=kind) if kind else customers


def duplicate_conflict(request: Request, error: services.DuplicateContactError) -> Status[Any]:
    """The 409 for a ``DuplicateContactError``: only ids the caller may see; others are counted
    in the service, never revealed."""
    visible = list(error.customers.visible_to(request.user).values_list("pk", flat=True)[:5])
    detail = {
        "loc": ["body", error.field],
        "type": "duplicate",
        "msg": f"A phone or e-mail already belongs to another customer {visible or ''}; "
        "send allow_duplicate=true to create anyway.",
    }
    return Status(409, {"detail": [detail]})
