from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.accounts import queries, second_factor
from samphan.accounts.forms import PasswordChangeThrottledForm, PreferencesForm, TokenCreateForm
from samphan.accounts.services import user_preferences_update
from samphan.core.http import Request


class LoginView(auth_views.LoginView):
    """Django's login, then straight on to the second factor when one is owed."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        state = self.request.session.get(second_factor.SESSION_KEY)
        if state == second_factor.VERIFY:
            next_url = self.get_redirect_url()
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            return reverse("two_factor_verify") + query
        if state == second_factor.SETUP:
            return reverse("two_factor_setup")
        return super().get_success_url()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, with the old password counted by the login throttle."""

    form_class = PasswordChangeThrottledForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs


@login_required
def preferences(request: Request) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_preferences_update(
            user=request.user,
            language=form.cleaned_data["language"],
            buddhist_era=form.cleaned_data["buddhist_era"],
        )
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    return preferences_page(request, form=form)


def preferences_page(
    request: Request,
    *,
    form: PreferencesForm | None = None,
    token_form: TokenCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The settings page: preferences, roles, API tokens, and for admins the Users link."""
    context: dict[str, Any] = {
        "form": form or PreferencesForm(instance=request.user),
        "token_form": token_form or TokenCreateForm(),
        "tokens": queries.token_list(request.user),
        "has_authenticator": second_factor.has_authenticator(request.user),
        "two_factor_required": second_factor.required_for(request.user),
        "recovery_codes_left": second_factor.recovery_codes_left(request.user),
    }
    return render(request, "accounts/preferences.html", context, status=status)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch language: saved on the user when logged in, in a cookie otherwise."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_preferences_update(
            user=request.user,
            language=language,
            buddhist_era=request.user.buddhist_era,
        )
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response
