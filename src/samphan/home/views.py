"""The home page and the uploaded files: they read several apps, so they live above them
all (core, the shared kernel, imports none of the apps)."""

import posixpath

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from samphan.analytics import views as analytics_views
from samphan.core.http import Request
from samphan.core.storage import stored_file_response
from samphan.customers.queries import customer_counts, photo_visible_to
from samphan.customers.timeline import latest_activity

# Where Customer.photo uploads go (its upload_to, "photos/%Y/%m/").
CUSTOMER_PHOTOS = "photos/"
# Folders never served here: full exports (downloaded only through their page, by
# administrators, audited), uploaded import files and those between the import steps.
PRIVATE_FOLDERS = ("exports/", "imports/", "import-uploads/", "support/")


@login_required
def home(request: Request) -> HttpResponse:
    """The insights dashboard for users who see sales; for the others, counts and latest
    activity (the dashboard shows the same beside its figures)."""
    if request.user.has_perm("sales.view_order"):
        return analytics_views.dashboard(request)
    user = request.user
    context = {"counts": customer_counts(user), "recent": latest_activity(user)}
    return render(request, "home/home.html", context)


@login_required
def media(request: Request, path: str) -> HttpResponseBase:
    """Uploaded files are personal data: never public, and a customer's photo only for
    those who may see that customer (anything else is a 404, as for the customer page)."""
    # The name as the storage will resolve it, so "x/../photos/…" cannot skip the check;
    # compared case-blind for file systems that are ("PHOTOS/…" on a Mac).
    name = posixpath.normpath(path).lstrip("/")
    if name.casefold().startswith(CUSTOMER_PHOTOS) and not photo_visible_to(request.user, name):
        raise Http404
    if name.casefold().startswith(PRIVATE_FOLDERS) or name.startswith(".."):
        raise Http404
    # Any other folder (none yet; product images later) is served to every logged-in
    # user: give it its own check here when it holds personal data.
    # Streamed from the storage (the local disk or the bucket: core/storage.py).
    try:
        response = stored_file_response(request, name)
    except FileNotFoundError as error:
        raise Http404 from error
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
