from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.promptpay_id import validate_promptpay_id
from samphan.core.tax_id import validate_thai_tax_id


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Append-only record of who changed personal data, when, and what changed.

    Holds ids and the changed fields (old → new); written only by services, inside
    the same transaction as the change it records.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        ARCHIVE = "archive", _("archived")
        RESTORE = "restore", _("restored")
        EXPORT = "export", _("exported personal data")
        ERASE = "erase", _("erased personal data")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    subject_type = models.CharField(max_length=60)
    subject_id = models.BigIntegerField()
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id} {self.action}"


class NumberSequence(models.Model):
    """The last number handed out per prefix and year (SO-2026-000042, QT-2026-000007)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Notification(models.Model):
    """A message for one user inside the app ("a lead was assigned to you")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text


class ShopProfile(models.Model):
    """The business as customers see it: on quotations, member cards, the counter poster,
    the sign-up page, e-mails and the unsubscribe page. One row (id 1), set by an admin;
    until it exists the environment's SAMPHAN_* settings stand in (``core.shop``)."""

    ONLY_ID = 1

    name = models.CharField(_("shop name"), max_length=200)
    name_en = models.CharField(
        _("shop name in English"),
        max_length=200,
        blank=True,
        help_text=_("On English pages and quotations; the shop name when left empty."),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="shop/",
        blank=True,
        help_text=_("PNG, JPEG or WebP, at most 2 MB; kept at most 512 pixels wide."),
    )
    address = models.TextField(_("address"), blank=True)
    tax_id = models.CharField(
        _("tax ID"), max_length=13, blank=True, validators=[validate_thai_tax_id]
    )
    branch = models.CharField(
        _("branch number"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A branch number has 5 digits, e.g. 00000."))],
        help_text=_("00000 for the head office."),
    )
    promptpay_id = models.CharField(
        _("PromptPay ID"),
        max_length=20,
        blank=True,
        validators=[validate_promptpay_id],
        help_text=_(
            "A mobile number, a 13-digit tax or ID card number, or a 15-digit e-wallet ID."
        ),
    )
    public_url = models.URLField(
        _("public address"),
        blank=True,
        help_text=_(
            "Where customers reach this app (links in messages, the sign-up QR code). "
            "Empty: the server's setting."
        ),
    )
    privacy_notice = models.TextField(
        _("privacy notice"),
        blank=True,
        help_text=_("Shown on the sign-up page: what you keep, why, and for how long."),
    )
    privacy_url = models.URLField(
        _("privacy notice link"),
        blank=True,
        help_text=_("Or a link to the full notice on your website."),
    )
    # The worker's daily backup (home.backup_schedule); empty: SAMPHAN_BACKUP_HOUR / _KEEP.
    backup_hour = models.PositiveSmallIntegerField(
        _("daily backup hour"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(23)],
        help_text=_("Local time, 0 to 23. Empty: the server's setting."),
    )
    backup_keep = models.PositiveSmallIntegerField(
        _("backups kept"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("The newest are kept, 1 to 365. Empty: the server's setting."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("shop profile")
        verbose_name_plural = _("shop profiles")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_shop_profile")]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """One row per running worker process, rewritten every few seconds (``core.heartbeat``):
    ``/readyz`` reads the newest beat. No personal data: a host name and a process id."""

    name = models.CharField(_("worker"), max_length=200, unique=True)  # host:pid
    started_at = models.DateTimeField(_("started"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.name
