"""Reading who saw whom: a customer's accesses, newest first, a page at a time by a
keyset cursor over (at, id), so a page deep in a busy customer's history costs what the
first does: one range on the index (customer, at, id)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q

from samphan.accounts.models import User
from samphan.privacy.access_log import AccessExport, CustomerAccess

ACCESS_PAGE = 50
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CURSOR_PATTERN = re.compile(r"(\d{1,17})\.(\d{1,18})", re.ASCII)


@dataclass(frozen=True)
class AccessCursor:
    """Where a page ends: accesses strictly older than this come next."""

    at: dt.datetime
    id: int

    def __str__(self) -> str:
        return f"{round((self.at - EPOCH) / dt.timedelta(microseconds=1))}.{self.id}"

    @classmethod
    def parse(cls, value: str) -> "AccessCursor | None":
        """The cursor a page link carries; None for anything malformed (or too big)."""
        found = CURSOR_PATTERN.fullmatch(value)
        if not found:
            return None
        micros, pk = (int(part) for part in found.groups())
        try:
            return cls(EPOCH + dt.timedelta(microseconds=micros), pk)
        except OverflowError:
            return None


@dataclass(frozen=True)
class Access:
    id: int
    at: dt.datetime
    kind: int
    kind_label: str
    user_id: int
    user: User | None
    export: AccessExport | None


def accesses_of(
    customer_id: int,
    *,
    user_id: int | None = None,
    kind: int | None = None,
    before: AccessCursor | None = None,
    size: int = ACCESS_PAGE,
) -> tuple[list[Access], AccessCursor | None]:
    """A page of who saw ``customer_id``, newest first, and the cursor of the next page
    (None on the last). Three statements at most: the rows, their users, their exports."""
    rows = CustomerAccess.objects.filter(customer_id=customer_id)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if before is not None:
        rows = rows.filter(Q(at__lt=before.at) | Q(at=before.at, id__lt=before.id))
    found = list(rows.order_by("-at", "-id")[: size + 1])
    more = len(found) > size
    found = found[:size]
    users = User.objects.in_bulk({row.user_id for row in found}) if found else {}
    export_ids = {row.export_id for row in found if row.export_id}
    exports = AccessExport.objects.in_bulk(export_ids) if export_ids else {}
    accesses = [
        Access(
            id=row.pk,
            at=row.at,
            kind=row.kind,
            kind_label=str(row.get_kind_display()),
            user_id=row.user_id,
            user=users.get(row.user_id),
            export=exports.get(row.export_id) if row.export_id else None,
        )
        for row in found
    ]
    last = found[-1] if more else None
    return accesses, AccessCursor(last.at, last.pk) if last else None
