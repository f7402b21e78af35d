import re
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.utils import translation

from samphan.accounts.models import User
from samphan.core.tax_id import clean_thai_tax_id
from samphan.customers.models import ContactPoint, Customer, Interaction
from samphan.customers.queries import CustomerFilters, customer_list
from samphan.customers.services import consents_rebuild
from samphan.sales.models import Deal, Lead, Order, OrderLine, Quote


def wipe():
    """Remove demo data; sales rows first, as they protect their customers."""
    for model in (Quote, Lead, Deal, Order, Customer):
        model.objects.all().delete()


def assert_orders_add_up():
    """Every order's totals are the sum of its lines (rows built in workers are numbered
    within their batch and shifted by the writer: a wrong shift would show here)."""
    sums: dict[int, list] = {}
    for order_id, revenue, vat in OrderLine.objects.values_list("order_id", "revenue", "vat"):
        totals = sums.setdefault(order_id, [0, 0])
        totals[0] += revenue
        totals[1] += vat
    for order_id, revenue, vat in Order.objects.values_list("id", "revenue", "vat"):
        assert sums[order_id] == [revenue, vat], order_id


def test_setup_creates_admin_and_demo_once(db, monkeypatch):
    monkeypatch.setenv("SAMPHAN_ADMIN_PASSWORD", "s3cret-admin-pass")
    out = StringIO()
    call_command("setup", "--demo-customers", "60", stdout=out, stderr=StringIO())
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("s3cret-admin-pass")
    assert Customer.objects.count() == 60
    # Each demo staff account has its own password, printed once beside its username.
    printed = dict(re.findall(r"^  (\w+) +.*? (\S+)$", out.getvalue(), re.MULTILINE))
    assert set(printed) == {
        "manager",
        "sales1",
        "sales2",
        "marketing",
        "frontdesk",
        "support",
        "viewer",
    }
    assert len(set(printed.values())) == len(printed)
    for username, password in printed.items():
        staff = User.objects.get(username=username)
        assert staff.check_password(password) and not staff.check_password("s3cret-admin-pass")
    assert "  frontdesk  Front desk " in out.getvalue()
    call_command("setup", "--demo-customers", "60", stdout=StringIO(), stderr=StringIO())
    assert Customer.objects.count() == 60  # a second run keeps the data


def test_setup_gives_demo_staff_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("SAMPHAN_ADMIN_PASSWORD", "s3cret-admin-pass")
    monkeypatch.setenv("SAMPHAN_DEMO_PASSWORD", "demo-staff-pass")
    call_command("setup", "--demo-customers", "20", stdout=StringIO(), stderr=StringIO())
    assert User.objects.get(username="viewer").check_password("demo-staff-pass")
    assert User.objects.get(username="admin").groups.filter(name="admin").exists()


def test_setup_generates_and_prints_a_password(db, monkeypatch):
    monkeypatch.delenv("SAMPHAN_ADMIN_PASSWORD", raising=False)
    out = StringIO()
    call_command("setup", "--no-demo", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    assert User.objects.get(username="admin").check_password(password)


def test_demo_is_realistic_valid_and_deterministic(db):
    call_command("demo", "--customers", "150", "--seed", "3", "--quiet", stdout=StringIO())
    first = list(Customer.objects.order_by("id").values_list("display_name", flat=True))
    assert Customer.objects.companies().exists() and Customer.objects.people().exists()
    for value in ContactPoint.objects.filter(kind__in=["mobile", "phone"]).values_list(
        "value", flat=True
    ):
        assert phonenumbers.is_valid_number(phonenumbers.parse(value)), value
    for tax_id in Customer.objects.companies().values_list("tax_id", flat=True):
        assert clean_thai_tax_id(tax_id) == tax_id
    assert Interaction.objects.exists()
    # The consents the demo writes in bulk match what the records say.
    bits = list(Customer.objects.order_by("id").values_list("consent_bits", flat=True))
    assert any(bits)
    consents_rebuild()
    assert list(Customer.objects.order_by("id").values_list("consent_bits", flat=True)) == bits
    admin = User.objects.create_superuser("admin", "", "x")
    somebody = Customer.objects.people().first()
    assert somebody.pk in [
        c.pk for c in customer_list(admin, CustomerFilters(q=somebody.first_name))
    ]
    wipe()
    call_command("demo", "--customers", "150", "--seed", "3", "--quiet", stdout=StringIO())
    assert list(Customer.objects.order_by("id").values_list("display_name", flat=True)) == first


def test_demo_refuses_negative_counts(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("demo", "--customers", "-1")


def test_parallel_demo_load_gives_the_same_data(db, monkeypatch):
    from samphan.demo import loader

    monkeypatch.setattr(loader, "BATCH", 100)

    def load(workers):
        loader.load_demo(customers=350, seed=9, workers=workers)
        rows = list(
            Customer.objects.order_by("id").values_list(
                "display_name", "company_id", "search_document"
            )
        )
        points = ContactPoint.objects.count()
        orders = list(
            Order.objects.filter(number__contains="-D")
            .order_by("id")
            .values_list("id", "number", "customer_id", "total", "status")
        )
        deals = list(Deal.objects.order_by("id").values_list("id", "title", "stage", "amount"))
        assert_orders_add_up()
        wipe()
        return rows, points, orders, deals

    sequential = load(0)
    assert sequential == load(1)  # built in a worker process, batch by batch
    assert len(sequential[0]) == 350


def test_demo_orders_do_not_depend_on_the_time_of_day(db, monkeypatch):
    """The same seed gives the same orders whether loaded in the morning or at night
    (no random draw may depend on the clock, or every later customer changes)."""
    import datetime as dt

    from samphan.demo import loader

    monkeypatch.setattr(loader, "QUOTES_UP_TO", 0)

    def load(hour):
        moment = dt.datetime(2026, 6, 10, hour, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
        monkeypatch.setattr(loader.timezone, "now", lambda: moment)
        loader.load_demo(customers=200, seed=4)
        # Ids follow the time each order was made (as a shop's database gets them), and
        # that time is clamped to the clock: compare the orders by their numbers.
        times = list(Order.objects.order_by("id").values_list("ordered_at", flat=True))
        assert times == sorted(times)
        orders = list(
            Order.objects.order_by("number").values_list("number", "customer_id", "total", "status")
        )
        wipe()
        return orders

    morning = load(8)
    assert morning and load(23) == morning


def test_demo_titles_follow_gender(db):
    """No woman is นาย or Mr, no man นาง or นางสาว; the greeting is "คุณ" and a name."""
    call_command("demo", "--customers", "300", "--seed", "7", "--quiet", stdout=StringIO())
    people = Customer.objects.people()
    male_titles = {"นาย", "Mr"}
    female_titles = {"นาง", "นางสาว", "น.ส.", "Mrs", "Ms", "Miss"}
    assert not people.filter(gender="female", title__in=male_titles).exists()
    assert not people.filter(gender="male", title__in=female_titles).exists()
    titles = set(people.values_list("gender", "title"))
    assert {("female", "นาง"), ("female", "นางสาว"), ("male", "นาย")} <= titles
    with translation.override("th"):  # another test's language may linger in this worker
        for customer in people[:50]:
            assert customer.greeting.startswith("คุณ"), customer.greeting


def test_a_fresh_demo_has_possible_duplicates_to_review(db):
    """Issue 21: the demo's review queue is not empty: six second records of earlier
    customers (Latin name + same mobile, a title + same birthday, same name + same LINE),
    each found by the finder with its reasons."""
    from samphan.customers.models import DuplicateCandidate
    from samphan.demo.loader import load_demo

    assert load_demo(customers=300, seed=42, workers=0).duplicates == 6
    reasons = sorted(tuple(pair.reasons) for pair in DuplicateCandidate.objects.all())
    assert (
        reasons == [("name_same", "line")] * 2 + [("name_sound", "birthday")] * 2 + [("phone",)] * 2
    )


def test_postgresql_knows_the_demo_tables_sizes_after_a_load(db):
    """Without statistics PostgreSQL plans the first pages for empty tables (a nested loop
    over "2" customers: the customer list took 3.9 s after `samphan setup`)."""
    from django.db import connection

    from samphan.demo.loader import load_demo

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics: PostgreSQL")
    load_demo(customers=120, seed=3, workers=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('customers_customer', 'customers_contactpoint', 'sales_order')"
        )
        counted = dict(cursor.fetchall())
    assert counted["customers_customer"] >= 120, counted
    assert counted["customers_contactpoint"] >= 120, counted
    assert counted["sales_order"] > 0, counted


def test_a_fresh_demo_shows_nps_by_month_as_plain_sql_counts_it(db, admin_client):
    """Issue 23: the demo's two NPS campaigns fill the support report's recommendation
    section; its score is recounted here in SQL from the answers themselves."""
    from django.db import connection

    from samphan.demo.loader import load_demo

    load_demo(customers=300, seed=42, workers=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END), COUNT(*) "
            "FROM support_survey WHERE kind = 'nps' AND score IS NOT NULL"
        )
        promoters, detractors, answers = cursor.fetchone()
        cursor.execute("SELECT COUNT(DISTINCT campaign_id) FROM support_survey WHERE kind = 'nps'")
        assert cursor.fetchone()[0] == 2
    assert answers >= 80  # about half of 2 x 108 asked
    score = round(100 * (promoters - detractors) / answers)
    page = admin_client.get("/insights/support/?period=last_12_months").content.decode()
    assert f'<strong class="kpi-value">{score}</strong>' in page
    assert page.count('<a href="/segments/campaigns/') == 2  # NPS by campaign
