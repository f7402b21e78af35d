"""The shop's settings page (admins) and its logo (public: the sign-up page shows it)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.models import ShopProfile
from samphan.core.permissions import require_perm
from samphan.core.shop import (
    CHANGE_SHOP,
    backup_status_source,
    shop_profile,
    shop_profile_initial,
    shop_profile_update,
)
from samphan.core.shop_forms import ShopProfileForm
from samphan.core.shop_logo import logo_bytes


class CurrentLogo:
    """What the file input shows as the current logo (a link to it) beside "clear"."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return _("current logo")


@login_required
def shop_settings(request: Request) -> HttpResponse:
    require_perm(request.user, CHANGE_SHOP)
    shop = shop_profile()
    initial = {**shop_profile_initial(), "logo": CurrentLogo(shop.logo_url) if shop.logo else None}
    form = ShopProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        logo = form.cleaned_data["logo"]  # an upload; False: "clear" ticked; else unchanged
        try:
            shop_profile_update(actor=request.user, fields=form.cleaned_data,
                                logo=logo if isinstance(logo, UploadedFile) else None,
                                logo_clear=logo is False)  # fmt: skip
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The shop's details are saved."))
            return redirect("shop_settings")
    context = {"form": form, "shop": shop, "backup": last_backup()}
    status = 400 if request.method == "POST" else 200
    return render(request, "core/shop_settings.html", context, status=status)


def last_backup() -> dict[str, Any] | None:
    """The last backup's time (aware), size in MB, and outcome; None before the first."""
    status = backup_status_source[0]() if backup_status_source else None
    if not status:
        return None
    return {**status, "at": dt.datetime.fromisoformat(status["time"]),
            "megabytes": f"{status.get('size', 0) / 1e6:.1f}"}  # fmt: skip


def shop_logo(request: HttpRequest) -> HttpResponse:
    """The logo, to anyone (it is on every quotation); its address changes with each
    upload, so it may be cached for long."""
    name = ShopProfile.objects.filter(pk=ShopProfile.ONLY_ID).values_list("logo", flat=True)
    data = logo_bytes(name.first() or "")
    if not data:
        raise Http404
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
