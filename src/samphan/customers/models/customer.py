"""The customer: a person or a company, and the queries every list starts from."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.core.tax_id import validate_thai_tax_id
from samphan.customers.greetings import greeting_for
from samphan.customers.models.labels import Interest, Tag


class CustomerQuerySet(OwnedQuerySet["Customer"]):
    def active(self) -> "CustomerQuerySet":
        return self.filter(archived_at__isnull=True)

    def people(self) -> "CustomerQuerySet":
        return self.filter(kind=Customer.Kind.PERSON)

    def companies(self) -> "CustomerQuerySet":
        return self.filter(kind=Customer.Kind.COMPANY)

    def processing_allowed(self) -> "CustomerQuerySet":
        """Not restricted (PDPA ss.32 and 34): who may be in a segment, a campaign, a
        marketing message or an analysis export."""
        return self.filter(processing_restricted_at__isnull=True)


class Customer(TimeStampedModel):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        COMPANY = "company", _("company")

    class Stage(models.TextChoices):
        LEAD = "lead", _("lead")
        PROSPECT = "prospect", _("prospect")
        CUSTOMER = "customer", _("customer")
        INACTIVE = "inactive", _("inactive")

    class Tier(models.TextChoices):
        NONE = "none", _("no tier")
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")
        PLATINUM = "platinum", _("Platinum")

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        WALK_IN = "walk_in", _("walk-in")
        REFERRAL = "referral", _("referral")
        WEBSITE = "website", _("website")
        LINE = "line", _("LINE")
        FACEBOOK = "facebook", _("Facebook")
        EVENT = "event", _("event")
        COLD_CALL = "cold_call", _("cold call")
        IMPORT = "import", _("import")
        OTHER = "other", _("other")

        @classmethod
        def label_of(cls, value: str) -> str:
            """A source's label; one the list does not know (typed on a form, given by
            an API call) is shown as it was given."""
            return str(cls(value).label) if value in cls.values else value

    class Industry(models.TextChoices):
        # Names shown on their own (a list row, a select), so capitalised in English.
        RETAIL = "retail", _("Retail")
        WHOLESALE = "wholesale", _("Wholesale and distribution")
        MANUFACTURING = "manufacturing", _("Manufacturing")
        FOOD = "food", _("Food and restaurants")
        HOSPITALITY = "hospitality", _("Hotels and tourism")
        HEALTH = "health", _("Health and clinics")
        BEAUTY = "beauty", _("Beauty and wellness")
        CONSTRUCTION = "construction", _("Construction and property")
        TECHNOLOGY = "technology", _("Technology")
        EDUCATION = "education", _("Education")
        AGRICULTURE = "agriculture", _("Agriculture")
        LOGISTICS = "logistics", _("Logistics")
        SERVICES = "services", _("Professional services")
        OTHER = "other", _("Other")

    class CompanySize(models.TextChoices):
        MICRO = "1-10", _("1–10 people")
        SMALL = "11-50", _("11–50 people")
        MEDIUM = "51-200", _("51–200 people")
        LARGE = "201-1000", _("201–1,000 people")
        ENTERPRISE = "1000+", _("more than 1,000 people")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    # People
    title = models.CharField(_("title"), max_length=30, blank=True)
    first_name = models.CharField(_("first name (Thai)"), max_length=100, blank=True)
    last_name = models.CharField(_("last name (Thai)"), max_length=100, blank=True)
    first_name_en = models.CharField(_("first name (Latin)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (Latin)"), max_length=100, blank=True)
    nickname = models.CharField(_("nickname"), max_length=50, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    company = models.ForeignKey(
        "self",
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        limit_choices_to={"kind": "company"},
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    # Companies
    company_name = models.CharField(_("company name (Thai)"), max_length=200, blank=True)
    company_name_en = models.CharField(_("company name (Latin)"), max_length=200, blank=True)
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
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    province = models.CharField(_("province"), max_length=60, blank=True)
    # Both
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/%m/", blank=True)
    # Made from the photo by customers.photos (lists and alerts show it). Nullable so that
    # SQLite adds the column in place: a column with a default remakes the table, which
    # drops the search index's triggers.
    photo_thumbnail = models.ImageField(
        upload_to="photos/%Y/%m/", blank=True, null=True, editable=False
    )
    member_number = models.CharField(
        _("member number"), max_length=30, unique=True, null=True, blank=True
    )
    # The consents in force as grants, a bit per channel and purpose (``consent_bit``),
    # kept by ``services.consent_record``: segments test consent on the customer's own row
    # instead of finding each one's latest record. Nullable (none) as the thumbnail is.
    consent_bits = models.PositiveIntegerField(null=True, blank=True, editable=False)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.LEAD)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.NONE)
    is_vip = models.BooleanField(_("VIP"), default=False)
    # Saved by someone who may not see every customer while a customer they cannot see has
    # one of its phones or e-mails (issue 20): they are not told, a manager reviews it.
    duplicate_review = models.BooleanField(
        _("possible duplicate to review"), default=False, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    interests = models.ManyToManyField(
        Interest, verbose_name=_("interests"), blank=True, related_name="customers"
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    notes = models.TextField(_("notes for staff"), blank=True)
    # Restriction or objection (PDPA ss.32, 34): while set, the person is left out of every
    # segment, campaign, marketing message and analysis export (``processing_allowed``).
    # Nullable, as the thumbnail is, so SQLite adds the columns in place.
    processing_restricted_at = models.DateTimeField(
        _("processing restricted since"), null=True, blank=True, editable=False
    )
    processing_restricted_reason = models.CharField(
        _("why processing is restricted"), max_length=300, null=True, blank=True, editable=False
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    # When the person's data was erased (``privacy.erasure.customer_erase``); the row stays,
    # anonymous, so that orders keep their buyer and the figures do not change.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    # Archived by a merge: the customer everything moved to (``customers/merge.py``).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Derived, kept by services: what lists sort on and what search reads.
    display_name = models.CharField(max_length=250, editable=False, db_index=True)
    search_document = models.TextField(editable=False, default="")

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("archive_customer", "Can archive a customer"),
            ("erase_customer", "Can erase a person's data (PDPA)"),
        ]
        indexes = [
            models.Index(fields=["stage"]),
            models.Index(fields=["tier"]),
            # VIPs only: with an index of both values SQLite, which knows averages and not
            # skew, read "VIPs in Bangkok" through the province index (40% of customers
            # live there), slower than reading the few VIPs here (docs/performance.md).
            models.Index(
                fields=["is_vip"], condition=models.Q(is_vip=True), name="customers_vip_idx"
            ),
            models.Index(
                fields=["duplicate_review"],
                condition=models.Q(duplicate_review=True),
                name="customers_dup_review_idx",
            ),
            models.Index(fields=["kind", "display_name"]),
            models.Index(fields=["industry"]),
            # Segments filter by province, and their builder lists the provinces in use.
            models.Index(fields=["province"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["archived_at"]),
            # The active customers' ids alone: a segment's "customer is in this list"
            # (their RFM segment, usual weekday, spend in a period) is checked here,
            # index-only, not in the wide rows: faster on PostgreSQL
            # (docs/performance.md; SQLite reads its rows by rowid and does not use it).
            models.Index(
                fields=["id"],
                condition=models.Q(archived_at__isnull=True),
                name="customers_active_idx",
            ),
            # Segments by consent read this instead of every customer's row (a customer with
            # a consent's bit has consent_bits at least that bit: a range of it).
            models.Index(fields=["consent_bits", "archived_at"], name="customers_consent_idx"),
            # The duplicate check on save looks up namesakes born the same day here
            # (customers/dedupe/possible.py), not over every customer.
            models.Index(fields=["birthday"], name="customers_birthday_idx"),
            models.Index(fields=["photo"]),  # who may see a photo: home.views.media
            models.Index(fields=["photo_thumbnail"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.is_company and not (self.company_name or self.company_name_en):
            errors["company_name"] = _("Enter the company's name.")
        if not self.is_company and not (self.first_name or self.first_name_en or self.nickname):
            errors["first_name"] = _("Enter a first name or a nickname.")
        if self.company_id and self.company_id == self.pk:
            errors["company"] = _("A company cannot belong to itself.")
        elif self.company is not None and not self.company.is_company:
            errors["company"] = _("Choose a company, not a person.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def processing_restricted(self) -> bool:
        return self.processing_restricted_at is not None

    def compute_display_name(self) -> str:
        if self.is_company:
            return self.company_name or self.company_name_en
        thai = f"{self.first_name} {self.last_name}".strip()
        latin = f"{self.first_name_en} {self.last_name_en}".strip()
        return thai or latin or self.nickname

    @property
    def latin_name(self) -> str:
        return latin_name_of(
            is_company=self.is_company,
            first_name_en=self.first_name_en,
            last_name_en=self.last_name_en,
            company_name_en=self.company_name_en,
        )

    @property
    def greeting(self) -> str:
        """How staff greet this customer in the active language (คุณแอน, Ms Smith); the
        rule is ``customers.greetings``."""
        return greeting_for(self)

    @property
    def formal_greeting(self) -> str:
        """The formal form (นางสาวอัญชลี) where one is wanted, e.g. a letter."""
        return greeting_for(self, formal=True)

    @property
    def initials(self) -> str:
        return initials_of(self.nickname or self.display_name)

    @property
    def list_subtitle(self) -> str:
        """The second line of a list row: industry, or job and company; then the Latin name."""
        if self.is_company:
            parts: list[object] = [self.get_industry_display()]
        else:
            parts = [self.job_title, self.company.display_name if self.company else ""]
        return subtitle_of(parts, self.latin_name, self.display_name)


# The rules of the properties above as functions of plain values, for the customer list,
# which reads its rows as values (customers.list_page).
def latin_name_of(
    *, is_company: bool, first_name_en: str, last_name_en: str, company_name_en: str
) -> str:
    if is_company:
        return company_name_en
    return f"{first_name_en} {last_name_en}".strip()


def initials_of(name: str) -> str:
    name = name or "?"
    # Thai vowels written before their consonant (เ แ โ ใ ไ) need it beside them.
    return name[:2] if name[0] in "เแโใไ" else name[:1].upper()


def subtitle_of(parts: list[object], latin_name: str, display_name: str) -> str:
    if latin_name and latin_name != display_name:
        parts = [*parts, latin_name]
    return " · ".join(str(part) for part in parts if part)
