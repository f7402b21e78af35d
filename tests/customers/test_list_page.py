"""The customer list page read cheaply (issue 22, CPU per request): its rows read as values
print exactly as the customers' own properties printed them, its search pages and counts
are those of sorting every match, and its menus and badge say what the ORM said."""

import re

import pytest
from django.db.models import Prefetch
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import timezone

from samphan.accounts.models import Role, Team, User
from samphan.customers.dedupe.review import _visible_pairs, review_count
from samphan.customers.models import ContactPoint, Customer, DuplicateCandidate
from tests.factories import CompanyFactory, ContactPointFactory, CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db

# The rows as the list printed them before (the customers from the ORM, an included avatar,
# the phone filter): the page must print the same.
ROWS_FROM_MODELS = """{% load i18n %}{% for customer in customers %}
    <li class="customer-row">
      <a href="{% url 'customer_detail' customer.pk %}" class="row-link">
        {% include "customers/_avatar.html" with customer=customer size="small" %}
        <span class="row-main">
          <span class="row-name">{{ customer.display_name }}{% if customer.nickname %} <span class="muted">({{ customer.nickname }})</span>{% endif %}
            {% if customer.is_vip %}<span class="badge badge-vip">VIP</span>{% endif %}{% if customer.tier != "none" %}<span class="badge badge-{{ customer.tier }}">{{ customer.get_tier_display }}</span>{% endif %}</span>
          <span class="row-sub muted">{{ customer.list_subtitle }}</span>
        </span>
        <span class="row-contact">{% for point in customer.preferred %}{% if point.is_phone %}{{ point.value|phone }}{% else %}{{ point.value }}{% endif %}{% endfor %}</span>
        <span class="row-stage"><span class="stage stage-{{ customer.stage }}">{{ customer.get_stage_display }}</span></span>
      </a>
    </li>
    {% endfor %}"""


def rows_of(html: str) -> str:
    return html.split('<ul class="customer-rows">', 1)[1].split("  </ul>", 1)[0]


@pytest.fixture
def variety() -> list[Customer]:
    """A customer of each kind of row: company, employee, photo (with and without a
    thumbnail), VIP and tier, each kind of preferred contact, none, markup in a name."""
    company = CompanyFactory(
        company_name="บริษัท สยาม จำกัด",
        company_name_en="Siam Co",
        display_name="บริษัท สยาม จำกัด",
        industry=Customer.Industry.choices[1][0],
    )
    people = [
        company,
        CustomerFactory(company=company, job_title="ผู้จัดการ", is_vip=True, tier="gold"),
        CustomerFactory(nickname="แอน", photo="photos/2026/01/a.jpg"),
        CustomerFactory(
            nickname="", photo="photos/2026/01/b.jpg", photo_thumbnail="photos/2026/01/b_t.jpg"
        ),
        CustomerFactory(first_name_en="", last_name_en="", stage=Customer.Stage.LEAD),
        CustomerFactory(first_name='<b>"แอบ"</b>&', display_name='<b>"แอบ"</b>& ใจดี'),
    ]
    for customer, kind, value in [
        (people[1], "mobile", "+66812345678"),
        (people[2], "phone", "+6621234567"),
        (people[3], "email", "b@example.com"),
        (people[4], "mobile", "+442079460958"),
        (people[5], "line", "<line>"),
    ]:
        ContactPointFactory(customer=customer, kind=kind, value=value, is_preferred=True)
        ContactPointFactory(customer=customer, kind="email", value=f"x{customer.pk}@example.com")
    return people


def test_rows_print_as_the_customers_printed_them(admin_client: Client, variety) -> None:
    page = admin_client.get("/customers/?sort=oldest")
    preferred = ContactPoint.objects.filter(is_preferred=True)
    customers = Customer.objects.order_by("created_at", "id").prefetch_related(
        Prefetch("contact_points", queryset=preferred, to_attr="preferred")
    )
    request = RequestFactory().get("/customers/")
    expected = (
        engines["django"].from_string(ROWS_FROM_MODELS).render({"customers": customers}, request)
    )
    printed = rows_of(page.content.decode())
    assert printed.strip() == expected.strip()
    for needle in ("081 234 5678", "02 123 4567", "+44 20 7946 0958", "b_t.jpg", "a.jpg"):
        assert needle in printed
    assert "&lt;b&gt;&quot;แอบ&quot;&lt;/b&gt;&amp;" in printed and "<b>" not in printed


def names_on(client: Client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    return [name.strip() for name in re.findall(r"<span class=\"row-name\">([^<]*)", html)]


@pytest.mark.parametrize("sort", ["name", "-name", "newest", "oldest", "updated"])
def test_search_pages_are_the_sorted_matches(admin_client: Client, settings, sort) -> None:
    from samphan.customers.queries import SORTS

    settings.SAMPHAN_PAGE_SIZE = 4
    for index in (5, 3, 9, 1, 7, 2, 8, 0, 6, 4):
        CustomerFactory(first_name=f"ค้นหา{index}", display_name=f"ค้นหา{index} ใจดี")
    CustomerFactory(first_name="อื่น", display_name="อื่น ใจดี")
    expected = [
        c.display_name
        for c in Customer.objects.filter(first_name__startswith="ค้นหา").order_by(*SORTS[sort])
    ]
    shown = [
        names_on(admin_client, f"/customers/?q=ค้นหา&sort={sort}&page={page}") for page in (1, 2, 3)
    ]
    assert shown == [expected[:4], expected[4:8], expected[8:]]
    page = admin_client.get(f"/customers/?q=ค้นหา&sort={sort}&page=2").context["page"]
    assert (page.paginator.count, page.paginator.num_pages, page.number) == (10, 3, 2)
    assert not page.paginator.capped


@pytest.mark.parametrize(
    ("asked", "shown"), [("0", 3), ("x", 1), ("", 1), ("4", 3), ("99999999999999999999", 3)]
)
def test_a_page_out_of_range_is_the_last_or_the_first(
    admin_client: Client, settings, asked, shown
) -> None:
    settings.SAMPHAN_PAGE_SIZE = 4
    for index in range(10):
        CustomerFactory(first_name=f"ค้นหา{index:02d}", display_name=f"ค้นหา{index:02d}")
    page = admin_client.get(f"/customers/?q=ค้นหา&page={asked}").context["page"]
    assert page.number == shown
    assert len(page.object_list) == (2 if shown == 3 else 4)


def test_a_capped_search_offers_no_page_past_the_cap(
    admin_client: Client, settings, monkeypatch
) -> None:
    from samphan.customers import queries

    monkeypatch.setattr(queries, "SEARCH_CANDIDATES", 6)
    settings.SAMPHAN_PAGE_SIZE = 4
    for index in range(9):
        CustomerFactory(first_name=f"ค้นหา{index}", display_name=f"ค้นหา{index}")
    last = admin_client.get("/customers/?q=ค้นหา&page=3").context["page"]
    assert (last.number, last.paginator.count, last.paginator.capped) == (2, 6, True)
    assert len(last.object_list) == 2  # the 5th and 6th of the first 7 matches
    assert not admin_client.get("/customers/?q=ไม่มีใคร").context["page"].object_list


def test_the_menus_list_tags_active_users_and_teams_in_order(
    admin_client: Client, admin_user: User, make_user
) -> None:
    TagFactory(name="ข-ลูกค้าประจำ")
    picked = TagFactory(name="ก-ใหม่")
    make_user(Role.SALES, username="zed", first_name="สมศรี", last_name="ขายดี")
    make_user(Role.SALES, username="amy", first_name="", last_name="")
    make_user(Role.SALES, username="gone", is_active=False)
    Team.objects.create(name="ทีมข")
    html = admin_client.get(f"/customers/?tag={picked.pk}").content.decode()
    tags = re.search(r'<select name="tag".*?</select>', html, re.S)
    owners = re.search(r'<select name="owner".*?</select>', html, re.S)
    assert tags and owners
    assert re.findall(r"<option[^>]*>([^<]*)", tags[0])[1:] == ["ก-ใหม่", "ข-ลูกค้าประจำ"]
    assert f'<option value="{picked.pk}" selected>ก-ใหม่</option>' in tags[0]
    listed = re.findall(r"<option[^>]*>([^<]*)", owners[0])[1:]
    users = User.objects.filter(is_active=True).order_by("username")
    assert listed == [u.get_full_name() or u.username for u in users]
    assert "สมศรี ขายดี" in listed and "amy" in listed and "gone" not in listed


def test_the_badge_counts_as_the_review_queue_does(admin_user: User, make_user) -> None:
    people = [CustomerFactory() for _ in range(8)]

    def pair(a: Customer, b: Customer, status: str = "open") -> None:
        DuplicateCandidate.objects.create(
            customer_a=a, customer_b=b, score=0.9, reasons=[], found_at=timezone.now(),
            status=status,
        )  # fmt: skip

    pair(people[0], people[1])
    pair(people[2], people[3])
    pair(people[4], people[5], "not_duplicate")
    pair(people[6], people[7])
    Customer.objects.filter(pk=people[7].pk).update(archived_at=timezone.now())
    assert review_count(admin_user) == _visible_pairs(admin_user).count() == 2
    scoped = make_user(Role.SALES, username="scoped")
    assert review_count(scoped) == _visible_pairs(scoped).count()
