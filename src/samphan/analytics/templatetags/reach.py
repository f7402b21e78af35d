"""``{% reach point %}``: how to reach a customer from a list row (call, e-mail or LINE,
and whether they prefer it), or "no contact".

A tag rather than an included template: the top-customers table and the regulars lists
show one a row, and an ``{% include %}`` a row cost more than the rest of the row."""

from django import template
from django.template.defaultfilters import urlencode
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from samphan.core import phones
from samphan.customers.models import ContactPoint

register = template.Library()


@register.simple_tag
def reach(point: ContactPoint | None) -> SafeString:
    if not point:
        return format_html('<span class="muted">{}</span>', gettext("no contact"))
    value = point.value
    if point.kind in ("mobile", "phone"):
        link = format_html(
            '<a class="button button-small" href="tel:{}" title="{}">☎ {}</a>',
            value, phones.format_phone(value), gettext("Call"),
        )  # fmt: skip
    elif point.kind == "email":
        link = format_html(
            '<a class="button button-small" href="mailto:{}" title="{}">✉ {}</a>',
            value, value, gettext("E-mail"),
        )  # fmt: skip
    elif point.kind == "line":
        link = format_html(
            '<a class="button button-small" href="https://line.me/R/ti/p/~{}" rel="noopener"'
            ' title="LINE {}">LINE</a>',
            urlencode(value), value,
        )  # fmt: skip
    else:
        link = SafeString("")
    if point.is_preferred:
        link += format_html(' <span class="muted small">{}</span>', gettext("preferred"))
    return link
