"""The shop as customers see it, read in one place: ``shop_profile()``.

Every consumer (quotations, member cards, the counter poster, the sign-up page, e-mails,
the unsubscribe and preference pages, links in messages) asks this function, never the
settings. It returns the saved ``ShopProfile`` row, or, until an admin saves one, the
environment's SAMPHAN_* settings. An empty public address falls back to
SAMPHAN_PUBLIC_URL either way (the server knows where it answers).

The answer is cached in the process: forgotten at the start of every request (so a page
reads it at most once, and always fresh), after a save, when a test changes a setting,
and otherwise after ``MAX_AGE`` seconds (the worker, which serves no requests, picks a
change up within that time).
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.signals import request_started
from django.db import transaction
from django.test.signals import setting_changed
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.http import User
from samphan.core.models import AuditEvent, ShopProfile
from samphan.core.promptpay_id import clean_promptpay_id
from samphan.core.shop_logo import logo_file
from samphan.core.tax_id import clean_thai_tax_id

MAX_AGE = 30.0  # seconds
TEXT_FIELDS = (
    "name", "name_en", "address", "tax_id", "branch", "promptpay_id", "public_url",
    "privacy_notice", "privacy_url",
)  # fmt: skip
BACKUP_FIELDS = ("backup_hour", "backup_keep")  # numbers; kept as they are when not sent
AUDITED_FIELDS = (*TEXT_FIELDS, "logo", *BACKUP_FIELDS)
HEAD_OFFICE = "00000"
# The last backup's outcome for the settings page ({"time", "ok", "size", "error"}), told
# by the app that takes backups (home fills it in its ready()): core knows no app.
backup_status_source: list[Callable[[], dict[str, Any] | None]] = []
# Who may see and change it: the admin role (accounts.roles), and superusers.
CHANGE_SHOP = "core.change_shopprofile"


@dataclass(frozen=True)
class Shop:
    name: str
    name_en: str = ""
    address: str = ""
    tax_id: str = ""
    branch: str = ""
    promptpay_id: str = ""
    public_url: str = ""
    privacy_notice: str = ""
    privacy_url: str = ""
    logo: str = ""  # the kept PNG's name in the media storage (new for each upload)
    saved: bool = False  # False: the environment's defaults

    @property
    def display_name(self) -> str:
        """The name in the active language (the English one on English pages, when set)."""
        return self.name_in(get_language() or "th")

    def name_in(self, language: str) -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name

    @property
    def branch_label(self) -> str:
        if not self.branch:
            return ""
        if self.branch == HEAD_OFFICE:
            return _("Head office")
        return _("Branch %(number)s") % {"number": self.branch}

    @property
    def logo_url(self) -> str:
        # The file's name is new with each upload: browsers may keep one address for long.
        version = self.logo.rpartition("/")[2].removesuffix(".png")
        return f"{reverse('shop_logo')}?v={version}" if self.logo else ""


def shop_from_settings() -> Shop:
    return Shop(
        name=settings.SAMPHAN_BUSINESS_NAME,
        address=settings.SAMPHAN_BUSINESS_ADDRESS,
        tax_id=settings.SAMPHAN_BUSINESS_TAX_ID,
        promptpay_id=settings.SAMPHAN_PROMPTPAY_ID,
        public_url=settings.SAMPHAN_PUBLIC_URL,
    )


def shop_of(row: ShopProfile) -> Shop:
    fields = {name: getattr(row, name) for name in TEXT_FIELDS}
    fields["public_url"] = (row.public_url or settings.SAMPHAN_PUBLIC_URL).rstrip("/")
    return Shop(**fields, logo=row.logo.name or "", saved=True)


_cached: tuple[float, Shop] | None = None


def shop_profile() -> Shop:
    """The shop, from the cache when it is fresh."""
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - cached[0] < MAX_AGE:
        return cached[1]
    row = ShopProfile.objects.filter(pk=ShopProfile.ONLY_ID).first()
    shop = shop_of(row) if row is not None else shop_from_settings()
    _cached = (now, shop)
    return shop


def shop_profile_forget(**_signal_kwargs: object) -> None:
    global _cached
    _cached = None


request_started.connect(shop_profile_forget, dispatch_uid="samphan.core.shop.request")
setting_changed.connect(shop_profile_forget, dispatch_uid="samphan.core.shop.setting")


def shop_profile_initial() -> dict[str, Any]:
    """What the settings form starts from: the saved row as it is (an empty public address
    stays empty), else the environment's values."""
    row = ShopProfile.objects.filter(pk=ShopProfile.ONLY_ID).first()
    if row is not None:
        return {name: getattr(row, name) for name in (*TEXT_FIELDS, *BACKUP_FIELDS)}
    values = asdict(shop_from_settings())
    values["public_url"] = ""  # empty: keep following the server's setting
    return {name: values[name] for name in TEXT_FIELDS}


def _normalised(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Text stripped, line ends made \\n, tax and PromptPay IDs without separators; the
    errors of those two, by field."""
    clean: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = str(fields.get(name) or "").replace("\r\n", "\n").replace("\r", "\n")
        clean[name] = value.strip()
    errors: dict[str, list[str]] = {}
    for name, cleaner in (("tax_id", clean_thai_tax_id), ("promptpay_id", clean_promptpay_id)):
        if clean[name]:
            try:
                clean[name] = cleaner(clean[name])
            except ValidationError as error:
                errors[name] = error.messages
    return clean, errors


@transaction.atomic
def shop_profile_update(
    *, actor: User | None, fields: dict[str, Any], logo: Any = None, logo_clear: bool = False
) -> Shop:
    """Save the shop's profile (every text field; ``logo`` a new upload, ``logo_clear`` to
    remove it), all or nothing: a ValidationError naming each bad field, the row as it
    was. Writes the audit row; the old logo file goes once the change is committed."""
    row = ShopProfile.objects.select_for_update().filter(pk=ShopProfile.ONLY_ID).first()
    created = row is None
    row = row or ShopProfile(pk=ShopProfile.ONLY_ID)
    before = {} if created else snapshot(row, AUDITED_FIELDS)
    old_logo = row.logo.name or ""
    clean, errors = _normalised(fields)
    for name, value in clean.items():
        setattr(row, name, value)
    for name in BACKUP_FIELDS:
        if name in fields:
            setattr(row, name, fields[name])
    if logo:
        try:
            row.logo = logo_file(logo)
        except ValidationError as error:
            errors.update(error.message_dict)
    elif logo_clear:
        row.logo = ""
    try:
        row.full_clean(exclude=["updated_by", *errors])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    changes = diff(before, snapshot(row, AUDITED_FIELDS))
    if not created and not changes:
        return shop_of(row)  # saved unchanged: nothing to write, nothing to audit
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.save()
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    audit_record(actor=actor, action=action, subject=row, changes=changes)
    if old_logo and old_logo != (row.logo.name or ""):
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    shop_profile_forget()
    transaction.on_commit(shop_profile_forget)
    return shop_of(row)
