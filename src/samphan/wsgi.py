import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")
application = get_wsgi_application()
# Every view is imported now rather than by the first request: with `samphan serve`
# (gunicorn --preload) once, in the server's master process, before it listens.
get_resolver().url_patterns  # noqa: B018 - loading the URL configuration is the point
