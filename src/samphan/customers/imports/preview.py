"""The preview page's rows, ready to render: the first rows as they will be saved, each
problem beside its cell, what a matching row will do, and the counts of the rows checked.
Reads only (``preview_rows``)."""

import datetime as dt
from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.dates import format_date
from samphan.customers.imports.fields import CUSTOMER_COLUMNS, FULL_NAME, field_choices
from samphan.customers.imports.mapping import ROW, RowPreview, preview_rows
from samphan.customers.imports.readers import Table
from samphan.customers.models import Customer

SHOWN = 20  # rows shown
CHECKED = 1000  # rows counted (the whole file when it is shorter)
LATIN = {"first_name": "first_name_en", "last_name": "last_name_en"}


def _action_text(preview: RowPreview) -> str:
    name = preview.match.display_name if preview.match else ""
    texts = {
        "create": _("New customer"),
        "skip": _("Skipped: already here as %(name)s") % {"name": name},
        "fill": _("Fills the empty fields of %(name)s") % {"name": name},
        "update": _("Updates %(name)s") % {"name": name},
        "duplicate": _("New customer, flagged as a possible duplicate of %(name)s")
        % {"name": name},
        "fail": _("Not imported: fix the cells in red"),
    }
    return texts.get(preview.action, preview.action)


def _saved(preview: RowPreview, name: str | None) -> str:
    """How a cell will be saved, when that is not the text as it is."""
    fields = preview.fields
    if name == FULL_NAME:
        parts = [fields.get(n) or fields.get(LATIN.get(n, ""), "") for n in
                 ("title", "first_name", "last_name")]  # fmt: skip
        return " · ".join(part for part in parts if part)
    if name not in CUSTOMER_COLUMNS:
        return ""
    value: Any = fields.get(name, fields.get(LATIN.get(name, ""), ""))
    if isinstance(value, dt.date):
        return format_date(value)
    if name == "gender" and value:
        return str(dict(Customer.Gender.choices).get(value, value))
    return str(value or "")


def preview_context(
    user: User, table: Table, mapping: dict[int, str | None], policy: str
) -> dict[str, Any]:
    checked = table.rows[:CHECKED]
    previews = preview_rows(
        table.headers,
        checked,
        mapping,
        existing_policy=policy,
        user=user,
        limit=len(checked),
        line_numbers=table.line_numbers[: len(checked)] or None,
    )
    labels = {value: label for _group, options in field_choices() for value, label in options}
    mapped = [(i, table.headers[i], labels.get(f, f)) for i, f in sorted(mapping.items()) if f]
    rows = []
    for preview, row in zip(previews[:SHOWN], checked, strict=False):
        cells = []
        for index, header, _label in mapped:
            text = row[index] if index < len(row) else ""
            saved = _saved(preview, mapping[index]) if text else ""
            cells.append({"text": text, "saved": saved if saved != text else "", "header": header,
                          "problems": preview.problems.get(index, [])})  # fmt: skip
        rows.append({"line": preview.line, "action": preview.action, "cells": cells,
                     "action_text": _action_text(preview),
                     "row_problems": preview.problems.get(ROW, [])})  # fmt: skip
    actions = Counter(preview.action for preview in previews)
    return {
        "mapped": mapped,
        "rows": rows,
        "checked": len(checked),
        "total": len(table.rows),
        "ok_count": len(previews) - actions["fail"],
        "problem_count": actions["fail"],
        "actions": actions,
        "policy": policy,
        "mapping": mapping,
    }
