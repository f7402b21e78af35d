"""The customer list page's rows and filter menus, ready to print: the template then only
writes values, where reading them from the records in the template (per row a link
reversed, two choice labels, an included avatar and a phone filter; per menu a loop over
its choices) was most of the page's CPU (docs/performance.md, "CPU per request: the
customer searches")."""

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypedDict

from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samphan.accounts.models import Team, User
from samphan.core.phones import format_phone
from samphan.customers.models import ContactPoint, Customer, Tag
from samphan.customers.models.customer import initials_of, latin_name_of, subtitle_of
from samphan.customers.queries import CustomerFilters, list_row_values

# A pk no customer has, reversed once and split: every row's link is then a join.
_MARKER = "987654321"


class ListRow(TypedDict):
    """One row. A dict, as Django's templates try a key before an attribute."""

    url: str
    name: str
    nickname: str
    kind: str
    initials: str
    photo_url: str  # the thumbnail's, else the photo's; "" without a photo
    is_vip: bool
    tier: str
    tier_label: str
    subtitle: str
    contact: str  # the preferred contact point, a phone number formatted
    stage: str
    stage_label: str


def list_rows(ids: list[int]) -> list[ListRow]:
    """The rows of the customers ``ids`` (a page of ``queries.customer_page``), in order."""
    before, after = reverse("customer_detail", args=[_MARKER]).split(_MARKER)
    tiers = dict(Customer.Tier.choices)
    stages = dict(Customer.Stage.choices)
    industries = dict(Customer.Industry.choices)
    photos = Customer._meta.get_field("photo").storage
    thumbnails = Customer._meta.get_field("photo_thumbnail").storage
    rows = []
    for row in list_row_values(ids):
        contact = row.preferred_value or ""
        if contact and row.preferred_kind in ContactPoint.PHONE_KINDS:
            contact = format_phone(contact)
        is_company = row.kind == Customer.Kind.COMPANY
        latin = latin_name_of(
            is_company=is_company,
            first_name_en=row.first_name_en,
            last_name_en=row.last_name_en,
            company_name_en=row.company_name_en,
        )
        parts: list[object] = (
            [industries.get(row.industry, row.industry)]
            if is_company
            else [row.job_title, row.company_name or ""]
        )
        photo_url = ""
        if row.photo:
            thumbnail = row.photo_thumbnail
            photo_url = thumbnails.url(thumbnail) if thumbnail else photos.url(row.photo)
        rows.append(
            ListRow(
                url=f"{before}{row.id}{after}",
                name=row.display_name,
                nickname=row.nickname,
                kind=row.kind,
                initials=initials_of(row.nickname or row.display_name),
                photo_url=photo_url,
                is_vip=bool(row.is_vip),
                tier=row.tier,
                tier_label=str(tiers.get(row.tier, row.tier)),
                subtitle=subtitle_of(parts, latin, row.display_name),
                contact=contact,
                stage=row.stage,
                stage_label=str(stages.get(row.stage, row.stage)),
            )
        )
    return rows


def sort_choices() -> list[tuple[str, str]]:
    return [
        ("name", _("Name A–Z")),
        ("-name", _("Name Z–A")),
        ("newest", _("Newest")),
        ("oldest", _("Oldest")),
        ("updated", _("Recently updated")),
    ]


def _options(choices: Iterable[tuple[Any, Any]], chosen: object) -> SafeString:
    """``<option>`` elements, ``chosen``'s selected (the first option, "any", is the
    template's)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == chosen else "", label) for value, label in choices),
    )


def _labelled(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(value, capfirst(str(label))) for value, label in choices]


FIXED_MENUS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "kind": lambda: _labelled(Customer.Kind.choices),
    "stage": lambda: _labelled(Customer.Stage.choices),
    "tier": lambda: _labelled(Customer.Tier.choices),
    "industry": lambda: _labelled(Customer.Industry.choices),
    "sort": sort_choices,
}


@functools.lru_cache(maxsize=512)
def _fixed_options(language: str | None, menu: str, chosen: str) -> SafeString:
    """The options of a menu of fixed choices: the same on every page in ``language`` with
    ``chosen`` chosen (no record's data in them; ``chosen`` is one of the choices or ""),
    so built once."""
    return _options(FIXED_MENUS[menu](), chosen)


# The tags, active users and teams the filter menus offer, in one statement (three
# queries through the ORM cost a millisecond of CPU a page): the menu (1, 2, 3), the id,
# the name (a user's first name), a user's last name and username; each menu in its
# order (tags and teams by name, users by username).
MENU_CHOICES = (
    "SELECT 1, id, name, '', '' FROM {tags} "
    "UNION ALL SELECT 2, id, first_name, last_name, username FROM {users} WHERE is_active "
    "UNION ALL SELECT 3, id, name, '', '' FROM {teams} "
    "ORDER BY 1, 5, 3"
)
TAGS, OWNERS, TEAMS = 1, 2, 3


def filter_menus(filters: CustomerFilters) -> dict[str, SafeString]:
    """The options of each filter menu of the page (the search form), by filter name."""
    statement = MENU_CHOICES.format(
        tags=Tag._meta.db_table, users=User._meta.db_table, teams=Team._meta.db_table
    )
    read: dict[int, list[tuple[int, str]]] = {TAGS: [], OWNERS: [], TEAMS: []}
    with connection.cursor() as cursor:
        cursor.execute(statement)
        for menu, pk, name, last_name, username in cursor.fetchall():
            # A user as User.get_full_name, else the username.
            label = f"{name} {last_name}".strip() or username if menu == OWNERS else name
            read[menu].append((pk, label))

    language = translation.get_language()
    return {
        "kind": _fixed_options(language, "kind", filters.kind),
        "stage": _fixed_options(language, "stage", filters.stage),
        "tier": _fixed_options(language, "tier", filters.tier),
        "industry": _fixed_options(language, "industry", filters.industry),
        "tag": _options(read[TAGS], filters.tag),
        "owner": _options(read[OWNERS], filters.owner),
        "team": _options(read[TEAMS], filters.team),
        "sort": _fixed_options(language, "sort", filters.sort),
    }
