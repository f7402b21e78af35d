import hashlib
import math
import secrets
from typing import Any, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent, TimeStampedModel


class Team(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Language(models.TextChoices):
        THAI = "th", "ไทย"
        ENGLISH = "en", "English"

    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.THAI
    )
    buddhist_era = models.BooleanField(
        _("show Buddhist-era years"),
        default=True,
        help_text=_("22 พ.ย. 2569 instead of 22 Nov 2026."),
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    # core.permissions.sees_all_records keeps its answer here for the request's life.
    _sees_all_records: bool | None = None
    # Django's mark of a new password not yet saved (AbstractBaseUser.set_password).
    _password: str | None

    def __str__(self) -> str:
        # Staff are shown by name wherever a user is printed (an owner select, a history
        # line); the username is a login, shown only for someone who has no name.
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves the user; when it saves a new password, every API token of theirs is
        revoked in the same transaction.

        A new password is ``set_password`` then ``save``, the one thing every path does
        (one's own change page, the temporary password and the reset link of the services,
        Django's admin, ``changepassword``, ``samphan setup``), so it is caught here rather
        than in each. Django marks it with ``_password``, and unsets that for a hash
        upgrade at login (the same password, rehashed): that keeps the tokens.
        """
        fields = kwargs.get("update_fields")
        replaced = (
            self._password is not None
            and self.pk is not None
            and (fields is None or "password" in fields)
        )
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if replaced:
                self._api_tokens_revoke()

    def _api_tokens_revoke(self) -> None:
        revoked, _by_model = ApiToken.objects.filter(user=self).delete()
        if revoked:
            # The password change itself is audited by whoever made it (a service, or
            # nobody for Django's own pages): this row says what followed from it.
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                subject=self,
                changes={"api_tokens_revoked": revoked, "reason": "password changed"},
            )

    def sees_all_records(self) -> bool:
        """False only when every role the user has is limited to own and team records."""
        # In SQL, not the ORM: every signed-in request that lists owned records asks.
        groups = User.groups.through._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.scope FROM {Role._meta.db_table} r "  # noqa: S608 - table names
                f"JOIN {groups} ug ON ug.group_id = r.group_id WHERE ug.user_id = %s",
                [self.pk],
            )
            return scopes_see_all([scope for (scope,) in cursor.fetchall()])

    def role_names(self) -> list[str]:
        return [group.name for group in self.groups.all()]

    def role_labels(self) -> list[str]:
        """The roles as people read them (the group names are codes)."""
        return [Role.label(name) for name in self.role_names()]

    def is_admin(self) -> bool:
        """May manage users: a superuser or anyone with the admin role."""
        return self.is_superuser or Role.ADMIN in self.role_names()


class Role(models.Model):
    """Settings Samphan keeps for each role (a Django group)."""

    class Scope(models.TextChoices):
        ALL = "all", _("all records")
        OWN_TEAM = "own_team", _("own and team records")

    ADMIN = "admin"
    MANAGER = "manager"
    SALES = "sales"
    MARKETING = "marketing"
    FRONTDESK = "frontdesk"
    SUPPORT = "support"
    VIEWER = "viewer"
    NAMES = (ADMIN, MANAGER, SALES, MARKETING, FRONTDESK, SUPPORT, VIEWER)

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")
    scope = models.CharField(
        _("records visible"), max_length=10, choices=Scope.choices, default=Scope.ALL
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.group.name

    @classmethod
    def label(cls, name: str) -> str:
        return str(ROLE_LABELS.get(name, name))

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(name, cls.label(name)) for name in cls.NAMES]


def scopes_see_all(scopes: list[str]) -> bool:
    """Whether a user with roles of these scopes sees every record: False only when every
    role is limited to own and team records, or there is none."""
    return bool(scopes) and Role.Scope.ALL in scopes


ROLE_LABELS = {
    Role.ADMIN: _("Administrator"),
    Role.MANAGER: _("Manager"),
    Role.SALES: _("Sales"),
    Role.MARKETING: _("Marketing"),
    Role.FRONTDESK: _("Front desk"),
    Role.SUPPORT: _("Support"),
    Role.VIEWER: _("Viewer (read only)"),
}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> Self:
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "sp_"
    # The lifetimes the settings page offers (and never); the API and the command take any.
    LIFETIMES = (30, 90, 365)
    DEFAULT_LIFETIME = 90

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    def days_left(self) -> int | None:
        """Whole days until it expires, a part day counting as one: 0 once expired, None
        for a token that never does."""
        if self.expires_at is None:
            return None
        seconds = (self.expires_at - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
