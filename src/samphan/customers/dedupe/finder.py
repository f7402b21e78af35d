"""The duplicate finder over all customers, run by the worker (nightly, and on demand).

Set-based passes, never a query per customer or per pair:

1. Customers are read ``batch`` at a time, only the columns needed (two queries a batch:
   the rows, then their phones, e-mails and LINE IDs; ``summaries.py``), into compact
   ``CustomerSummary`` values, and each one's blocking keys (``summary_keys``: a phone, an
   e-mail, or a name key joined to a second signal such as a birthday) are computed once,
   hashed to 64-bit numbers and kept in two flat arrays (key, customer).
2. The arrays are sorted by key (numpy); a run of equal keys is a block. Pairs are made
   only within a block. A block of more than ``MAX_BLOCK`` customers is not compared all
   against all: it is sorted by the full name key and each customer meets its ``WINDOW``
   neighbours (sorted neighbourhood); how many blocks were capped is in the result.
3. The pairs, deduplicated as 64-bit codes, are scored one at a time (streamed, never a
   set of tuples); those at or above ``THRESHOLD`` are upserted as ``DuplicateCandidate``:
   a new pair is inserted, an open pair gets its new score, and a pair a manager marked
   "not a duplicate" (or merged) is never opened again.
"""

import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.dedupe.names import latin_key
from samphan.customers.dedupe.scoring import THRESHOLD, CustomerSummary, score, summary_keys
from samphan.customers.dedupe.summaries import summaries_in_batches
from samphan.customers.models import Customer, DuplicateCandidate

BATCH = 5000
MAX_BLOCK = 50
WINDOW = 10
WRITE_BATCH = 1000
FIND_EVERY = 3600.0  # the worker looks hourly and runs once a night (``duplicates_nightly``)
NIGHT_HOUR = 2

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
    "line": _("same LINE ID"),
    "phone_near": _("phone one digit apart"),
    "email_near": _("e-mail one letter apart"),
    "nickname": _("same nickname"),
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
    ("same LINE ID", "line"),
    ("phone one digit apart", "phone_near"),
    ("e-mail one letter apart", "email_near"),
    ("same nickname", "nickname"),
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


def _sort_key(person: CustomerSummary) -> str:
    return "|".join(
        (
            latin_key(person.first_name) or latin_key(person.first_name_en),
            latin_key(person.last_name) or latin_key(person.last_name_en),
            str(person.birthday or ""),
        )
    )


def _read(batch: int) -> tuple[list[int], list[CustomerSummary], np.ndarray, np.ndarray]:
    """Every active customer's id and summary (in id order), and the flat key arrays:
    ``keys[i]`` is a hashed blocking key of the customer at position ``where[i]``."""
    ids: list[int] = []
    people: list[CustomerSummary] = []
    keys, where = array("q"), array("i")
    for rows in summaries_in_batches(Customer.objects.active(), batch):
        for pk, person in rows:
            position = len(ids)
            ids.append(pk)
            people.append(person)
            for key in summary_keys(person):
                keys.append(hash(key))
                where.append(position)
    return ids, people, np.frombuffer(keys, dtype=np.int64), np.frombuffer(where, dtype=np.int32)


def _pair_codes(
    keys: np.ndarray, where: np.ndarray, people: list[CustomerSummary], result: FindResult
) -> np.ndarray:
    """Every pair of positions that share a block, as ``low << 32 | high``, once each."""
    order = np.argsort(keys, kind="stable")
    keys, where = keys[order], where[order]
    del order
    if len(keys) < 2:
        return np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1))
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    del keys
    chunks: list[np.ndarray] = []
    twos = starts[sizes == 2]
    chunks.append(_codes(where[twos], where[twos + 1]))
    more = np.flatnonzero(sizes > 2)
    result.blocks = int(len(twos) + len(more))
    result.largest_block = int(sizes.max())
    firsts: list[int] = []
    seconds: list[int] = []
    for index in more.tolist():
        members = where[starts[index] : starts[index] + sizes[index]].tolist()
        if len(members) <= MAX_BLOCK:
            for i, a in enumerate(members):
                firsts.extend([a] * (len(members) - i - 1))
                seconds.extend(members[i + 1 :])
            continue
        result.capped_blocks += 1  # sorted neighbourhood instead of all against all
        members.sort(key=lambda position: _sort_key(people[position]))
        for i, a in enumerate(members):
            neighbours = members[i + 1 : i + 1 + WINDOW]
            firsts.extend([a] * len(neighbours))
            seconds.extend(neighbours)
        if len(firsts) > 1_000_000:
            chunks.append(
                _codes(np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64))
            )
            firsts, seconds = [], []
    chunks.append(_codes(np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64)))
    return np.unique(np.concatenate(chunks))


def _codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.astype(np.int64), b.astype(np.int64)
    codes: np.ndarray = (np.minimum(a, b) << 32) | np.maximum(a, b)
    return codes


def _scored(
    codes: np.ndarray, ids: list[int], people: list[CustomerSummary]
) -> Iterator[tuple[tuple[int, int], tuple[float, list[str]]]]:
    """The pairs at or above ``THRESHOLD``, with their reason codes, one pair at a time."""
    with translation.override("en"):
        for code in codes.tolist():
            low, high = code >> 32, code & 0xFFFFFFFF
            candidate = score(people[low], people[high])
            if candidate.score >= THRESHOLD:
                reasons = [reason_code(reason) for reason in candidate.reasons]
                yield (ids[low], ids[high]), (candidate.score, [code for code in reasons if code])


def duplicates_find(*, batch: int = BATCH) -> FindResult:
    """Find possible duplicates among all active customers and upsert the candidates; a
    bounded number of queries (a few per ``batch`` customers and per ``WRITE_BATCH``
    candidates), whatever the number of pairs."""
    started = time.perf_counter()
    result = FindResult()
    ids, people, keys, where = _read(batch)
    result.customers = len(ids)
    codes = _pair_codes(keys, where, people, result)
    del keys, where
    result.pairs_compared = len(codes)
    if result.capped_blocks:
        result.notes.append(
            f"{result.capped_blocks} blocks over {MAX_BLOCK} customers (largest "
            f"{result.largest_block}) compared with {WINDOW} neighbours each, not all pairs"
        )
    found = dict(_scored(codes, ids, people))
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
