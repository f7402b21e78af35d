"""Support at scale (issue 23): 100,000 tickets with 1,000,000 messages over 20,000 demo
customers, then

- the inbox's views (the support agent's Mine, Unassigned, Overdue, Waiting, All open,
  Solved; each tab's count and the page of 25) through the real page, p95 of 20 each;
- a customer's tickets on their page (the customer page's support panel), p95 over 50
  customers with tickets;
- mail in: 1,000 mails through ``mail_receive`` (half answering tickets' replies by
  In-Reply-To, half new), the time for all.

    python bench/bench_support.py                       # SQLite, var/bench/support
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_support.py

Targets: inbox p95 under 100 ms, the customer's tickets under 50 ms, 1,000 mails under
60 s. Tickets and messages are written with bulk inserts (their services run in the
mail-in part); the database is removed afterwards.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR_DIR = ROOT / "var" / "bench" / "support"
if "DATABASE_URL" not in os.environ:
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    os.environ["SAMPHAN_VAR_DIR"] = str(VAR_DIR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import percentiles, timed  # noqa: E402
from samphan.accounts.models import Role, Team, User  # noqa: E402
from samphan.customers.models import Customer  # noqa: E402
from samphan.demo.loader import load_demo  # noqa: E402
from samphan.support.mailin import mail_receive  # noqa: E402
from samphan.support.models import Survey, Ticket, TicketMessage  # noqa: E402

TARGETS = {"inbox_p95_ms": 100, "customer_tickets_p95_ms": 50, "mail_in_1000_s": 60}
VIEWS = ["mine", "unassigned", "overdue", "pending", "open", "solved"]


def staff() -> tuple[User, list[User]]:
    teams = [Team.objects.get_or_create(name=f"ทีม {n}")[0] for n in range(3)]
    agents = []
    for n in range(20):
        user, _ = User.objects.get_or_create(username=f"agent{n}", defaults={"team": teams[n % 3]})
        user.groups.add(*Group.objects.filter(name=Role.SUPPORT))
        agents.append(user)
    return agents[0], agents


def load_tickets(tickets: int, per_ticket: int, agents: list[User]) -> None:
    """Tickets over the last year: most solved or closed, some open, waiting or new (a
    few hundred open per agent, as a busy desk has), each with its thread."""
    rng = random.Random(23)
    customers = list(Customer.objects.values_list("pk", flat=True))
    now = timezone.now()
    statuses = ["closed"] * 55 + ["solved"] * 30 + ["open"] * 8 + ["pending"] * 4 + ["new"] * 3
    batch: list[Ticket] = []
    for n in range(tickets):
        created = now - dt.timedelta(minutes=rng.randint(10, 525_600))
        status = rng.choice(statuses)
        done = status in ("solved", "closed")
        owner = rng.choice(agents) if status != "new" or rng.random() < 0.3 else None
        ticket = Ticket(
            customer_id=rng.choice(customers), subject=f"คำถาม {n}", channel=rng.choice(["email", "line", "phone", "sms", "web"]),
            status=status, priority=rng.choice(["normal"] * 6 + ["high", "urgent", "low"]),
            owner=owner, team_id=owner.team_id if owner else None, created_at=created,
            first_response_due=created + dt.timedelta(hours=4),
            first_responded_at=created + dt.timedelta(hours=rng.uniform(0.2, 8)) if status != "new" else None,
            resolution_due=created + dt.timedelta(days=3),
            solved_at=created + dt.timedelta(days=rng.uniform(0.1, 5)) if done else None,
            closed_at=created + dt.timedelta(days=6) if status == "closed" else None,
            last_message_at=created, address=f"c{n}@example.com",
        )  # fmt: skip
        ticket.queue_due = ticket.queue_place()  # as save() would
        batch.append(ticket)
        if len(batch) == 10_000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    ids = list(Ticket.objects.values_list("pk", "created_at"))
    messages: list[TicketMessage] = []
    for pk, created in ids:
        for m in range(per_ticket):
            messages.append(TicketMessage(
                ticket_id=pk, kind="in" if m % 2 == 0 else "out", body="ข้อความ " * 20,
                channel="email", created_at=created + dt.timedelta(hours=m),
                external_id=f"<t{pk}m{m}@bench.example>",
            ))  # fmt: skip
            if len(messages) == 50_000:
                TicketMessage.objects.bulk_create(messages)
                messages = []
    TicketMessage.objects.bulk_create(messages)
    Survey.objects.bulk_create(
        Survey(customer_id=customer, score=rng.randint(1, 5), answered_at=now)
        for customer in rng.sample(customers, min(5_000, len(customers) // 4))
    )


def measure_inbox(agent: User) -> dict[str, dict[str, float]]:
    client = Client()
    client.force_login(agent)

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return {
        view: percentiles(timed(lambda v=view: get(f"/support/?view={v}"), 20)) for view in VIEWS
    }


def measure_customer_tickets(admin: User) -> dict[str, float]:
    client = Client()
    client.force_login(admin)
    ids = list(Ticket.objects.order_by("?").values_list("customer_id", flat=True)[:50])
    samples = [
        t for pk in ids for t in timed(lambda p=pk: client.get(f"/support/customers/{p}/"), 1)
    ]
    return percentiles(samples)


def mails(count: int) -> list[bytes]:
    """Half answer an existing reply (In-Reply-To its Message-ID), half are new."""
    rng = random.Random(7)
    answered = list(
        TicketMessage.objects.filter(kind="out")
        .order_by("?")
        .values_list("external_id", flat=True)[: count // 2]
    )
    raw = []
    for n in range(count):
        message = EmailMessage()
        message["From"] = f"ลูกค้า {n} <sender{rng.randint(0, 10**6)}@example.com>"
        message["To"] = "help@samphan.test"
        message["Subject"] = f"สอบถามสินค้า {n}"
        message["Message-ID"] = f"<bench-in-{n}@mail.example.com>"
        if n % 2 == 0 and answered:
            message["In-Reply-To"] = message["References"] = answered[n // 2 % len(answered)]
        message.set_content("สวัสดีค่ะ สอบถามเรื่องสินค้าที่สั่งไปค่ะ\n" * 5)
        raw.append(message.as_bytes())
    return raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages-per-ticket", type=int, default=10)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_demo(customers=args.customers, seed=23, workers=1, second_records=False)
    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_superuser": True})
    agent, agents = staff()
    load_tickets(args.tickets, args.messages_per_ticket, agents)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    loaded = time.perf_counter() - started
    inbox = measure_inbox(agent)
    panel = measure_customer_tickets(admin)
    raw = mails(1_000)
    started = time.perf_counter()
    outcomes = [mail_receive(mail).outcome for mail in raw]
    mail_in = time.perf_counter() - started
    print(json.dumps({
        "database": connection.vendor, "tickets": Ticket.objects.count(),
        "messages": TicketMessage.objects.count(), "load_s": round(loaded, 1),
        "inbox": inbox, "customer_tickets": panel,
        "mail_in_1000_s": round(mail_in, 2),
        "mail_in_outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
        "targets": TARGETS,
    }, indent=2, ensure_ascii=False))  # fmt: skip
    if "DATABASE_URL" not in os.environ:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
