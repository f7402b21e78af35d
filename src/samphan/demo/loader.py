"""Deterministic demo data, bulk-inserted so a million customers load in minutes.

The same ``seed`` always gives the same customers. Rows are built in Python and
written with ``bulk_create`` in batches; the search document is computed the same way
the services compute it, so search works on demo data exactly as on real data.
"""

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import (
    DateField,
    DateTimeField,
    Field,
    FileField,
    JSONField,
    Max,
    Model,
)
from django.utils import timezone

from samphan.accounts.models import Team, User
from samphan.core.search import bulk_indexing
from samphan.core.tax_id import thai_tax_id_check_digit
from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    Interaction,
    Interest,
    Tag,
)
from samphan.customers.search import build_search_document
from samphan.demo import data

BATCH = 2_000
Progress = Callable[[int, int], None]
Contacts = list[tuple[str, str]]
PERSON_SOURCES = [source for source in Customer.Source.values if source not in {"import", "other"}]


@dataclass
class DemoResult:
    customers: int = 0
    contact_points: int = 0
    interactions: int = 0
    seconds: float = 0.0
    users: list[str] = field(default_factory=list)


def weighted_provinces() -> list[str]:
    return [name for name, weight in data.PROVINCES for _ in range(weight)]


def valid_tax_id(rng: random.Random) -> str:
    first = "0" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return first + str(thai_tax_id_check_digit(first))


def demo_users(password: str | None) -> tuple[list[User], list[str]]:
    """One user per role, sales split over two teams."""
    teams = [
        Team.objects.get_or_create(name=th, defaults={"name_en": en})[0] for th, en in data.TEAMS
    ]
    specs = [
        ("manager", "manager", "มานพ", "ผู้จัดการ", None),
        ("sales1", "sales", "ศิริพร", "ขายเก่ง", teams[0]),
        ("sales2", "sales", "ธนากร", "ยอดขาย", teams[1]),
        ("marketing", "marketing", "พิมพ์ชนก", "การตลาด", None),
        ("frontdesk", "frontdesk", "นภัสสร", "ต้อนรับ", teams[2]),
        ("support", "support", "วิชัย", "ช่วยเหลือ", None),
        ("viewer", "viewer", "อรุณี", "ดูอย่างเดียว", None),
    ]
    users = []
    for username, role, first, last, team in specs:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "team": team}
        )
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=role))
        users.append(user)
    owners = [user for user in users if user.username.startswith("sales")] + users[:1]
    return owners, [spec[0] for spec in specs]


class DemoBuilder:
    def __init__(self, seed: int, owners: list[User]) -> None:
        self.rng = random.Random(seed)
        self.owners = owners
        self.provinces = weighted_provinces()
        self.now = timezone.now()
        self.serial = 0

    def mobile(self) -> str:
        self.serial += 1
        prefix = self.rng.choice(data.MOBILE_PREFIXES)
        # A multiplier coprime with 10**7 spreads serials over all numbers without repeats.
        return f"+66{prefix}{(self.serial * 7_919_371 + 1_234_567) % 10**7:07d}"

    def person(self, index: int, companies: list[Customer]) -> tuple[Customer, Contacts]:
        rng = self.rng
        female = rng.random() < 0.55
        first, first_en = rng.choice(data.FEMALE_FIRST if female else data.MALE_FIRST)
        last, last_en = rng.choice(data.LAST_NAMES)
        owner = rng.choice(self.owners)
        stage = rng.choices(["lead", "prospect", "customer", "inactive"], [15, 15, 60, 10])[0]
        tier = (
            rng.choices(["none", "silver", "gold", "platinum"], [70, 18, 9, 3])[0]
            if stage == "customer"
            else "none"
        )
        company = rng.choice(companies) if companies and rng.random() < 0.3 else None
        customer = Customer(
            kind=Customer.Kind.PERSON,
            title=rng.choice(["คุณ", "คุณ", "คุณ", "นางสาว", "นาย", "นาง", "ดร."]),
            first_name=first,
            last_name=last,
            first_name_en=first_en,
            last_name_en=last_en,
            nickname=rng.choice(data.NICKNAMES),
            gender="female" if female else "male",
            birthday=dt.date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            company=company,
            job_title=rng.choice(data.JOB_TITLES) if company else "",
            province=rng.choice(self.provinces),
            member_number=f"M{index:08d}" if rng.random() < 0.6 else None,
            stage=stage,
            tier=tier,
            is_vip=tier == "platinum" or rng.random() < 0.02,
            owner=owner,
            team_id=owner.team_id,
            source=rng.choice(PERSON_SOURCES),
        )
        contacts: Contacts = [(ContactPoint.Kind.MOBILE, self.mobile())]
        if rng.random() < 0.6:
            domain = rng.choice(data.EMAIL_DOMAINS)
            contacts.append(
                (ContactPoint.Kind.EMAIL, f"{first_en}.{last_en}{index}@{domain}".lower())
            )
        if rng.random() < 0.4:
            contacts.append((ContactPoint.Kind.LINE, f"{first_en.lower()}{index % 1000}"))
        return customer, contacts

    def company(self, index: int) -> tuple[Customer, Contacts]:
        rng = self.rng
        word, word_en = rng.choice(data.COMPANY_WORDS)
        trade, trade_en, industry = rng.choice(data.COMPANY_TRADES)
        province = rng.choice(self.provinces)
        owner = rng.choice(self.owners)
        slug = f"{word_en}{trade_en}".replace(" ", "").lower()
        customer = Customer(
            kind=Customer.Kind.COMPANY,
            company_name=f"บริษัท {word}{trade} จำกัด",
            company_name_en=f"{word_en} {trade_en} Co., Ltd.",
            tax_id=valid_tax_id(rng),
            branch="00000",
            industry=industry,
            size=rng.choice(Customer.CompanySize.values),
            website=f"https://www.{slug}{index}.co.th",
            address=f"{rng.randint(1, 999)}/{rng.randint(1, 99)} {rng.choice(data.STREETS)}",
            province=province,
            stage=rng.choices(["lead", "prospect", "customer"], [20, 20, 60])[0],
            owner=owner,
            team_id=owner.team_id,
            source=rng.choice(["referral", "event", "cold_call", "website"]),
        )
        contacts: Contacts = [
            (ContactPoint.Kind.PHONE, f"+662{(index * 7_919 + 100_000) % 10**7:07d}"),
            (ContactPoint.Kind.EMAIL, f"contact@{slug}{index}.co.th"),
        ]
        return customer, contacts

    def interactions(self, rng: random.Random, users: list[User]) -> list[tuple]:
        """(kind, when, by whom, channel, summary) for a customer's past contacts."""
        rows = []
        for _ in range(rng.choices([0, 1, 2, 3, 5], [20, 30, 25, 15, 10])[0]):
            kind, summary = rng.choice(data.INTERACTIONS)
            at = self.now - dt.timedelta(minutes=rng.randint(60, 730 * 24 * 60))
            rows.append((kind, at, rng.choice(users), "LINE" if kind == "message" else "", summary))
        return rows


def load_demo(
    *, customers: int, seed: int = 42, password: str | None = None, progress: Progress | None = None
) -> DemoResult:
    started = time.perf_counter()
    result = DemoResult()
    owners, result.users = demo_users(password)
    tags = [Tag.objects.get_or_create(name=name)[0] for name in data.TAGS]
    interests = [Interest.objects.get_or_create(name=name)[0] for name in data.INTERESTS]
    builder = DemoBuilder(seed, owners)
    writer = RowWriter()
    company_count = max(1, customers // 7)
    companies: list[Customer] = []
    next_id = (Customer.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    done = 0
    while done < customers:
        size = min(BATCH, customers - done)
        rows = []
        for index in range(next_id + done, next_id + done + size):
            make_company = len(companies) < company_count and index % 7 == 0
            customer, contacts = (
                builder.company(index) if make_company else builder.person(index, companies)
            )
            customer.pk = index
            rows.append((customer, contacts))
        with transaction.atomic(), bulk_indexing(Customer, first_id=next_id + done):
            _write_batch(rows, builder, writer, tags, interests, result)
        companies.extend(c for c, _ in rows if c.is_company and len(companies) < 5_000)
        done += size
        if progress:
            progress(done, customers)
    writer.reset_sequences()
    result.customers = done
    result.seconds = time.perf_counter() - started
    return result


class RowWriter:
    """Plain multi-row INSERTs: the ORM's per-object work would cap the load near 2,000/s."""

    def __init__(self) -> None:
        self.customer_fields = list(Customer._meta.concrete_fields)
        self.adapters = [self.adapter(field) for field in self.customer_fields]

    @staticmethod
    def adapter(field: Field) -> Callable[[Any], Any] | None:
        """How a value of this field becomes a database parameter (None: as it is)."""
        if isinstance(field, DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(field, JSONField):
            return json.dumps
        if isinstance(field, FileField):
            return str
        return None

    def insert(self, model: type[Model], columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams rows in one command, several times faster than INSERTs.
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608

    def customers(self, customers: list[Customer]) -> None:
        columns = list(zip((f.attname for f in self.customer_fields), self.adapters, strict=True))
        rows = [
            tuple(
                adapt(value) if adapt and value is not None else value
                for name, adapt in columns
                for value in (getattr(customer, name),)
            )
            for customer in customers
        ]
        self.insert(Customer, [str(f.column) for f in self.customer_fields], rows)

    def reset_sequences(self) -> None:
        """Explicit ids leave PostgreSQL's sequence behind; move it past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), [Customer])
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _write_batch(
    rows: list[tuple[Customer, Contacts]],
    builder: DemoBuilder,
    writer: RowWriter,
    tags: list[Tag],
    interests: list[Interest],
    result: DemoResult,
) -> None:
    rng = builder.rng
    now = connection.ops.adapt_datetimefield_value(builder.now)
    for customer, contacts in rows:
        customer.display_name = customer.compute_display_name()
        customer.search_document = build_search_document(customer, contacts)
        customer.created_at = customer.updated_at = builder.now - dt.timedelta(
            days=rng.randint(0, 1_000)
        )
    writer.customers([customer for customer, _ in rows])
    points: list[tuple] = []
    consents: list[tuple] = []
    timeline: list[tuple] = []
    tag_links: list[tuple] = []
    interest_links: list[tuple] = []
    for customer, contacts in rows:
        points.extend(
            (customer.pk, kind, value, "", position == 0, now, now)
            for position, (kind, value) in enumerate(contacts)
        )
        if rng.random() < 0.5:
            channel = "email" if customer.is_company else "sms"
            consents.append((customer.pk, channel, "marketing", "granted", now, "form", "2026-1"))
        timeline.extend(
            (
                customer.pk,
                kind,
                connection.ops.adapt_datetimefield_value(at),
                user.pk,
                channel,
                summary,
                "",
                now,
            )
            for kind, at, user, channel, summary in builder.interactions(rng, builder.owners)
        )
        tag_links.extend(
            (customer.pk, tag.pk) for tag in rng.sample(tags, rng.choice([0, 0, 1, 1, 2]))
        )
        if not customer.is_company:
            picked = rng.sample(interests, rng.choice([0, 1, 2, 3]))
            interest_links.extend((customer.pk, interest.pk) for interest in picked)
    writer.insert(
        ContactPoint,
        ["customer_id", "kind", "value", "label", "is_preferred", "created_at", "updated_at"],
        points,
    )
    writer.insert(
        ConsentRecord,
        ["customer_id", "channel", "purpose", "status", "at", "source", "wording_version"],
        consents,
    )
    writer.insert(
        Interaction,
        [
            "customer_id",
            "kind",
            "occurred_at",
            "user_id",
            "channel",
            "summary",
            "body",
            "created_at",
        ],
        timeline,
    )
    writer.insert(Customer.tags.through, ["customer_id", "tag_id"], tag_links)
    writer.insert(Customer.interests.through, ["customer_id", "interest_id"], interest_links)
    result.contact_points += len(points)
    result.interactions += len(timeline)
