"""A segment's rules and how they become one SQL query.

Rules are JSON, nested groups of conditions::

    {"match": "all", "rules": [
        {"field": "tier", "op": "in", "value": ["gold", "platinum"]},
        {"field": "spend_period", "op": "gte", "value": 5000, "days": 90},
        {"match": "any", "rules": [
            {"field": "tag", "op": "any", "value": [3]},
            {"field": "usual_weekday", "op": "in", "value": [5, 6]}]}]}

``match`` is "all" (AND) or "any" (OR). Each condition names a field of ``FIELDS`` (or
``custom.<key>`` for a custom field), an operator that field allows and a value of the
field's kind. ``compile_rules`` checks everything first and raises ``RuleError`` naming
the path of the first bad part (``rules.1.value``); then it returns a ``Q`` over
customers in which every behaviour condition is a subquery, so that counting a segment,
listing it or sending to it is one statement whatever the nesting.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samphan.analytics import queries as analytics
from samphan.core import dates
from samphan.customers.models import (
    ConsentRecord,
    Customer,
    CustomFieldDefinition,
    Interest,
    Tag,
    consent_bit,
)
from samphan.marketing.models import Segment, SegmentMember
from samphan.sales.models import Order

MAX_DEPTH = 4  # groups within groups: enough for any rule a person reads at a glance
MAX_CONDITIONS = 50
MAX_DAYS = 3660
MAX_NUMBER = Decimal("1e12")


class RuleError(ValueError):
    def __init__(self, path: str, message: Any) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = str(message)


# Operators and how the builder shows them.
OPERATORS: dict[str, Promise] = {
    "in": _("is one of"),
    "not_in": _("is none of"),
    "any": _("has any of"),
    "none": _("has none of"),
    "is": _("is"),
    "gte": _("at least"),
    "lte": _("at most"),
    "eq": _("equals"),
    "contains": _("contains"),
    "within_days": _("within the last … days"),
    "not_within_days": _("not within the last … days (or never)"),
    "never": _("never"),
    "granted": _("given"),
    "not_granted": _("not given"),
}


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    group: Any
    ops: tuple[str, ...]
    # What the value is: "choices" (a list of the choices' values), "number", "days",
    # "bool", "words" (a list of texts), "text", "date", "none".
    value: str
    build: Callable[[str, Any, dict[str, Any]], Q]
    choices: Callable[[], list[tuple[Any, Any]]] | None = None
    period: bool = False  # also takes "days": the last N days

    def describe(self) -> dict[str, Any]:
        """What the builder and the API's clients need to know of this field."""
        return {
            "key": self.key,
            "label": str(self.label),
            "group": str(self.group),
            "ops": [{"key": op, "label": str(OPERATORS[op])} for op in self.ops],
            "value": self.value,
            "choices": [[value, str(label)] for value, label in self.choices()]
            if self.choices
            else None,
            "period": self.period,
        }


ATTRIBUTES, BEHAVIOUR, CONSENT_AND_LISTS = _("Who they are"), _("What they do"), _("Consent, lists")


def _in(lookup: str) -> Callable[[str, Any, dict[str, Any]], Q]:
    def build(op: str, value: Any, _rule: dict[str, Any]) -> Q:
        q = Q(**{f"{lookup}__in": value})
        return q if op == "in" else ~q

    return build


def _ids_through(model: Any, column: str) -> Callable[[str, Any, dict[str, Any]], Q]:
    """Tags and interests: a subquery of the link table, not a join (no duplicate rows)."""

    def build(op: str, value: Any, _rule: dict[str, Any]) -> Q:
        q = Q(pk__in=model.objects.filter(**{f"{column}__in": value}).values("customer_id"))
        return q if op == "any" else ~q

    return build


def _vip(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    return Q(is_vip=value)


def _referred(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    q = Q(referred_by__isnull=False)
    return q if value else ~q


def _referred_by(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    """By the member's number or their referral code (loyalty's ``Member``)."""
    return Q(referred_by__member_number=value) | Q(referred_by__member__referral_code=value.upper())


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    today = timezone.localdate()
    years = min(int(value), 150)  # older than anyone: the same as 150, and a valid date
    if op == "gte":  # had their birthday N years ago or earlier
        return Q(birthday__lte=_years_before(today, years))
    return Q(birthday__gt=_years_before(today, years + 1))


def _birthday_month(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    return Q(birthday__month__in=value)


def _activity_number(column: str) -> Callable[[str, Any, dict[str, Any]], Q]:
    """Lifetime figures from the roll-up; a customer without one has 0."""

    def build(op: str, value: Any, _rule: dict[str, Any]) -> Q:
        if op == "gte":
            q = Q(**{f"activity__{column}__gte": value})
            return q if value > 0 else q | Q(activity__isnull=True)
        return Q(**{f"activity__{column}__lte": value}) | Q(activity__isnull=True)

    return build


def _period(rule: dict[str, Any]) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=int(rule["days"]))


def _orders_in_period(aggregate: Any, measure: str) -> Callable[[str, Any, dict[str, Any]], Q]:
    """Spend or orders in the last N days: the paid orders of the period summed per
    customer, from the insights' columns when this process has them (the qualifying
    customers' ids as a parameter, or a temporary table on SQLite), else a subquery the
    orders' date index answers."""

    def build(op: str, value: Any, rule: dict[str, Any]) -> Q:
        if op == "gte" and value <= 0:
            return Q()
        table = f"segment_period_{rule['_position']}"
        bound = {"at_least": value} if op == "gte" else {"above": value}
        selected = analytics.period_buyer_ids(_period(rule), measure=measure, table=table, **bound)
        if selected is not None:
            q = Q(pk__in=RawSQL(*selected))  # noqa: S611 - our table's name, ids as a parameter
            return q if op == "gte" else ~q
        per_customer = (
            Order.objects.filter(status=Order.Status.PAID, ordered_at__gte=_period(rule))
            .values("customer_id")
            .annotate(figure=aggregate)
        )
        if op == "gte":
            if value <= 0:
                return Q()
            return Q(pk__in=per_customer.filter(figure__gte=value).values("customer_id"))
        # At most: everyone but those above it, so those with no order count as 0.
        return ~Q(pk__in=per_customer.filter(figure__gt=value).values("customer_id"))

    return build


def _last_purchase(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    if op == "never":
        return Q(activity__last_purchase_at__isnull=True)
    since = timezone.now() - dt.timedelta(days=int(value))
    recent = Q(activity__last_purchase_at__gte=since)
    return recent if op == "within_days" else ~recent


def _usual_weekday(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    return Q(pk__in=analytics.usual_weekday_customer_ids(value))


def _rfm(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    q = Q(pk__in=analytics.rfm_segment_customer_ids(value))
    return q if op == "in" else ~q


def _consent(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    """The latest record for that channel and purpose says granted (withdrawals win), as
    ``consent_record`` keeps it in the customer's ``consent_bits``: a test on the row the
    query reads anyway (finding the grants no later record follows was far slower at a
    million customers)."""
    channel, purpose = value.split(":")
    bit = consent_bit(channel, purpose)
    in_force = Exact(F("consent_bits").bitand(bit), bit)
    if op == "granted":  # the range lets the consent index serve it
        return Q(consent_bits__gte=bit) & Q(in_force)
    return Q(consent_bits__isnull=True) | ~Q(in_force)


def _lists(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    q = Q(pk__in=SegmentMember.objects.filter(segment_id__in=value).values("customer_id"))
    return q if op == "any" else ~q


def _custom(op: str, value: Any, rule: dict[str, Any]) -> Q:
    lookup = f"custom_fields__{rule['field'].removeprefix('custom.')}"
    if isinstance(value, Decimal):  # compared as a JSON number
        value = int(value) if value == value.to_integral_value() else float(value)
    if op == "in":
        return Q(**{f"{lookup}__in": value})
    if op == "contains":
        return Q(**{f"{lookup}__icontains": value})
    if op == "eq":
        return Q(**{lookup: value})
    return Q(**{f"{lookup}__{op}": value})


def _model_choices(model: Any) -> Callable[[], list[tuple[Any, str]]]:
    return lambda: [(pk, name) for pk, name in model.objects.values_list("pk", "name")]


def _static_lists() -> list[tuple[Any, str]]:
    return list(Segment.objects.filter(kind=Segment.Kind.STATIC).values_list("pk", "name"))


def _provinces() -> list[tuple[Any, str]]:
    names = (
        Customer.objects.exclude(province="")
        .values_list("province", flat=True)
        .distinct()
        .order_by("province")[:200]
    )
    return [(name, name) for name in names]


WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
MONTH_CHOICES = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


def _consent_choices() -> list[tuple[Any, str]]:
    return [
        (f"{channel.value}:{purpose.value}", f"{channel.label} · {purpose.label}")
        for channel in ConsentRecord.Channel
        for purpose in ConsentRecord.Purpose
    ]


def _choices_of(choices: Any) -> Callable[[], list[tuple[Any, Any]]]:
    return lambda: list(choices)


def _rfm_choices() -> list[tuple[Any, Any]]:
    return list(analytics.RFMSegment.choices)


FIELDS: dict[str, Field] = {
    field.key: field
    for field in [
        Field("stage", _("stage"), ATTRIBUTES, ("in", "not_in"), "choices", _in("stage"),
              _choices_of(Customer.Stage.choices)),
        Field("tier", _("tier"), ATTRIBUTES, ("in", "not_in"), "choices", _in("tier"),
              _choices_of(Customer.Tier.choices)),
        Field("vip", _("VIP"), ATTRIBUTES, ("is",), "bool", _vip),
        Field("kind", _("person or company"), ATTRIBUTES, ("in",), "choices", _in("kind"),
              _choices_of(Customer.Kind.choices)),
        Field("gender", _("gender"), ATTRIBUTES, ("in", "not_in"), "choices", _in("gender"),
              _choices_of(Customer.Gender.choices)),
        Field("tag", _("tags"), ATTRIBUTES, ("any", "none"), "choices",
              _ids_through(Customer.tags.through, "tag_id"), _model_choices(Tag)),
        Field("interest", _("interests"), ATTRIBUTES, ("any", "none"), "choices",
              _ids_through(Customer.interests.through, "interest_id"), _model_choices(Interest)),
        Field("industry", _("industry"), ATTRIBUTES, ("in", "not_in"), "choices",
              _in("industry"), _choices_of(Customer.Industry.choices)),
        Field("province", _("province"), ATTRIBUTES, ("in", "not_in"), "words",
              _in("province"), _provinces),
        Field("source", _("source"), ATTRIBUTES, ("in", "not_in"), "choices", _in("source"),
              _choices_of(Customer.Source.choices)),
        Field("age", _("age"), ATTRIBUTES, ("gte", "lte"), "number", _age),
        Field("birthday_month", _("birthday month"), ATTRIBUTES, ("in",), "choices",
              _birthday_month, _choices_of(MONTH_CHOICES)),
        Field("revenue", _("revenue, all time (฿)"), BEHAVIOUR, ("gte", "lte"), "number",
              _activity_number("revenue")),
        Field("orders", _("orders, all time"), BEHAVIOUR, ("gte", "lte"), "number",
              _activity_number("order_count")),
        Field("spend_period", _("spend in a period (฿)"), BEHAVIOUR, ("gte", "lte"),
              "number", _orders_in_period(Sum("revenue"), "revenue"), period=True),
        Field("orders_period", _("orders in a period"), BEHAVIOUR, ("gte", "lte"),
              "number", _orders_in_period(Count("id"), "orders"), period=True),
        Field("last_purchase", _("last purchase"), BEHAVIOUR,
              ("within_days", "not_within_days", "never"), "days", _last_purchase),
        Field("visits", _("visits, all time"), BEHAVIOUR, ("gte", "lte"), "number",
              _activity_number("visit_count")),
        Field("usual_weekday", _("usually comes on"), BEHAVIOUR, ("in",), "choices",
              _usual_weekday, _choices_of(WEEKDAY_CHOICES)),
        Field("rfm", _("RFM segment"), BEHAVIOUR, ("in", "not_in"), "choices", _rfm,
              _rfm_choices),
        Field("referred", _("referred by a member"), BEHAVIOUR, ("is",), "bool", _referred),
        Field("referred_by", _("referred by (member number or code)"), BEHAVIOUR, ("eq",),
              "text", _referred_by),
        Field("consent", _("consent"), CONSENT_AND_LISTS, ("granted", "not_granted"),
              "choice", _consent, _consent_choices),
        Field("list", _("static list"), CONSENT_AND_LISTS, ("any", "none"), "choices", _lists,
              _static_lists),
    ]
}  # fmt: skip

CUSTOM_OPS: dict[str, tuple[str, ...]] = {
    CustomFieldDefinition.FieldType.TEXT: ("eq", "contains"),
    CustomFieldDefinition.FieldType.NUMBER: ("gte", "lte", "eq"),
    CustomFieldDefinition.FieldType.DATE: ("gte", "lte"),
    CustomFieldDefinition.FieldType.CHOICE: ("in",),
}
CUSTOM_VALUE = {"text": "text", "number": "number", "date": "date", "choice": "choices"}


def custom_fields() -> list[Field]:
    return [
        Field(
            f"custom.{definition.key}",
            definition.label,
            ATTRIBUTES,
            CUSTOM_OPS[definition.field_type],
            CUSTOM_VALUE[definition.field_type],
            _custom,
            _choices_of([(choice, choice) for choice in definition.choices])
            if definition.field_type == CustomFieldDefinition.FieldType.CHOICE
            else None,
        )
        for definition in CustomFieldDefinition.objects.all()
    ]


# Conditions other apps add (support: satisfaction and recommendation scores), registered
# in their ready(): marketing imports no app above it.
_registered: list[Callable[[], list[Field]]] = []


def rule_fields_register(fields: Callable[[], list[Field]]) -> None:
    if fields not in _registered:
        _registered.append(fields)


def all_fields() -> dict[str, Field]:
    registered = {field.key: field for source in _registered for field in source()}
    return {**FIELDS, **registered, **{field.key: field for field in custom_fields()}}


# -- Checking and compiling ---------------------------------------------------------------------


def compile_rules(rules: Any, fields: dict[str, Field] | None = None) -> Q:
    """The customers ``rules`` select, as a Q; ``RuleError`` for the first bad part."""
    return _Compiler(fields, build=True).group(rules, "rules", 1)


def check_rules(rules: Any) -> dict[str, Any]:
    """``RuleError`` for the first bad part, without building anything: building a period
    condition sums the period's orders (saving a segment need not). Returns the rules with
    only the keys they use, so stray keys (and what they hold) are never stored."""
    _Compiler(None, build=False).group(rules, "rules", 1)
    return _canonical(rules)


def _canonical(group: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in group.get("rules", []):
        if "rules" in rule:
            rules.append(_canonical(rule))
        else:
            keys = (
                ("field", "op", "days")
                if rule["op"] == "never"
                else ("field", "op", "value", "days")
            )
            rules.append({key: rule[key] for key in keys if key in rule})
    return {"match": group.get("match", "all"), "rules": rules}


class _Compiler:
    def __init__(self, fields: dict[str, Field] | None, *, build: bool) -> None:
        self.fields = fields if fields is not None else all_fields()
        self.build = build
        self.conditions = 0

    def group(self, group: Any, path: str, depth: int) -> Q:
        if not isinstance(group, dict):
            raise RuleError(path, _("A group of conditions is expected."))
        match = group.get("match", "all")
        if match not in ("all", "any"):
            raise RuleError(f"{path}.match", _("Choose “all” or “any”."))
        rules = group.get("rules", [])
        if not isinstance(rules, list):
            raise RuleError(f"{path}.rules", _("A list of conditions is expected."))
        combined = Q()
        for index, rule in enumerate(rules):
            where = f"{path}.rules.{index}" if path != "rules" else f"rules.{index}"
            if isinstance(rule, dict) and "rules" in rule:
                if depth >= MAX_DEPTH:
                    raise RuleError(where, _("Groups go at most %(n)d deep.") % {"n": MAX_DEPTH})
                q = self.group(rule, where, depth + 1)
            else:
                q = self.condition(rule, where)
            combined = combined & q if match == "all" else combined | q
        return combined

    def condition(self, rule: Any, path: str) -> Q:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise RuleError(path, _("At most %(n)d conditions.") % {"n": MAX_CONDITIONS})
        field, op, value, rule = _checked(rule, path, self.fields)
        return field.build(op, value, rule) if self.build else Q()


def _checked(
    rule: Any, path: str, fields: dict[str, Field]
) -> tuple[Field, str, Any, dict[str, Any]]:
    """The condition's field, operator and value, each checked; the rule with its days."""
    if not isinstance(rule, dict):
        raise RuleError(path, _("A condition is expected."))
    field = fields.get(str(rule.get("field", "")))
    if field is None:
        raise RuleError(f"{path}.field", _("Choose a field."))
    op = rule.get("op")
    if op not in field.ops:
        raise RuleError(
            f"{path}.op", _("Choose what “%(field)s” must be.") % {"field": field.label}
        )
    rule = {**rule}
    if field.period:
        rule["days"] = _whole_number(rule.get("days"), f"{path}.days", low=1, high=MAX_DAYS)
        rule["_position"] = path.replace(".", "_")  # names its temporary table
    value = None if op == "never" else _value(field, rule.get("value"), f"{path}.value")
    return field, op, value, rule


def _value(field: Field, value: Any, path: str) -> Any:
    kind = field.value
    if kind == "bool":
        if not isinstance(value, bool):
            raise RuleError(path, _("Choose yes or no."))
        return value
    if kind == "number":
        return _number(value, path)
    if kind == "days":
        return _whole_number(value, path, low=0, high=MAX_DAYS)
    if kind in ("text", "date"):
        if not isinstance(value, str) or not value.strip() or len(value) > 200 or "\x00" in value:
            raise RuleError(path, _("Enter a value."))
        if kind == "date":
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise RuleError(path, _("Enter a date as YYYY-MM-DD.")) from None
            if not dates.EARLIEST_YEAR <= day.year <= dates.LATEST_YEAR:
                raise RuleError(path, dates.year_range_hint())
        return value.strip()
    if kind == "choice":
        if value not in {str(choice) for choice, _label in _known(field)}:
            raise RuleError(path, _("Choose one of the options."))
        return value
    # A list: of choices, or of free words (provinces).
    if not isinstance(value, list) or not value:
        raise RuleError(path, _("Choose at least one."))
    if kind == "words":
        words = [str(word).strip() for word in value if str(word).strip()]
        if not words or any(len(word) > 100 or "\x00" in word for word in words):
            raise RuleError(path, _("Enter at least one name."))
        return words
    known = {str(choice): choice for choice, _label in _known(field)}
    chosen = [known.get(str(item)) for item in value]
    if any(item is None for item in chosen):
        raise RuleError(path, _("Some of these are not among the options."))
    return chosen


def _known(field: Field) -> Sequence[tuple[Any, str]]:
    return field.choices() if field.choices else []


def _number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise RuleError(path, _("Enter a number."))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleError(path, _("Enter a number.")) from None
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise RuleError(path, _("Enter a number."))
    if number < 0:
        raise RuleError(path, _("Enter zero or more."))
    return number


def _whole_number(value: Any, path: str, *, low: int, high: int) -> int:
    number = _number(value, path)
    if number != number.to_integral_value() or not low <= number <= high:
        raise RuleError(
            path, _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return int(number)
