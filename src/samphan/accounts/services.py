"""Writes to users, their roles and teams, and their API tokens.

Every function runs in one transaction and writes its audit row (never a password or a
token, only that one changed). Bad input raises ``ValidationError`` keyed by field name.
"""

import datetime as dt
import secrets
from functools import cache

from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samphan.accounts.emails import password_link_send
from samphan.accounts.models import ApiToken, Role, Team, User, hash_token
from samphan.accounts.queries import locked_usernames
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.bulk import python_values
from samphan.core.models import AuditEvent

# What an audit row of a user records: ids and names, never a password.
USER_AUDIT_FIELDS = ("username", "first_name", "last_name", "email", "team", "is_active")
RECOVERY_CODES = 10


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str = "",
    expires_in_days: int | None = ApiToken.DEFAULT_LIFETIME,
    actor: User | None = None,
) -> str:
    """Create a token for ``user`` and return it; only its hash is kept. It expires after
    ``expires_in_days`` (90 unless told), never with None."""
    raw = ApiToken.generate()
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(raw), hint=raw[:8], expires_at=expires_at
    )
    audit_record(
        actor=actor or user,
        action=AuditEvent.Action.CREATE,
        subject=token,
        changes={"user": user.pk, "name": name, "expires_in_days": expires_in_days},
    )
    return raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    """Delete the token: a request bearing it is refused from now on."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=token,
        changes={"user": token.user_id, "name": token.name},
    )
    token.delete()


def token_authenticate(raw: str) -> User | None:
    """The active user of an active token, in one plain statement: every API call asks,
    and compiling the ORM's query (the token, its user) cost ten times running it."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _token_sql(),
            [hash_token(raw), True, connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, last_used_at = python_values(ApiToken, ["id", "last_used_at"], row[:2])
    # Touch last_used_at at most once a minute so reads stay reads.
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    names = [field.attname for field in User._meta.concrete_fields]
    return User.from_db(connection.alias, names, python_values(User, names, row[2:]))


@cache
def _token_sql() -> str:
    """``ApiToken.objects.active()`` with its user, active too."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(str(field.column))}" for field in User._meta.concrete_fields)
    return (
        f"SELECT t.id, t.last_used_at, {columns} FROM {ApiToken._meta.db_table} t "  # noqa: S608
        f"JOIN {User._meta.db_table} u ON u.id = t.user_id "
        "WHERE t.key_hash = %s AND u.is_active = %s "
        "AND (t.expires_at IS NULL OR t.expires_at > %s)"
    )


@transaction.atomic
def user_preferences_update(*, user: User, language: str, buddhist_era: bool) -> User:
    user.language = language
    user.buddhist_era = buddhist_era
    user.save(update_fields=["language", "buddhist_era"])
    return user


def active_admins() -> QuerySet[User]:
    """Active users who may manage users: superusers and holders of the admin role."""
    return User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True
    ).distinct()


def _check_unique(*, username: str, email: str, exclude: int | None) -> None:
    others = User.objects.exclude(pk=exclude) if exclude else User.objects.all()
    errors = {}
    # Case-insensitive: "Nok" and "nok" would be two people who log in alike.
    if others.filter(username__iexact=username).exists():
        errors["username"] = _("Another user already has this username.")
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = _("Another user already has this e-mail address.")
    if errors:
        raise ValidationError(errors)


def _clean_fields(user: User, *, email: str) -> None:
    """The model's own checks (username characters and length), keyed by field."""
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError({"email": _("Enter a valid e-mail address.")}) from error
    try:
        user.full_clean(exclude=["password", "last_login", "date_joined"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


def _role_group(role: str) -> Group:
    if role not in Role.NAMES:
        raise ValidationError({"role": _("Choose one of the roles.")})
    return Group.objects.get(name=role)


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    role: str,
    team: Team | None = None,
    password: str | None = None,
) -> User:
    """A new user with one role. Without a password they cannot log in until they follow
    an invitation or reset link (``emails.password_link_send``)."""
    username, email = username.strip(), email.strip()
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        team=team,
        language=actor.language,
        buddhist_era=actor.buddhist_era,
    )
    group = _role_group(role)
    _clean_fields(user, email=email)
    _check_unique(username=username, email=email, exclude=None)
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set([group])
    changes = {name: [None, value] for name, value in snapshot(user, USER_AUDIT_FIELDS).items()}
    changes["role"] = [None, role]
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, subject=user, changes=changes)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    team: Team | None,
) -> User:
    """Name, e-mail, role and team. The last active administrator keeps the admin role."""
    user = _lock_for_admin_change(user)
    before = snapshot(user, USER_AUDIT_FIELDS)
    old_roles = sorted(user.role_names())
    group = _role_group(role)
    email = email.strip()
    user.first_name, user.last_name, user.email, user.team = (
        first_name.strip(),
        last_name.strip(),
        email,
        team,
    )
    _clean_fields(user, email=email)
    _check_unique(username=user.username, email=email, exclude=user.pk)
    if Role.ADMIN in old_roles and role != Role.ADMIN:
        _keep_an_admin(user, field="role")
    user.save(update_fields=["first_name", "last_name", "email", "team"])
    user.groups.set([group])
    changes = diff(before, snapshot(user, USER_AUDIT_FIELDS))
    if old_roles != [role]:
        changes["role"] = [", ".join(old_roles), role]
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, subject=user, changes=changes)
    return user


def _lock_for_admin_change(user: User) -> User:
    """Lock what decides "is someone still an admin", then the user's row; read it afresh.

    Every change that could remove an administrator takes the admin role's row first: two
    admins demoting each other at once go one after the other, and the second one's count
    (a new statement, so a fresh snapshot) sees the first one's change. The same order
    everywhere, and a no-key lock on the user (an audit row's actor key may point at it),
    so two such changes never deadlock.
    """
    list(Group.objects.select_for_update().filter(name=Role.ADMIN).values("pk"))
    return User.objects.select_for_update(no_key=True).get(pk=user.pk)


def _keep_an_admin(user: User, *, field: str) -> None:
    """Refuse a change that would leave nobody able to manage users."""
    remaining = active_admins().exclude(pk=user.pk).exists()
    if not remaining:
        raise ValidationError(
            {field: _("This is the last active administrator: make someone else one first.")}
        )


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """The user can no longer log in, and their API tokens stop working. Their records stay."""
    if user.pk == actor.pk:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    user = _lock_for_admin_change(user)
    if user.is_superuser or Role.ADMIN in user.role_names():
        _keep_an_admin(user, field="is_active")
    return _set_active(actor=actor, user=user, active=False)


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    user = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    return _set_active(actor=actor, user=user, active=True)


def _set_active(*, actor: User, user: User, active: bool) -> User:
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.RESTORE if active else AuditEvent.Action.ARCHIVE,
        subject=user,
        changes={"is_active": [not active, active]},
    )
    return user


@transaction.atomic
def user_password_set_temporary(*, actor: User, user: User) -> str:
    """Give ``user`` a new random password and return it, to be shown once to the admin.

    Their sessions end (the session hash changes with the password)."""
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=user,
        changes={"password": "temporary"},
    )
    return password


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """The user's own new password, from an invitation or reset link (already validated)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=user, action=AuditEvent.Action.UPDATE, subject=user, changes={"password": "set"}
    )
    return user


def user_password_link_send(*, actor: User, user: User, base_url: str, invitation: bool) -> bool:
    """E-mail ``user`` a one-time link to set a password (an invitation, or a reset asked
    for by an admin). False when the mail server refused it; nothing else changes."""
    if not user.email:
        raise ValidationError(
            {"email": _("This user has no e-mail address: add one, or set a temporary password.")}
        )
    if not password_link_send(user=user, base_url=base_url, invitation=invitation):
        return False
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=user,
        changes={"password": "invitation sent" if invitation else "reset link sent"},
    )
    return True


def temporary_password() -> str:
    """Twelve characters from an alphabet without look-alikes (no 0/O, 1/l/I): read aloud
    or typed from a screen without mistakes."""
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> bool:
    """Forget the user's failed logins, so a lockout on their account ends now. False
    (and nothing written) when they were not locked."""
    if user.username not in locked_usernames([user.username]):
        return False
    AccessAttempt.objects.filter(username=user.username).delete()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=user,
        changes={"login_lock": ["locked", "unlocked"]},
    )
    return True


@transaction.atomic
def two_factor_begin(*, user: User) -> TOTPDevice:
    """The authenticator being set up: a new secret until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).select_related("user").first()
    return device or TOTPDevice.objects.create(user=user, name="Samphan", confirmed=False)


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Turn the authenticator on once it shows a right ``code``; returns ten new recovery
    codes, each good once (only their use is kept, shown to the user this once)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == device.digits) or not device.verify_token(code):
        raise ValidationError(
            {"code": _("That code is not right: type the 6 digits your app shows now.")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        subject=user,
        changes={"two_factor": ["off", "on"]},
    )
    return _recovery_codes_new(user)


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _unused in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_remove(*, actor: User, user: User) -> bool:
    """Remove the user's authenticator and recovery codes (their own choice when not
    required, or an administrator's reset when the phone is lost). Audited; False when
    there was nothing to remove."""
    removed, _counts = TOTPDevice.objects.filter(user=user).delete()
    removed_codes, _counts = StaticDevice.objects.filter(user=user).delete()
    if not (removed or removed_codes):
        return False
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=user,
        changes={"two_factor": ["on", "off"]},
    )
    return True
