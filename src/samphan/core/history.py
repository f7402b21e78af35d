"""The audit log as a reader sees it: what changed, named in the page's language.

An audit row keeps codes (``customers.customer``, ``birthday``, ``gold``, a related
record's id, a time in UTC); a history line shows the model's and field's names, a
choice's label, the related record's name, and dates as ``core.dates`` writes them (in
Bangkok time, Buddhist era on request). Related records are read in one query per model,
whatever the number of lines.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_lazy

from samphan.core.dates import format_date, format_datetime
from samphan.core.http import User
from samphan.core.models import AuditEvent

EMPTY = "—"
# Keys a service records that are not fields of the model it changed.
OTHER_KEYS = {
    "customers": gettext_lazy("customers"),
    "merged_from": gettext_lazy("merged from"),
    "reason": gettext_lazy("reason"),
    "points": gettext_lazy("points"),
    "total": gettext_lazy("total"),
    "two_factor": gettext_lazy("two-step sign-in"),
    "login_lock": gettext_lazy("login lock"),
    "api_tokens_revoked": gettext_lazy("API tokens revoked"),
    "list": gettext_lazy("list"),
    "rows": gettext_lazy("rows"),
    "retention": gettext_lazy("retention"),
    "count": gettext_lazy("count"),
    "before": gettext_lazy("older than"),
}
# Words services record as values of the keys above.
OTHER_VALUES = {
    "on": gettext_lazy("on"),
    "off": gettext_lazy("off"),
    "locked": gettext_lazy("locked"),
    "unlocked": gettext_lazy("unlocked"),
}


# The actions' labels, looked up directly (``get_action_display`` rebuilds a dict a call).
ACTIONS = dict(AuditEvent.Action.choices)


@dataclass(frozen=True)
class Change:
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    actor: User | None
    action: str
    subject: str
    changes: list[Change]


def history_lines(events: Iterable[AuditEvent]) -> list[HistoryLine]:
    events = list(events)
    related = _related_names(events)
    return [
        HistoryLine(
            at=event.at,
            actor=event.actor,
            action=str(ACTIONS.get(event.action, event.action)),
            subject=_model_name(event.subject_type),
            changes=[
                _change(_model(event.subject_type), key, values, related)
                for key, values in _in_field_order(event)
            ],
        )
        for event in events
    ]


def _in_field_order(event: AuditEvent) -> list[tuple[str, Any]]:
    """The changes in the order of the model's fields (PostgreSQL's jsonb keeps no order),
    other keys after them."""
    position = _field_positions(event.subject_type)
    changes = (event.changes or {}).items()
    return sorted(changes, key=lambda item: (position.get(item[0], len(position)), item[0]))


@functools.cache
def _field_positions(subject_type: str) -> dict[str, int]:
    """Each field's place in its model (the models are fixed once Django has started)."""
    model = _model(subject_type)
    fields = [field.name for field in model._meta.get_fields()] if model else []
    return {name: index for index, name in enumerate(fields)}


@functools.cache
def _model(subject_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None


def _model_name(subject_type: str) -> str:
    model = _model(subject_type)
    return str(model._meta.verbose_name) if model else subject_type


@functools.cache
def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _change(
    model: type[models.Model] | None,
    key: str,
    values: Any,
    related: dict[tuple[type[models.Model], Any], str],
) -> Change:
    field = _field(model, key)
    before, after = values if isinstance(values, list) and len(values) == 2 else (None, values)
    return Change(
        _change_name(model, key, get_language()),
        value_label(field, before, related),
        value_label(field, after, related),
    )


@functools.cache
def _change_name(model: type[models.Model] | None, key: str, language: str | None) -> str:
    """A change's name in ``language`` (the page's: the argument keys the cache)."""
    field = _field(model, key)
    name = getattr(field, "verbose_name", None) or OTHER_KEYS.get(key, key.replace("_", " "))
    return capfirst(str(name))


def _related_names(events: list[AuditEvent]) -> dict[tuple[type[models.Model], Any], str]:
    """The names of every related record the events mention: one query per model."""
    wanted: dict[type[models.Model], set[Any]] = {}
    for event in events:
        model = _model(event.subject_type)
        for key, values in (event.changes or {}).items():
            field = _field(model, key)
            if field is None or not field.is_relation or not isinstance(values, list):
                continue
            for value in values:
                found = value if isinstance(value, list) else [value]
                wanted.setdefault(field.related_model, set()).update(i for i in found if i)
    names = {}
    for model, ids in wanted.items():
        for pk, record in model._default_manager.in_bulk(list(ids)).items():
            names[(model, pk)] = str(record)
    return names


def value_label(
    field: Any, value: Any, related: dict[tuple[type[models.Model], Any], str] | None = None
) -> str:
    """One recorded value as a reader sees it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field is None:
        return str(OTHER_VALUES.get(value, value)) if isinstance(value, str) else str(value)
    if field.is_relation:
        ids = value if isinstance(value, list) else [value]
        return ", ".join((related or {}).get((field.related_model, pk), f"#{pk}") for pk in ids)
    if field.choices:
        return str(_choices(field).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, models.FileField):  # a stored name means nothing to a reader
        return gettext("a file")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return format_datetime(moment) if moment else str(value)
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return format_date(day) if day else str(value)
    return str(value)


@functools.cache
def _choices(field: Any) -> dict[Any, Any]:
    """A field's choices by value, the labels lazy (translated when shown)."""
    return dict(field.flatchoices)
