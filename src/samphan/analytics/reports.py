"""Sales reports (C21): a period's paid sales grouped by month, product, category, channel
or rep, and customers by RFM segment; each as rows the page, CSV and XLSX share.

Revenue and profit are net of VAT, discounts and returns (refund lines count negative);
cancelled and wholly refunded orders are left out, as everywhere in the insights.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Concat, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import User
from samphan.analytics import rfm
from samphan.analytics.models import DailySales
from samphan.core import exports
from samphan.core.dates import format_month
from samphan.core.periods import Period
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer
from samphan.sales.models import ZERO, Order, OrderLine


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    kind: str = "text"  # text, count, money, rate


@dataclass(frozen=True)
class Report:
    key: str
    title: Promise
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None


CENT = Decimal("0.01")
SALES_COLUMNS = [
    Column("orders", _("Orders"), "count"),
    Column("revenue", _("Revenue"), "money"),
    Column("profit", _("Profit"), "money"),
    Column("margin", _("Margin"), "rate"),
]
KINDS: dict[str, Promise] = {
    "month": _("Sales by month"),
    "product": _("Sales by product"),
    "category": _("Sales by category"),
    "channel": _("Sales by channel"),
    "rep": _("Sales by rep"),
    "segment": _("Customers by RFM segment"),
}


def _orders(user: User, period: Period, customers: QuerySet[Customer] | None) -> QuerySet[Order]:
    orders = Order.objects.visible_to(user).filter(
        status=Order.Status.PAID, ordered_at__gte=period.start, ordered_at__lt=period.end
    )
    return orders if customers is None else orders.filter(customer__in=customers.values("pk"))


def _from_daily_sales(period: Period, kind: str) -> list[dict[str, Any]]:
    """By month or channel from the per-day roll-up, for who sees every order: a range
    over a few hundred rows instead of every paid order of the period (the same sums,
    ``tests/analytics/test_reports.py``)."""
    days = DailySales.objects.filter(day__gte=period.since, day__lte=period.until).order_by()
    grouped = (
        days.annotate(label=TruncMonth("day")).values("label")
        if kind == "month"
        else days.values(label=F("channel"))
    )
    return [
        dict(row)
        for row in grouped.annotate(
            orders=Sum("order_count"), revenue=Sum("revenue"), profit=Sum("profit")
        ).order_by("label" if kind == "month" else "-revenue")
    ]


def _with_margin(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        revenue = Decimal(row["revenue"] or ZERO).quantize(CENT)
        profit = Decimal(row["profit"] or ZERO).quantize(CENT)
        row["revenue"], row["profit"] = revenue, profit
        row["margin"] = round(float(profit / revenue), 4) if revenue else None
    return rows


def _total(rows: list[dict[str, Any]], label: str) -> dict[str, Any]:
    total = {
        "label": label,
        "orders": sum(row["orders"] for row in rows),
        "revenue": sum((row["revenue"] for row in rows), ZERO),
        "profit": sum((row["profit"] for row in rows), ZERO),
    }
    return _with_margin([total])[0]


def sales_report(
    user: User, period: Period, kind: str, customers: QuerySet[Customer] | None = None
) -> Report:
    """The period's sales grouped by ``kind`` (one of ``KINDS`` but segment), of these
    customers' orders when given (a saved segment's)."""
    orders = _orders(user, period, customers)
    label_column = Column("label", KINDS[kind])
    if kind in ("product", "category"):
        # Line figures: an order with three products counts once for each.
        lines = OrderLine.objects.filter(order__in=orders).order_by()
        if kind == "product":
            grouped = lines.values(
                label=Concat(
                    F("product__sku"), Value(" "), F("product__name"), output_field=CharField()
                )
            )
        else:
            grouped = lines.values(label=Coalesce(F("product__category__name"), Value("–")))
        rows: list[dict[str, Any]] = [
            dict(row)
            for row in grouped.annotate(
                orders=Count("order_id", distinct=True),
                revenue=Sum("revenue"),
                profit=Sum("profit"),
            ).order_by("-revenue", "label")
        ]
        label_column = Column("label", _("Product") if kind == "product" else _("Category"))
    elif kind in ("month", "channel") and customers is None and sees_all_records(user):
        rows = _from_daily_sales(period, kind)
    else:
        grouping: dict[str, Callable[[], Any]] = {
            "month": lambda: (
                orders.order_by().annotate(label=TruncMonth("ordered_at")).values("label")
            ),
            "channel": lambda: orders.order_by().values(label=F("channel")),
            "rep": lambda: orders.order_by().values(label=F("sold_by_id")),
        }
        rows = list(
            grouping[kind]()
            .annotate(orders=Count("id"), revenue=Sum("revenue"), profit=Sum("profit"))
            .order_by("label" if kind == "month" else "-revenue")
        )
    if kind in ("month", "channel"):
        if kind == "month":
            for row in rows:
                row["label"] = format_month(row["label"])
            label_column = Column("label", _("Month"))
        else:
            names = dict(Order.Channel.choices)
            for row in rows:
                row["label"] = str(names.get(row["label"], row["label"]))
            label_column = Column("label", _("Channel"))
    elif kind == "rep":
        # Staff by name (a username is a login): one query for the few reps.
        staff = User.objects.in_bulk([row["label"] for row in rows if row["label"]])
        for row in rows:
            row["label"] = str(staff[row["label"]]) if row["label"] in staff else "–"
        label_column = Column("label", _("Rep"))
    rows = _with_margin(rows)
    return Report(
        key=kind,
        title=KINDS[kind],
        columns=[label_column, *SALES_COLUMNS],
        rows=rows,
        total=_total(rows, str(_("Total"))) if rows else None,
    )


def segment_report(user: User, customers: QuerySet[Customer] | None = None) -> Report:
    rows = [
        {
            "label": row.label,
            "customers": row.customers,
            "share_of_customers": row.share_of_customers,
            "revenue": row.revenue,
            "share_of_revenue": row.share_of_revenue,
        }
        for row in rfm.segment_summary(user, customers)
    ]
    return Report(
        key="segment",
        title=KINDS["segment"],
        columns=[
            Column("label", _("Segment")),
            Column("customers", _("Customers"), "count"),
            Column("share_of_customers", _("Share"), "rate"),
            Column("revenue", _("Lifetime revenue"), "money"),
            Column("share_of_revenue", _("Of revenue"), "rate"),
        ],
        rows=rows,
        total=None,
    )


def _rows_for_export(report: Report) -> list[list[Any]]:
    rows = [*report.rows, *([report.total] if report.total else [])]
    return [[row.get(column.key) for column in report.columns] for row in rows]


def as_csv(report: Report) -> str:
    """UTF-8 with a byte-order mark so Excel reads the Thai; plain numbers, no symbols."""
    header = [str(column.label) for column in report.columns]
    body = [
        ["" if value is None else value for value in values] for values in _rows_for_export(report)
    ]
    return exports.csv_text([header, *body])


NUMBER_FORMATS = {"money": "#,##0.00", "count": "#,##0", "rate": "0.0%"}


def as_xlsx(report: Report) -> bytes:
    """One sheet: a bold header, numbers as numbers (money to two places, rates as %)."""
    # Imported here: openpyxl loads slowly and only this download needs it.
    from openpyxl.styles import Font

    header = [str(column.label) for column in report.columns]
    book = exports.xlsx_workbook(str(report.title), [header, *_rows_for_export(report)])
    sheet = book.active
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(report.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 28 if column.kind == "text" else 16
        if column.kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMATS[column.kind]
    if report.total:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    return exports.xlsx_bytes(book)
