"""The Users pages, for administrators: list, create or invite, edit, deactivate, reset."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samphan.accounts import queries, second_factor, services
from samphan.accounts.forms import UserCreateForm, UserEditForm
from samphan.accounts.models import User
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm


def get_user_for_admin(request: Request, pk: int) -> User:
    """The user ``pk`` for someone who may manage users; 403 for anyone else, 404 if none."""
    require_perm(request.user, "accounts.change_user")
    return get_object_or_404(User.objects.select_related("team"), pk=pk)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


@login_required
def user_list(request: Request) -> HttpResponse:
    require_perm(request.user, "accounts.view_user")
    query = search_term(request)
    status = request.GET.get("status", "")
    status = status if status in queries.STATUSES else ""
    page = paginate(request, queries.user_list(query=query, status=status))
    context = {
        "page": page,
        "query": query,
        "status": status,
        "locked": queries.locked_usernames(member.username for member in page.object_list),
    }
    template = "accounts/user_list.html#results" if request.htmx else "accounts/user_list.html"
    return render(request, template, context)


@login_required
def user_create(request: Request) -> HttpResponse:
    require_perm(request.user, "accounts.add_user")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invite = data["access"] == UserCreateForm.INVITE
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                team=data["team"],
                password=None if invite else data["password"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            _report_created(request, user, invite=invite)
            return redirect("user_edit", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _report_created(request: Request, user: User, *, invite: bool) -> None:
    name = _name(user)
    if not invite:
        messages.success(request, _("%(name)s was added and can log in now.") % {"name": name})
    elif services.user_password_link_send(
        actor=request.user,
        user=user,
        base_url=_base_url(request),
        invitation=True,
    ):
        messages.success(
            request,
            _("%(name)s was added; an invitation went to %(email)s.")
            % {"name": name, "email": user.email},
        )
    else:
        messages.error(request, _mail_failed(name))


def _mail_failed(name: str) -> str:
    return _(
        "The e-mail to %(name)s could not be sent: check the mail server settings, then try "
        "again, or set a temporary password instead."
    ) % {"name": name}


@login_required
def user_edit(request: Request, pk: int) -> HttpResponse:
    user = get_user_for_admin(request, pk)
    form = UserEditForm(request.POST or None, initial=UserEditForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("user_list")
    context = {
        "form": form,
        "subject": user,
        "locked": bool(queries.locked_usernames([user.username])),
        "has_authenticator": second_factor.has_authenticator(user),
        "two_factor_required": second_factor.required_for(user),
    }
    return render(request, "accounts/user_form.html", context)


@login_required
@require_POST
def user_active(request: Request, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a user."""
    user = get_user_for_admin(request, pk)
    actor = request.user
    try:
        if request.POST.get("active") == "1":
            services.user_reactivate(actor=actor, user=user)
            messages.success(request, _("%(name)s can log in again.") % {"name": _name(user)})
        else:
            services.user_deactivate(actor=actor, user=user)
            messages.success(
                request, _("%(name)s can no longer log in or use the API.") % {"name": _name(user)}
            )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("user_edit", pk=user.pk)


@never_cache
@login_required
@require_POST
def user_password_reset(request: Request, pk: int) -> HttpResponse:
    """E-mail a reset link (``method=email``), or set a temporary password shown once here."""
    user = get_user_for_admin(request, pk)
    actor = request.user
    if request.POST.get("method") == "temporary":
        password = services.user_password_set_temporary(actor=actor, user=user)
        # Rendered in this response only: never stored, never in a redirect or a message.
        return render(
            request, "accounts/user_password.html", {"subject": user, "password": password}
        )
    try:
        sent = services.user_password_link_send(
            actor=actor, user=user, base_url=_base_url(request), invitation=False
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("user_edit", pk=user.pk)
    if sent:
        messages.success(request, _("A reset link went to %(email)s.") % {"email": user.email})
    else:
        messages.error(request, _mail_failed(_name(user)))
    return redirect("user_edit", pk=user.pk)


@login_required
@require_POST
def user_unlock(request: Request, pk: int) -> HttpResponse:
    """End a login lockout on the user's account (too many wrong passwords)."""
    user = get_user_for_admin(request, pk)
    if services.user_unlock(actor=request.user, user=user):
        messages.success(request, _("%(name)s can try to log in again.") % {"name": _name(user)})
    return redirect("user_edit", pk=user.pk)


@login_required
@require_POST
def user_two_factor_reset(request: Request, pk: int) -> HttpResponse:
    """Remove the user's authenticator and recovery codes (a lost phone); they set up a new
    one at their next login if their role requires it."""
    user = get_user_for_admin(request, pk)
    if services.two_factor_remove(actor=request.user, user=user):
        messages.success(
            request, _("%(name)s's two-step sign-in was reset.") % {"name": _name(user)}
        )
    return redirect("user_edit", pk=user.pk)
