"""The login's second half: the lockout page, verifying a code, setting up an authenticator,
and turning it off from the preferences page (docs/security.md)."""

import base64
from typing import Any

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samphan.accounts import queries, second_factor, services
from samphan.accounts.forms import SecondFactorCodeForm
from samphan.core.forms import add_errors
from samphan.core.http import Request, client_address


def login_locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page again, saying
    why and for how long, with 429."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    minutes = queries.lock_minutes_left(username=username, address=client_address(request))
    form = AuthenticationForm(request, initial={"username": username[:150]})
    context = {"form": form, "locked_minutes": minutes, "next": request.POST.get("next", "")}
    answer = render(request, "registration/login.html", context, status=429)
    answer["Retry-After"] = str(minutes * 60)
    return answer


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return "/"


@never_cache
@login_required
def two_factor_verify(request: Request) -> HttpResponse:
    """After the password: a code from the authenticator, or one recovery code."""
    if request.session.get(second_factor.SESSION_KEY) != second_factor.VERIFY:
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "").lower()
        device = django_otp.match_token(request.user, code)
        if device is not None:
            django_otp.login(request, device)
            request.session[second_factor.SESSION_KEY] = second_factor.DONE
            if device.persistent_id.startswith("otp_static"):
                left = second_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)s are left.") % {"left": left},
                )
            return redirect(_next_url(request))
        form.add_error("code", _("That code is not right, or it was already used."))
    status = 400 if form.errors else 200
    context = {"form": form, "next": _next_url(request)}
    return render(request, "registration/two_factor_verify.html", context, status=status)


@never_cache
@login_required
def two_factor_setup(request: Request) -> HttpResponse:
    """QR code and key for the authenticator app; a right code turns it on and shows the
    ten recovery codes, once."""
    state = request.session.get(second_factor.SESSION_KEY)
    if state == second_factor.VERIFY or (
        state == second_factor.DONE and second_factor.has_authenticator(request.user)
    ):
        return redirect("preferences")
    device = services.two_factor_begin(user=request.user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            django_otp.login(request, device)
            request.session[second_factor.SESSION_KEY] = second_factor.DONE
            return render(request, "registration/two_factor_recovery.html", {"codes": codes})
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "required": second_factor.required_for(request.user),
    }
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_setup.html", context, status=status)


@login_required
@require_POST
def two_factor_off(request: Request) -> HttpResponse:
    """Turn one's own second factor off, where the role does not require it."""
    if second_factor.required_for(request.user):
        messages.error(request, _("Your role requires two-step sign-in; it stays on."))
    elif services.two_factor_remove(actor=request.user, user=request.user):
        messages.success(request, _("Two-step sign-in is off."))
    return redirect("preferences")
