"""Writes to the product catalogue: create, update, and CSV import."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.csvfiles import CsvUnreadable, csv_dicts, csv_records
from samphan.core.models import AuditEvent
from samphan.core.uploads import PHOTO
from samphan.sales.models import Category, Product

PRODUCT_FIELDS = (
    "sku",
    "name",
    "name_en",
    "category",
    "unit",
    "list_price",
    "unit_cost",
    "price_includes_vat",
    "is_active",
)

# -- Products -------------------------------------------------------------------------------


def _category(value: Category | str | None) -> Category | None:
    """The form picks a category; the API names one, created the first time it is named."""
    if not isinstance(value, str):
        return value
    name = value.strip()
    return Category.objects.get_or_create(name=name)[0] if name else None


def _apply_product_fields(product: Product, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in PRODUCT_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
        if name == "category":
            value = _category(value)
        setattr(product, name, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def product_create(*, actor: User | None, fields: Mapping[str, Any], photo: Any = None) -> Product:
    product = Product()
    _apply_product_fields(product, fields)
    if photo:
        PHOTO.check(photo, field="photo")
        product.photo = photo
    product.full_clean()
    product.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=product,
        changes=diff({}, snapshot(product, PRODUCT_FIELDS)),
    )
    return product


@transaction.atomic
def product_update(
    *, actor: User | None, product: Product, fields: Mapping[str, Any], photo: Any = None
) -> Product:
    before = snapshot(product, PRODUCT_FIELDS)
    _apply_product_fields(product, fields)
    if photo:
        PHOTO.check(photo, field="photo")
    if photo is not None:
        product.photo = photo
    product.full_clean()
    changes = diff(before, snapshot(product, PRODUCT_FIELDS))
    if changes or photo is not None:
        product.save()
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, subject=product, changes=changes)
    return product


# -- Product import ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)

    @property
    def written(self) -> bool:
        return bool(self.created or self.updated)


CSV_COLUMNS = (
    "sku",
    "name",
    "name_en",
    "category",
    "unit",
    "list_price",
    "unit_cost",
    "price_includes_vat",
    "is_active",
)
# Rows written a transaction: about a quarter of a second on SQLite, so a check-in that
# arrives meanwhile waits that long, well within the busy timeout (settings).
IMPORT_BATCH = 500
TRUE_WORDS = {"1", "true", "yes", "y", "ใช่", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "ไม่", ""}


def _csv_flag(raw: str, default: bool) -> bool:
    word = raw.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return default if not word else False
    raise ValidationError(_("Write yes or no (1 or 0)."))


def _csv_product(row: Mapping[str, str], existing: Product | None) -> Product:
    product = existing or Product()
    for name in ("sku", "name", "name_en", "unit"):
        if name in row and (row[name] or "").strip():
            setattr(product, name, row[name].strip())
    for name in ("list_price", "unit_cost"):
        if (row.get(name) or "").strip():
            setattr(product, name, row[name].strip().replace(",", ""))
    for name, default in (("price_includes_vat", True), ("is_active", True)):
        if name in row:
            try:
                setattr(product, name, _csv_flag(row[name] or "", default))
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from error
    product.full_clean(exclude=["category"])
    return product


def product_import_csv(
    *, actor: User | None, text: str, skip_invalid: bool = False
) -> ImportReport:
    """Create or update products from CSV text (the SKU decides which).

    Every row is checked first; with any bad row nothing is written, unless
    ``skip_invalid`` asks to write the good rows and report the rest. The rows are then
    written ``IMPORT_BATCH`` to a transaction, so another writer (the front desk) waits
    for one batch at most, never for the whole file.
    """
    report = ImportReport()
    try:
        records = csv_records(text)
    except CsvUnreadable as error:
        report.errors.append((error.row, error.column, error.message))
        return report
    header = [name.strip() for name in records[0]] if records else []
    missing = {"sku", "name"} - set(header)
    if missing:
        report.errors.append(
            (1, ", ".join(sorted(missing)), _("The header row lacks this column."))
        )
        return report
    rows = csv_dicts(records, header)
    skus = [(row.get("sku") or "").strip() for row in rows]
    existing = {product.sku: product for product in Product.objects.filter(sku__in=skus)}
    categories = {c.name: c for c in Category.objects.all()}
    valid: list[tuple[Product, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        sku = (row.get("sku") or "").strip()
        if sku in seen:
            report.errors.append((number, "sku", _("This SKU appears twice in the file.")))
            continue
        seen.add(sku)
        try:
            product = _csv_product(row, existing.get(sku))
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                report.errors.extend((number, column, message) for message in messages)
            continue
        valid.append((product, (row.get("category") or "").strip()))
    if report.errors and not skip_invalid:
        return report
    for start in range(0, len(valid), IMPORT_BATCH):
        with transaction.atomic():
            _import_batch(actor, valid[start : start + IMPORT_BATCH], categories, report)
    return report


def _import_batch(
    actor: User | None,
    batch: list[tuple[Product, str]],
    categories: dict[str, Category],
    report: ImportReport,
) -> None:
    for product, category_name in batch:
        if category_name:
            if category_name not in categories:
                categories[category_name] = Category.objects.create(name=category_name[:80])
            product.category = categories[category_name]
        created = product.pk is None
        product.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            subject=product,
            changes={"sku": [None, product.sku], "source": [None, "import"]},
        )
        if created:
            report.created += 1
        else:
            report.updated += 1
