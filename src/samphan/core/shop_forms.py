"""The shop's settings form. It only reads what was typed: the service
(``core.shop.shop_profile_update``) normalises and checks every field, so the page and the
API refuse the same things with the same messages."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.forms import Textarea
from samphan.core.models import ShopProfile
from samphan.core.uploads import LogoField

# The form's sections, in order: (legend, field names).
SECTIONS = [
    (_("The shop"), ["name", "name_en", "logo"]),
    (_("On quotations"), ["address", "tax_id", "branch", "promptpay_id"]),
    (_("For customers"), ["public_url", "privacy_notice", "privacy_url"]),
    (_("Backups"), ["backup_hour", "backup_keep"]),
]


def _text(name: str, *, max_length: int | None = None, **kwargs: Any) -> forms.CharField:
    field = ShopProfile._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 - a column, never a relation
    return forms.CharField(
        label=field.verbose_name,
        help_text=field.help_text,
        required=not field.blank,
        # Room for the separators people type (0-1055-…): the service takes them out.
        max_length=max_length or field.max_length,
        **kwargs,
    )


class ShopProfileForm(forms.Form):
    name = _text("name")
    name_en = _text("name_en")
    logo = LogoField(
        label=_("logo"),
        required=False,
        help_text=ShopProfile._meta.get_field("logo").help_text,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    address = _text("address", max_length=1000, widget=Textarea(attrs={"rows": 3}))
    tax_id = _text("tax_id", max_length=30, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    branch = _text("branch", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    promptpay_id = _text("promptpay_id", max_length=30)
    public_url = _text("public_url", max_length=200, widget=forms.URLInput)
    privacy_notice = _text("privacy_notice", max_length=5000, widget=Textarea(attrs={"rows": 5}))
    privacy_url = _text("privacy_url", max_length=200, widget=forms.URLInput)

    backup_hour = forms.IntegerField(
        label=ShopProfile._meta.get_field("backup_hour").verbose_name,
        help_text=ShopProfile._meta.get_field("backup_hour").help_text,
        required=False, min_value=0, max_value=23,
    )  # fmt: skip
    backup_keep = forms.IntegerField(
        label=ShopProfile._meta.get_field("backup_keep").verbose_name,
        help_text=ShopProfile._meta.get_field("backup_keep").help_text,
        required=False, min_value=1, max_value=365,
    )  # fmt: skip

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in SECTIONS]
