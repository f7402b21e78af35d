from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
