"""``{% reach point %}``: the reach column of the top-customers and regulars lists."""

import pytest
from django.template import Context, Template
from django.utils import translation

from samphan.customers.models import ContactPoint


def rendered(point: ContactPoint | None) -> str:
    with translation.override("en"):
        return Template("{% load reach %}{% reach point %}").render(Context({"point": point}))


@pytest.mark.parametrize(
    ("kind", "value", "preferred", "html"),
    [
        ("mobile", "+66812345678", True,
         '<a class="button button-small" href="tel:+66812345678" title="081 234 5678">☎ Call</a>'
         ' <span class="muted small">preferred</span>'),
        ("phone", "+6621234567", False,
         '<a class="button button-small" href="tel:+6621234567" title="02 123 4567">☎ Call</a>'),
        ("email", "a&b@shop.test", False,
         '<a class="button button-small" href="mailto:a&amp;b@shop.test" '
         'title="a&amp;b@shop.test">✉ E-mail</a>'),
        ("line", "shop id", True,
         '<a class="button button-small" href="https://line.me/R/ti/p/~shop%20id" '
         'rel="noopener" title="LINE shop id">LINE</a> <span class="muted small">preferred</span>'),
    ],
)  # fmt: skip
def test_each_kind_of_contact(kind: str, value: str, preferred: bool, html: str) -> None:
    assert rendered(ContactPoint(kind=kind, value=value, is_preferred=preferred)) == html


def test_no_contact() -> None:
    assert rendered(None) == '<span class="muted">no contact</span>'
