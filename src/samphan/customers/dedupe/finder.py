"""The duplicate finder over all customers, run by the worker (nightly, and on demand).

Set-based passes, never a query per customer or per pair:

1. Customers are read ``batch`` at a time (two queries a batch: the rows, then their
   phones and e-mails) into compact ``CustomerSummary`` values, and each one's blocking
   keys (``summary_keys``: name keys, phone, e-mail) go into a key → ids map.
2. Pairs are compared only within a block (customers sharing a key). A block of more than
   ``MAX_BLOCK`` customers (a very common name) is not compared all against all: it is
   sorted by the full name key and each customer meets its ``WINDOW`` neighbours (sorted
   neighbourhood); how many blocks were capped is in the result.
3. Pairs at or above ``THRESHOLD`` are upserted as ``DuplicateCandidate``: a new pair is
   inserted, an open pair gets its new score, and a pair a manager marked "not a
   duplicate" (or merged) is never opened again.
"""

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.dedupe.names import latin_key
from samphan.customers.dedupe.scoring import THRESHOLD, CustomerSummary, score, summary_keys
from samphan.customers.models import ContactPoint, Customer, DuplicateCandidate

BATCH = 5000
MAX_BLOCK = 50
WINDOW = 10
WRITE_BATCH = 1000
FIND_EVERY = 3600.0  # the worker looks hourly and runs once a night (``duplicates_nightly``)
NIGHT_HOUR = 2

PHONE_AND_EMAIL = (*ContactPoint.PHONE_KINDS, ContactPoint.Kind.EMAIL)

# The reasons are kept as codes, so a candidate holds no name or number; the page shows
# the two customers beside them. Codes from the English reason's beginning.
REASON_LABELS = {
    "phone": _("same phone"),
    "email": _("same e-mail"),
    "name_same": _("same name"),
    "name_sound": _("names sound alike"),
    "name_look": _("names look alike"),
    "birthday": _("same birthday"),
    "birthday_differs": _("different birthdays"),
    "company": _("same company"),
    "address": _("same address"),
}
_REASON_PREFIXES = (
    ("same phone", "phone"),
    ("same e-mail", "email"),
    ("same name", "name_same"),
    ("names sound alike", "name_sound"),
    ("names look alike", "name_look"),
    ("same birthday", "birthday"),
    ("different birthdays", "birthday_differs"),
    ("same company", "company"),
    ("same address", "address"),
)


def reason_code(reason: str) -> str:
    return next((code for prefix, code in _REASON_PREFIXES if reason.startswith(prefix)), "")


@dataclass
class FindResult:
    customers: int = 0
    blocks: int = 0
    capped_blocks: int = 0
    pairs_compared: int = 0
    found: int = 0
    created: int = 0
    updated: int = 0
    seconds: float = 0.0
    largest_block: int = 0
    notes: list[str] = field(default_factory=list)


def _summaries(batch: int) -> Iterator[tuple[int, CustomerSummary]]:
    """Every active customer as a summary, ``batch`` rows and their contacts at a time."""
    last = 0
    columns = (
        "id", "kind", "first_name", "last_name", "first_name_en", "last_name_en",
        "nickname", "company_name", "company_name_en", "birthday", "address",
        "province", "company__company_name",
    )  # fmt: skip
    while True:
        rows = list(
            Customer.objects.active()
            .filter(id__gt=last)
            .order_by("id")
            .values_list(*columns)[:batch]
        )
        if not rows:
            return
        first_id, last = rows[0][0], rows[-1][0]
        phones: dict[int, set[str]] = defaultdict(set)
        emails: dict[int, set[str]] = defaultdict(set)
        contacts = ContactPoint.objects.filter(
            customer_id__gte=first_id, customer_id__lte=last, kind__in=PHONE_AND_EMAIL
        ).values_list("customer_id", "kind", "value")
        for customer_id, kind, value in contacts:
            (emails if kind == ContactPoint.Kind.EMAIL else phones)[customer_id].add(value)
        for (pk, kind, first, last_name, first_en, last_en, nick, co, co_en, birthday,
             address, province, employer) in rows:  # fmt: skip
            if kind == Customer.Kind.COMPANY:
                first, last_name, first_en, last_en, employer = co, "", co_en, "", ""
            yield (
                pk,
                CustomerSummary(
                    first_name=first,
                    last_name=last_name,
                    first_name_en=first_en,
                    last_name_en=last_en,
                    nickname=nick,
                    phones=frozenset(phones.get(pk, ())),
                    emails=frozenset(emails.get(pk, ())),
                    company=employer or "",
                    birthday=birthday,
                    address=address,
                    province=province,
                ),
            )


def _sort_key(person: CustomerSummary) -> str:
    return "|".join(
        (
            latin_key(person.first_name) or latin_key(person.first_name_en),
            latin_key(person.last_name) or latin_key(person.last_name_en),
            str(person.birthday or ""),
        )
    )


def _pairs(
    blocks: dict[str, list[int]], people: dict[int, CustomerSummary], result: FindResult
) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for ids in blocks.values():
        size = len(ids)
        if size < 2:
            continue
        result.blocks += 1
        result.largest_block = max(result.largest_block, size)
        if size <= MAX_BLOCK:
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
            continue
        result.capped_blocks += 1  # sorted neighbourhood instead of all against all
        ordered = sorted(ids, key=lambda pk: _sort_key(people[pk]))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 : i + 1 + WINDOW]:
                pairs.add((a, b) if a < b else (b, a))
    return pairs


def duplicates_find(*, batch: int = BATCH) -> FindResult:
    """Find possible duplicates among all active customers and upsert the candidates; a
    bounded number of queries (a few per ``batch`` customers and per ``WRITE_BATCH``
    candidates), whatever the number of pairs."""
    started = time.perf_counter()
    result = FindResult()
    people: dict[int, CustomerSummary] = {}
    blocks: dict[str, list[int]] = defaultdict(list)
    for pk, person in _summaries(batch):
        people[pk] = person
        for key in summary_keys(person):
            blocks[key].append(pk)
    result.customers = len(people)
    pairs = _pairs(blocks, people, result)
    del blocks
    result.pairs_compared = len(pairs)
    if result.capped_blocks:
        result.notes.append(
            f"{result.capped_blocks} blocks over {MAX_BLOCK} customers (largest "
            f"{result.largest_block}) compared with {WINDOW} neighbours each, not all pairs"
        )
    found: dict[tuple[int, int], tuple[float, list[str]]] = {}
    with translation.override("en"):
        for a, b in sorted(pairs):
            candidate = score(people[a], people[b])
            if candidate.score >= THRESHOLD:
                codes = [reason_code(reason) for reason in candidate.reasons]
                found[(a, b)] = (candidate.score, [code for code in codes if code])
    result.found = len(found)
    _upsert(found, result)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _upsert(found: dict[tuple[int, int], tuple[float, list[str]]], result: FindResult) -> None:
    now = timezone.now()
    if not found:
        return
    rows = DuplicateCandidate.objects.values_list("pk", "customer_a_id", "customer_b_id", "status")
    existing = {(a, b): (pk, status) for pk, a, b, status in rows.iterator(chunk_size=10_000)}
    new, changed = [], []
    for (a, b), (value, reasons) in found.items():
        known = existing.get((a, b))
        if known is None:
            new.append(
                DuplicateCandidate(
                    customer_a_id=a, customer_b_id=b, score=value, reasons=reasons, found_at=now
                )
            )
        elif known[1] == DuplicateCandidate.Status.OPEN:
            changed.append(
                DuplicateCandidate(pk=known[0], score=value, reasons=reasons, found_at=now)
            )
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(new, batch_size=WRITE_BATCH, ignore_conflicts=True)
        DuplicateCandidate.objects.bulk_update(
            changed, ["score", "reasons", "found_at"], batch_size=WRITE_BATCH
        )
    result.created, result.updated = len(new), len(changed)


def duplicates_nightly() -> FindResult | None:
    """The worker's loop (hourly): one full run a night, at ``NIGHT_HOUR`` local time."""
    if timezone.localtime().hour != NIGHT_HOUR:
        return None
    return duplicates_find()


@transaction.atomic
def duplicate_mark_not(*, actor: User | None, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Mark a pair "not a duplicate": the finder never shows it again. Audited."""
    before = candidate.status
    candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
    candidate.decided_by = actor if getattr(actor, "pk", None) else None
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=candidate,
        changes={"status": [before, candidate.status]},
    )
    return candidate
