import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.accounts.models import ApiToken, Role, Team, User
from samphan.core import forms as core_forms


class PreferencesForm(core_forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["language", "buddhist_era"]


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Needed for invitations and for “forgot password”."),
    )
    # A callable: the labels are read in the language of each request. No role is chosen
    # in advance: a slip must not make someone an administrator.
    role = forms.ChoiceField(
        label=_("Role"), choices=lambda: [("", _("Choose a role")), *Role.choices()]
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("No team"),
        help_text=_("Sales staff see their own and their team's customers."),
    )

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        roles = user.role_names()
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": roles[0] if roles else "",
            "team": user.team_id,
        }


class UserCreateForm(UserEditForm):
    INVITE, PASSWORD = "invite", "password"

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("For logging in: letters, digits and @ . + - _ only."),
    )
    access = forms.ChoiceField(
        label=_("How they get a password"),
        choices=[
            (INVITE, _("Send an invitation e-mail with a link to set a password")),
            (PASSWORD, _("Set a password now and tell them")),
        ],
        initial=INVITE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "team"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        invite = data.get("access") == self.INVITE
        if invite and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Enter an e-mail address to send the invitation to."))
        if data.get("access") == self.PASSWORD and not data.get("password"):
            self.add_error("password", _("Enter a password, or send an invitation instead."))
        return data


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, so you know which to revoke (e.g. “shop till”)."),
    )
    # A callable: the labels are read in the language of each request.
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=lambda: [
            *((str(days), _("%(days)s days") % {"days": days}) for days in ApiToken.LIFETIMES),
            ("", pgettext_lazy("token expiry", "never")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        initial=str(ApiToken.DEFAULT_LIFETIME),
        help_text=_("A token that expires stops working by itself if it is forgotten."),
    )


class PasswordForgotForm(PasswordResetForm):
    """Django's "forgot password" form, sending our own e-mail (in each user's language)."""

    def get_users(self, email: str) -> list[User]:
        """Every active user with this address, also one invited who never set a password
        (Django's own form skips those: here no account is meant to be password-less)."""
        users = User.objects.filter(email__iexact=email, is_active=True)
        # As Django's own form: the database's case folding may match look-alike addresses;
        # keep only true matches (the mail goes to the stored address in any case).
        return [user for user in users if _same_address(email, user.email)]

    def save(self, *, request: HttpRequest, **_ignored: Any) -> None:  # type: ignore[override]
        from samphan.accounts.emails import password_link_send

        for user in self.get_users(self.cleaned_data["email"]):
            password_link_send(
                user=user, base_url=request.build_absolute_uri("/"), invitation=False
            )


def _same_address(typed: str, stored: str) -> bool:
    """Equal after Unicode compatibility folding and case folding (Django's own test)."""

    def fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text).casefold()

    return fold(typed) == fold(stored)


class PasswordSetForm(SetPasswordForm[User]):
    """Sets the password through the service, which writes the audit row."""

    def save(self, commit: bool = True) -> Any:
        from samphan.accounts.services import user_password_set

        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class PasswordChangeThrottledForm(PasswordChangeForm):
    """Django's password change, with the old password checked through ``authenticate`` so
    that django-axes counts a wrong one like a failed login (and refuses while locked)."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
