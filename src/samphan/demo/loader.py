"""Deterministic demo data, generated in parallel and written in bulk.

The same ``seed`` always gives the same customers: each batch of rows is built from its
own random generator (seeded by the seed and the batch number), so batches can be built
in worker processes while the main process writes the previous ones. Rows are plain
tuples written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL); the search
document is computed by the same function the services use, so search works on demo
data exactly as on real data. No audit rows are written: demo data is not personal data.
"""

import datetime as dt
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation

from samphan.analytics.rollups import activity_fill, daily_rebuild, hourly_rebuild, marks_fill
from samphan.core import sql
from samphan.core.bulk import column_adapter, insert_rows
from samphan.core.pagecache import LOAD_KIB, sqlite_page_cache
from samphan.core.search import bulk_indexing
from samphan.core.tax_id import thai_tax_id_check_digit
from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    Interaction,
    Interest,
    Tag,
    consent_bit,
)
from samphan.customers.search import build_search_document
from samphan.demo import data, worker_setup
from samphan.demo.duplicates import demo_duplicates
from samphan.demo.loyalty import demo_referrals, demo_rewards
from samphan.demo.quotes import demo_quotes
from samphan.demo.sales import SalesBuilder
from samphan.demo.sales_rows import Offsets, SalesPlan, SalesRows, sales_plan, write_sales
from samphan.demo.shop import demo_shop
from samphan.demo.staff import DemoUser, demo_users
from samphan.demo.surveys import demo_nps
from samphan.demo.tickets import demo_tickets
from samphan.frontdesk.services import alert_rules_default_create
from samphan.loyalty.services import orders_fill, programme_current
from samphan.loyalty.services.expiry import loyalty_nightly
from samphan.loyalty.services.tiers import tiers_review
from samphan.sales.models import Deal, Order

BATCH = 2_000
QUOTES_UP_TO = 100_000  # quotations go through the services, one by one: small loads only
COMPANY_EVERY = 7  # one customer in seven is a company
Progress = Callable[[int, int], None]
Contacts = list[tuple[str, str]]
PERSON_SOURCES = [source for source in Customer.Source.values if source not in {"import", "other"}]
PROVINCES = [name for name, weight in data.PROVINCES for _ in range(weight)]

CONTACT_COLUMNS = [
    "customer_id",
    "kind",
    "value",
    "label",
    "is_preferred",
    "created_at",
    "updated_at",
]
CONSENT_COLUMNS = ["customer_id", "channel", "purpose", "status", "at", "source", "wording_version"]
INTERACTION_COLUMNS = [
    "customer_id", "kind", "occurred_at", "user_id", "channel", "summary", "body", "created_at",
]  # fmt: skip


@dataclass
class DemoResult:
    customers: int = 0
    contact_points: int = 0
    interactions: int = 0
    orders: int = 0
    order_lines: int = 0
    deals: int = 0
    leads: int = 0
    quotes: int = 0
    tickets: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    users: list[DemoUser] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """Everything a batch builder needs, as plain data a worker process can receive."""

    seed: int
    first_id: int
    total: int
    owners: tuple[tuple[int, int | None], ...]  # (user id, team id)
    tag_ids: tuple[int, ...]
    interest_ids: tuple[int, ...]
    now: dt.datetime
    sales: SalesPlan


@dataclass
class Batch:
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    contact_points: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)
    interactions: list[tuple[Any, ...]] = field(default_factory=list)
    tag_links: list[tuple[Any, ...]] = field(default_factory=list)
    interest_links: list[tuple[Any, ...]] = field(default_factory=list)
    sales: SalesRows = field(default_factory=SalesRows)


# How often each title is drawn: "คุณ" three times in seven, a formal one four times.
TITLE_SLOTS = ("คุณ", "คุณ", "คุณ", "formal", "formal", "married", "doctor")


def demo_title(slot: int, *, female: bool, age: int) -> str:
    """A title that fits the person: นาย for men; นางสาว or นาง for women, นาง more
    likely with age (a married woman's title); ดร. for some over 30."""
    kind = TITLE_SLOTS[slot]
    if kind == "คุณ":
        return "คุณ"
    if kind == "doctor" and age >= 30:
        return "ดร."
    if not female:
        return "นาย"
    married = (kind == "married" and age >= 25) or (slot == 4 and age >= 40)
    return "นาง" if married else "นางสาว"


def valid_tax_id(rng: random.Random) -> str:
    first = "0" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return first + str(thai_tax_id_check_digit(first))


class BatchBuilder:
    """Builds the rows of one batch. Touches no database, so it runs in worker processes."""

    def __init__(self, plan: Plan, number: int) -> None:
        self.plan = plan
        self.rng = random.Random(f"{plan.seed}-{number}")
        self.columns = [
            (field.attname, column_adapter(field)) for field in Customer._meta.concrete_fields
        ]
        self.now = plan.now
        self.now_value = connection.ops.adapt_datetimefield_value(plan.now)
        # A stream of its own, so the sales rows leave the customers as they were.
        self.sales = SalesBuilder(plan.sales, random.Random(f"{plan.seed}-{number}-s"), plan.now)

    def build(self, start: int, size: int) -> Batch:
        # Timeline entries are written in the site's language, whichever process builds them.
        with translation.override(settings.LANGUAGE_CODE):
            return self._build(start, size)

    def _build(self, start: int, size: int) -> Batch:
        batch = Batch(sales=self.sales.rows)
        for offset in range(start, start + size):
            customer_id = self.plan.first_id + offset
            is_company = (
                offset % COMPANY_EVERY == 0 and offset // COMPANY_EVERY < self.company_count
            )
            customer, contacts = (
                self.company(customer_id) if is_company else self.person(customer_id, offset)
            )
            self.add(batch, customer, contacts)
        batch.sales.orders_in_time_order()
        return batch

    @property
    def company_count(self) -> int:
        return max(1, self.plan.total // COMPANY_EVERY)

    def owner(self) -> tuple[int, int | None]:
        return self.rng.choice(self.plan.owners)

    def mobile(self, customer_id: int) -> str:
        prefix = self.rng.choice(data.MOBILE_PREFIXES)
        # A multiplier coprime with 10**7 spreads ids over all numbers without repeats.
        return f"+66{prefix}{(customer_id * 7_919_371 + 1_234_567) % 10**7:07d}"

    def employer(self, offset: int) -> int | None:
        """A company created before this person (companies sit at every 7th offset)."""
        earlier = min(self.company_count, (offset + COMPANY_EVERY - 1) // COMPANY_EVERY)
        if earlier == 0 or self.rng.random() >= 0.3:
            return None
        return self.plan.first_id + COMPANY_EVERY * self.rng.randrange(earlier)

    def person(self, customer_id: int, offset: int) -> tuple[Customer, Contacts]:
        rng = self.rng
        female = rng.random() < 0.55
        first, first_en = rng.choice(data.FEMALE_FIRST if female else data.MALE_FIRST)
        last, last_en = rng.choice(data.LAST_NAMES)
        owner_id, team_id = self.owner()
        stage = rng.choices(["lead", "prospect", "customer", "inactive"], [15, 15, 60, 10])[0]
        tier = "none"
        if stage == "customer":
            tier = rng.choices(["none", "silver", "gold", "platinum"], [70, 18, 9, 3])[0]
        company_id = self.employer(offset)
        # Drawn in the order they always were, so the same seed gives the same customers.
        title_slot = rng.randrange(len(TITLE_SLOTS))
        nickname = rng.choice(data.NICKNAMES)
        birthday = dt.date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
        customer = Customer(
            id=customer_id,
            kind=Customer.Kind.PERSON,
            title=demo_title(title_slot, female=female, age=self.now.year - birthday.year),
            first_name=first,
            last_name=last,
            first_name_en=first_en,
            last_name_en=last_en,
            nickname=nickname,
            gender="female" if female else "male",
            birthday=birthday,
            company_id=company_id,
            job_title=rng.choice(data.JOB_TITLES) if company_id else "",
            province=rng.choice(PROVINCES),
            member_number=f"M{customer_id:08d}" if rng.random() < 0.6 else None,
            stage=stage,
            tier=tier,
            is_vip=tier == "platinum" or rng.random() < 0.02,
            owner_id=owner_id,
            team_id=team_id,
            source=rng.choice(PERSON_SOURCES),
        )
        contacts: Contacts = [(ContactPoint.Kind.MOBILE, self.mobile(customer_id))]
        if rng.random() < 0.6:
            domain = rng.choice(data.EMAIL_DOMAINS)
            contacts.append(
                (ContactPoint.Kind.EMAIL, f"{first_en}.{last_en}{customer_id}@{domain}".lower())
            )
        if rng.random() < 0.4:
            contacts.append((ContactPoint.Kind.LINE, f"{first_en.lower()}{customer_id % 1000}"))
        return customer, contacts

    def company(self, customer_id: int) -> tuple[Customer, Contacts]:
        rng = self.rng
        word, word_en = rng.choice(data.COMPANY_WORDS)
        trade, trade_en, industry = rng.choice(data.COMPANY_TRADES)
        owner_id, team_id = self.owner()
        slug = f"{word_en}{trade_en}".replace(" ", "").lower()
        customer = Customer(
            id=customer_id,
            kind=Customer.Kind.COMPANY,
            company_name=f"บริษัท {word}{trade} จำกัด",
            company_name_en=f"{word_en} {trade_en} Co., Ltd.",
            tax_id=valid_tax_id(rng),
            branch="00000",
            industry=industry,
            size=rng.choice(Customer.CompanySize.values),
            website=f"https://www.{slug}{customer_id}.co.th",
            address=f"{rng.randint(1, 999)}/{rng.randint(1, 99)} {rng.choice(data.STREETS)}",
            province=rng.choice(PROVINCES),
            stage=rng.choices(["lead", "prospect", "customer"], [20, 20, 60])[0],
            owner_id=owner_id,
            team_id=team_id,
            source=rng.choice(["referral", "event", "cold_call", "website"]),
        )
        contacts: Contacts = [
            (ContactPoint.Kind.PHONE, f"+662{(customer_id * 7_919 + 100_000) % 10**7:07d}"),
            (ContactPoint.Kind.EMAIL, f"contact@{slug}{customer_id}.co.th"),
        ]
        return customer, contacts

    def add(self, batch: Batch, customer: Customer, contacts: Contacts) -> None:
        rng = self.rng
        customer.display_name = customer.compute_display_name()
        customer.search_document = build_search_document(customer, contacts)
        customer.created_at = customer.updated_at = self.now - dt.timedelta(
            days=rng.randint(0, 1_000)
        )
        self.sales.add(customer)
        consent_channel = None
        if rng.random() < 0.5:
            consent_channel = "email" if customer.is_company else "sms"
            customer.consent_bits = consent_bit(consent_channel, "marketing")
        batch.customers.append(
            tuple(
                adapt(value) if adapt and value is not None else value
                for name, adapt in self.columns
                for value in (getattr(customer, name),)
            )
        )
        now = self.now_value
        pk = customer.pk
        batch.contact_points.extend(
            (pk, kind, value, "", position == 0, now, now)
            for position, (kind, value) in enumerate(contacts)
        )
        if consent_channel:
            batch.consents.append(
                (pk, consent_channel, "marketing", "granted", now, "form", "2026-1")
            )
        for _ in range(rng.choices([0, 1, 2, 3, 5], [20, 30, 25, 15, 10])[0]):
            kind, summary = rng.choice(data.INTERACTIONS)
            at = self.now - dt.timedelta(minutes=rng.randint(60, 730 * 24 * 60))
            channel = "LINE" if kind == "message" else ""
            user_id = rng.choice(self.plan.owners)[0]
            at_value = connection.ops.adapt_datetimefield_value(at)
            batch.interactions.append((pk, kind, at_value, user_id, channel, summary, "", now))
        picked_tags = rng.sample(self.plan.tag_ids, rng.choice([0, 0, 1, 1, 2]))
        batch.tag_links.extend((pk, tag_id) for tag_id in picked_tags)
        if not customer.is_company:
            picked = rng.sample(self.plan.interest_ids, rng.choice([0, 1, 2, 3]))
            batch.interest_links.extend((pk, interest_id) for interest_id in picked)


def build_batch(job: tuple[Plan, int, int, int]) -> Batch:
    plan, number, start, size = job
    return BatchBuilder(plan, number).build(start, size)


def built_batches(plan: Plan, workers: int) -> Iterator[Batch]:
    """Batches in order; with workers, built in other processes while the caller writes."""
    jobs = [
        (plan, number, start, min(BATCH, plan.total - start))
        for number, start in enumerate(range(0, plan.total, BATCH))
    ]
    if workers < 1 or len(jobs) < 2:
        yield from map(build_batch, jobs)
        return
    # "spawn": a fork would share the parent's open database connection.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=worker_setup.setup) as pool:
        yield from pool.imap(build_batch, jobs, chunksize=1)


def write_batch(batch: Batch, first_id: int, offsets: Offsets) -> None:
    customer_columns = [str(field.column) for field in Customer._meta.concrete_fields]
    with transaction.atomic(), bulk_indexing(Customer, first_id=first_id):
        insert_rows(Customer, customer_columns, batch.customers)
        insert_rows(ContactPoint, CONTACT_COLUMNS, batch.contact_points)
        insert_rows(ConsentRecord, CONSENT_COLUMNS, batch.consents)
        insert_rows(Interaction, INTERACTION_COLUMNS, batch.interactions)
        insert_rows(Customer.tags.through, ["customer_id", "tag_id"], batch.tag_links)
        insert_rows(
            Customer.interests.through, ["customer_id", "interest_id"], batch.interest_links
        )
        write_sales(batch.sales, offsets)


def load_demo(
    *,
    customers: int,
    seed: int = 42,
    password: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    second_records: bool = True,
) -> DemoResult:
    """Add ``customers`` demo customers; ``workers`` processes build rows (default: cores − 1);
    ``second_records``: a few customers entered twice, for the duplicate review."""
    started = time.perf_counter()
    result = DemoResult()
    owners, result.users = demo_users(password)
    demo_shop()
    plan = Plan(
        seed=seed,
        first_id=(Customer.objects.aggregate(top=Max("id"))["top"] or 0) + 1,
        total=customers,
        owners=tuple((owner.pk, owner.team_id) for owner in owners),
        tag_ids=tuple(Tag.objects.get_or_create(name=name)[0].pk for name in data.TAGS),
        interest_ids=tuple(
            Interest.objects.get_or_create(name=name)[0].pk for name in data.INTERESTS
        ),
        now=timezone.now(),
        sales=sales_plan(),
    )
    offsets = Offsets(
        order=(Order.objects.aggregate(top=Max("id"))["top"] or 0) + 1,
        deal=(Deal.objects.aggregate(top=Max("id"))["top"] or 0) + 1,
    )
    if workers is None:
        workers = min(4, (os.cpu_count() or 1) - 1) if customers > 4 * BATCH else 0
    with sqlite_page_cache(LOAD_KIB):
        for batch in built_batches(plan, workers):
            write_batch(batch, first_id=plan.first_id + result.customers, offsets=offsets)
            result.customers += len(batch.customers)
            result.contact_points += len(batch.contact_points)
            result.interactions += len(batch.interactions)
            result.orders += len(batch.sales.orders)
            result.order_lines += len(batch.sales.order_lines)
            result.deals += len(batch.sales.deals)
            result.leads += len(batch.sales.leads)
            if progress:
                progress(result.customers, customers)
    with connection.cursor() as cursor:
        # Explicit ids leave PostgreSQL's sequence behind; move it past them.
        for statement in connection.ops.sequence_reset_sql(no_style(), [Customer, Order, Deal]):
            cursor.execute(statement)
    with sqlite_page_cache(LOAD_KIB):
        # The orders and visits were written directly: their roll-ups in set-based
        # statements.
        activity_fill(from_customer_id=plan.first_id)
        marks_fill(from_customer_id=plan.first_id)
        orders_fill(from_customer_id=plan.first_id)  # their points, at the base rate
        tiers_review(programme_current(), timezone.localdate(), everyone=True)  # by spend
        daily_rebuild()
        hourly_rebuild()
    if customers <= QUOTES_UP_TO:
        result.quotes = demo_quotes(first_customer_id=plan.first_id, seed=seed)
        result.tickets = demo_tickets(first_customer_id=plan.first_id, seed=seed)
        demo_nps(first_customer_id=plan.first_id, seed=seed)  # the reports' NPS, by month
        demo_rewards()
        demo_referrals(first_customer_id=plan.first_id, seed=seed)
        if second_records:
            result.duplicates = demo_duplicates(first_customer_id=plan.first_id)
    alert_rules_default_create()  # the demo shows arrivals as a fresh set-up has them
    loyalty_nightly()  # the demo's oldest points have expired, and members are reminded
    sql.statistics_refresh()  # PostgreSQL would plan the first pages for empty tables
    result.seconds = time.perf_counter() - started
    return result
