"""API tokens on the user's own settings page: listed, created (the secret shown once),
revoked. Only the owner sees or revokes a token; an admin cuts all of a user's tokens
by deactivating the user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samphan.accounts import services
from samphan.accounts.forms import TokenCreateForm
from samphan.accounts.models import ApiToken
from samphan.accounts.views import preferences_page
from samphan.core.http import Request


@never_cache
@login_required
@require_POST
def token_create(request: Request) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return preferences_page(request, token_form=form, status=400)
    raw = services.token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        expires_in_days=form.cleaned_data["expires_in_days"],
    )
    # The secret exists only in this response: it is not stored and cannot be shown again.
    return render(
        request, "accounts/token_created.html", {"token": raw, "name": form.cleaned_data["name"]}
    )


@login_required
@require_POST
def token_revoke(request: Request, pk: int) -> HttpResponse:
    # Someone else's token is "not found", the same as one that does not exist.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("preferences")
