"""A list of customers as rows a person reads (issue 21, "Export"): the customer list's
and a segment's downloads share these columns, written through ``core/exports.py``.

Every choice is its label and every date is in the reader's language and era, never a
raw code. The rows are read set-based: ``export_queryset`` adds the owner and team to
the customers' query and fetches the contact points, the consents in force and the tags
of each chunk of 2,000 customers in one query each, so a file costs the same few queries
whatever its length (``tests/query_pins.py``, ``EXPORTS``) and streams.
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samphan.core.dates import format_date
from samphan.customers.models import ConsentRecord, ContactPoint, Customer

CHUNK = 2_000
CONTACT_KINDS = (
    ContactPoint.Kind.MOBILE,
    ContactPoint.Kind.PHONE,
    ContactPoint.Kind.EMAIL,
    ContactPoint.Kind.LINE,
)
CONSENTS = [
    (channel, purpose)
    for channel in ConsentRecord.Channel.values
    for purpose in ConsentRecord.Purpose.values
]


def export_queryset(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """``customers`` with what the rows print, fetched once per chunk."""
    latest = ConsentRecord.objects.filter(
        customer_id=OuterRef("customer_id"),
        channel=OuterRef("channel"),
        purpose=OuterRef("purpose"),
    ).order_by("-at", "-id")
    in_force = ConsentRecord.objects.filter(pk=Subquery(latest.values("pk")[:1]))
    return (
        customers.select_related("owner", "team")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("contact_points", queryset=ContactPoint.objects.all(), to_attr="points"),
            Prefetch("consents", queryset=in_force, to_attr="in_force"),
            "tags",
        )
    )


def header() -> list[str]:
    """The columns' names in the reader's language."""
    consents = [
        _("Consent: %(channel)s, %(purpose)s")
        % {
            "channel": ConsentRecord.Channel(channel).label,
            "purpose": ConsentRecord.Purpose(purpose).label,
        }
        for channel, purpose in CONSENTS
    ]
    return [
        _("Customer ID"),
        _("Member number"),
        _("Name (Thai)"),
        _("Name (English)"),
        _("Nickname"),
        *(str(capfirst(ContactPoint.Kind(kind).label)) for kind in CONTACT_KINDS),
        _("Other contact points"),
        _("Kind"),
        _("Stage"),
        _("Tier"),
        "VIP",
        _("Gender"),
        _("Source"),
        _("Industry"),
        _("Province"),
        _("Owner"),
        _("Team"),
        _("Tags"),
        _("Birthday"),
        _("Created"),
        *consents,
    ]


def table(
    customers: QuerySet[Customer], *, language: str, buddhist_era: bool
) -> Iterator[list[Any]]:
    """The header, then one row per customer in ``customers``' order, in the reader's
    language and era (given, as a streamed file is read after the view returned)."""
    with translation.override(language):
        yield header()
        for customer in export_queryset(customers).iterator(chunk_size=CHUNK):
            yield _row(customer, buddhist_era)


def _row(customer: Customer, buddhist_era: bool) -> list[Any]:
    points: list[ContactPoint] = getattr(customer, "points", [])
    shown: list[ContactPoint] = []
    for kind in CONTACT_KINDS:
        of_kind = [point for point in points if point.kind == kind]
        # The customer's preferred point comes first (the model's order).
        shown.extend(of_kind[:1])
    first = {point.kind: point.value for point in shown}
    others = "; ".join(
        f"{capfirst(point.get_kind_display())}: {point.value}"
        for point in points
        if point not in shown
    )
    consents = {(r.channel, r.purpose): r for r in getattr(customer, "in_force", [])}
    owner = customer.owner
    return [
        customer.pk,
        customer.member_number or "",
        _name(customer.first_name, customer.last_name, customer.company_name)
        or customer.display_name,
        _name(customer.first_name_en, customer.last_name_en, customer.company_name_en),
        customer.nickname,
        *(first.get(kind, "") for kind in CONTACT_KINDS),
        others,
        capfirst(customer.get_kind_display()),
        capfirst(customer.get_stage_display()),
        capfirst(customer.get_tier_display()),
        _("yes") if customer.is_vip else _("no"),
        capfirst(customer.get_gender_display()) if customer.gender else "",
        capfirst(Customer.Source.label_of(customer.source)) if customer.source else "",
        customer.get_industry_display() if customer.industry else "",
        customer.province,
        (owner.get_full_name() or owner.username) if owner else "",
        customer.team.name if customer.team else "",
        ", ".join(sorted(tag.name for tag in customer.tags.all())),
        format_date(customer.birthday, buddhist_era=buddhist_era),
        format_date(customer.created_at, buddhist_era=buddhist_era),
        *(_consent(consents.get(pair), buddhist_era) for pair in CONSENTS),
    ]


def _name(first: str, last: str, company: str) -> str:
    return f"{first} {last}".strip() or company


def _consent(record: ConsentRecord | None, buddhist_era: bool) -> str:
    if record is None:
        return "—"
    return f"{record.get_status_display()} {format_date(record.at, buddhist_era=buddhist_era)}"
