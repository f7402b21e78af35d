from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from samphan.accounts import second_factor
from samphan.core.dates import buddhist_era_preference


class UserLanguageMiddleware:
    """Speak each user's own language; Thai before login unless the browser asks for English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        buddhist_era = True
        if user is not None and user.is_authenticated:
            language = user.language
            buddhist_era = user.buddhist_era
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        token = buddhist_era_preference.set(buddhist_era)
        try:
            response = self.get_response(request)
        finally:
            buddhist_era_preference.reset(token)
        response.headers.setdefault("Content-Language", language)
        return response


class SecondFactorMiddleware:
    """Hold a login that still owes its second factor on the verify or set-up page.

    Everything else answers a redirect there (the API: 403), so a stolen password alone
    reaches nothing. The state is read from the session (``second_factor``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        state = request.session.get(second_factor.SESSION_KEY)
        if state is None:  # a session from before two-step sign-in existed
            state = second_factor.state_for(user)
            request.session[second_factor.SESSION_KEY] = state
        if state == second_factor.DONE:
            return self.get_response(request)
        page = reverse("two_factor_verify" if state == second_factor.VERIFY else "two_factor_setup")
        if request.path_info in {page, reverse("logout"), reverse("language_switch")}:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Finish the two-step sign-in first.")}, status=403)
        if state == second_factor.VERIFY and request.method == "GET":
            return redirect(f"{page}?{urlencode({'next': request.get_full_path()})}")
        return redirect(page)
