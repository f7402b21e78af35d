"""The project's URLs and one view that fails, for tests/core/test_errors.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from samphan.urls import urlpatterns as samphan_urlpatterns


def till_jammed(request: HttpRequest) -> HttpResponse:
    customer = {"name": request.POST.get("name"), "phone": request.POST.get("phone")}
    if request.user.is_authenticated:
        raise RuntimeError("the till jammed")
    return HttpResponse(str(customer))


urlpatterns = [*samphan_urlpatterns, path("till/", till_jammed)]
