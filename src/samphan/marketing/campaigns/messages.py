"""The message each recipient reads: a variant's template with their own values (name,
tier, points, a product for them), in Thai or in English."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from samphan.customers.greetings import greeting_for
from samphan.customers.models import Customer
from samphan.loyalty import services as loyalty
from samphan.marketing.models import Campaign, Variant
from samphan.sales.queries import customer_suggestions

VARIABLE = re.compile(r"{{\s*([a-z_]+)\s*}}")
# What a template may say of its recipient.
VARIABLES = (
    "greeting", "nickname", "first_name", "name", "tier", "points", "member_number", "product",
)  # fmt: skip
# Variables other apps fill per recipient (support: ``{{ nps_link }}``, a survey link made
# for each), registered in their ready(): ``fill(campaign_id, customer_id)``, the
# customer None for a preview or a test, which must make nothing.
Fill = Callable[[int, int | None], str]
FILLED_ELSEWHERE: dict[str, Fill] = {}


def variable_register(name: str, fill: Fill) -> None:
    FILLED_ELSEWHERE[name] = fill


def known_variables() -> list[str]:
    return [*VARIABLES, *FILLED_ELSEWHERE]


def filled_elsewhere(variant: Variant, campaign_id: int, customer_id: int | None) -> dict[str, str]:
    """The registered variables this variant uses, for this recipient."""
    return {
        name: fill(campaign_id, customer_id)
        for name, fill in FILLED_ELSEWHERE.items()
        if says(variant, name)
    }


URL = re.compile(r"https?://[^\s<>\"')]+")
# A link written in a template: its scheme and host as written, then a path that may hold
# variables ("https://shop.example/card/{{ member_number }}"). A variable is never a link's
# start or host, so a customer's value cannot make one.
LINK = re.compile(r"https?://[^\s<>\"'(){}/?#]+(?:[/?#](?:\{\{\s*[a-z_]+\s*\}\}|[^\s<>\"'){}])*)?")


def _fill(template: str, values: dict[str, str], *, in_link: bool = False) -> str:
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1), "")
        # Inside a link a value is one URL part: "/", "?", "#", ":" and spaces are quoted.
        return quote(found, safe="") if in_link else found

    return VARIABLE.sub(value, template)


def render(template: str, values: dict[str, str], link: Callable[[str], str] | None = None) -> str:
    """The template with its variables filled. The links are those written in the template
    (``LINK``), found before any value is filled in; each is filled (its values quoted)
    and, with ``link``, replaced by what ``link`` makes of it (a tracked link). A value
    that reads like a URL stays text: it is never one of the links."""
    parts: list[str] = []
    last = 0
    for match in LINK.finditer(template):
        parts.append(_fill(template[last : match.start()], values))
        filled = _fill(match.group(0), values, in_link=True)
        parts.append(link(filled) if link else filled)
        last = match.end()
    parts.append(_fill(template[last:], values))
    return "".join(parts)


def says(variant: Variant, name: str) -> bool:
    """Whether the variant uses the variable (the product and the points cost queries:
    only when it does)."""
    templates = (variant.subject_th, variant.text_th, variant.subject_en, variant.text_en)
    return name in VARIABLE.findall("".join(templates))


def values_for(
    customer: Customer, *, with_product: bool, points: int | None = None
) -> dict[str, str]:
    """What the variables say for this customer; ``points`` as given (a campaign reads a
    chunk's balances at once), else "" (the template does not use it)."""
    product = ""
    if with_product:
        found = customer_suggestions(customer.pk, limit=1)
        product = found[0].product.name if found else ""
    return {
        # A company has neither: its name, so that "คุณ{{ nickname }}" still greets someone.
        "nickname": customer.nickname
        or customer.first_name
        or customer.first_name_en
        or customer.display_name,
        "first_name": customer.first_name or customer.first_name_en or customer.display_name,
        "name": customer.display_name,
        "tier": str(customer.get_tier_display()),
        "points": "" if points is None else f"{points:,}",
        "member_number": customer.member_number or "",
        "product": product,
    }


def in_english(customer: Customer, variant: Variant) -> bool:
    """English when the variant has it and the customer has only a Latin name."""
    thai_name = customer.first_name or customer.last_name or customer.company_name
    latin_name = customer.first_name_en or customer.last_name_en or customer.company_name_en
    return bool(variant.text_en) and not thai_name and bool(latin_name)


def message_for(
    customer: Customer,
    variant: Variant,
    values: dict[str, str],
    link: Callable[[str], str] | None = None,
) -> tuple[str, str]:
    """The subject and text this customer reads; ``link`` (see ``render``) is given each
    link of the text's template."""
    english = in_english(customer, variant)
    subject = variant.subject_en if english else variant.subject_th
    text = variant.text_en if english else variant.text_th
    if "greeting" in subject or "greeting" in text:
        # In the message's language: "คุณแอน" in Thai, "Ms Smith" in English.
        values = {**values, "greeting": greeting_for(customer, "en" if english else "th")}
    return render(subject, values), render(text, values, link)


def preview_for(campaign: Campaign, customer: Customer) -> list[dict[str, Any]]:
    """Each variant as this customer would read it."""
    values = values_for(customer, with_product=True, points=loyalty.balance_of(customer.pk))
    shown = []
    for variant in campaign.variants.all():
        filled = values | filled_elsewhere(variant, campaign.pk, None)  # a preview makes nothing
        subject, text = message_for(customer, variant, filled)
        shown.append({"variant": variant, "subject": subject, "text": text,
                      "english": in_english(customer, variant)})  # fmt: skip
    return shown
