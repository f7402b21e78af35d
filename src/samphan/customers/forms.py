import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import Team, User
from samphan.core import forms as core_forms
from samphan.core.uploads import PhotoField
from samphan.customers.models import (
    LOGGED_INTERACTION_KINDS,
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomFieldDefinition,
    Interaction,
    Interest,
    Tag,
)
from samphan.customers.services import DuplicateContactError, contact_value_normalise

PERSON_FIELDS = [
    "title",
    "first_name",
    "last_name",
    "nickname",
    "first_name_en",
    "last_name_en",
    "birthday",
    "gender",
    "company",
    "job_title",
    "member_number",
    "stage",
    "tier",
    "is_vip",
    "owner",
    "team",
    "source",
    "referred_by",
    "province",
    "address",
    "tags",
    "interests",
    "notes",
    "photo",
]
COMPANY_FIELDS = [
    "company_name",
    "company_name_en",
    "tax_id",
    "branch",
    "industry",
    "size",
    "website",
    "province",
    "address",
    "member_number",
    "stage",
    "tier",
    "is_vip",
    "owner",
    "team",
    "source",
    "referred_by",
    "tags",
    "interests",
    "notes",
    "photo",
]
SHOWN_DUPLICATES = 5
TITLE_SUGGESTIONS = ["คุณ", "นาย", "นาง", "นางสาว", "ดร.", "Mr", "Ms", "Mrs", "Dr", "K."]


class CustomerPicker(forms.TextInput):
    """Pick a customer by typing part of a name or phone: the box shows names, suggested
    from /customers/options/ as a datalist, and a hidden input carries the chosen id
    (static/js/app.js keeps the two together), so nobody ever sees or types a raw id."""

    template_name = "customers/widgets/customer_picker.html"

    def __init__(
        self, choices: QuerySet[Customer], *, kind: str = "", attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs)
        self.choices = choices
        self.kind = kind

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        search_name = f"{name}__search"
        query = urlencode({"field": search_name, "kind": self.kind})
        context["widget"]["search_name"] = search_name
        context["widget"]["options_url"] = f"{reverse('customer_options')}?{query}"
        if str(value or "").isdigit():
            found = self.choices.filter(pk=value).values_list("display_name", flat=True)
            context["widget"]["current"] = found.first() or ""
        return context


class DuplicateCheck:
    """Shows a service's ``DuplicateContactError``: the customers this user may see who have the
    phone or e-mail (the rest are counted), the error, and a ``confirm_duplicate``
    checkbox; ticked, the next save passes ``allow_duplicate``."""

    fields: dict[str, forms.Field]
    user: User
    duplicates: list[Customer]
    hidden_duplicates: int

    add_error: Callable[[str | None, Any], None]

    def show_duplicates(self, error: DuplicateContactError) -> None:
        visible = error.customers.visible_to(self.user)
        self.duplicates = list(visible[:SHOWN_DUPLICATES])
        shown = len(self.duplicates)
        visible_count = visible.count() if shown == SHOWN_DUPLICATES else shown
        self.hidden_duplicates = error.count - visible_count
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.error_dict[error.field])

    @property
    def allow_duplicate(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("confirm_duplicate"))


class CustomerForm(DuplicateCheck, core_forms.ModelForm[Customer]):
    """Fields of a person or a company, plus typed custom fields and first contact points."""

    mobile = forms.CharField(label=_("mobile"), required=False, max_length=40)
    email = forms.CharField(label=_("e-mail"), required=False, max_length=254)
    # Hidden until a duplicate is found; then shown as a checkbox with the warning.
    confirm_duplicate = forms.BooleanField(
        label=_("Create anyway: this is a different customer"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Customer
        fields = PERSON_FIELDS
        field_classes = {"photo": PhotoField}
        widgets = {
            "notes": core_forms.Textarea(attrs={"rows": 3}),
            "address": core_forms.Textarea(attrs={"rows": 2}),
            "tags": forms.CheckboxSelectMultiple,
            "interests": forms.CheckboxSelectMultiple,
            "title": forms.TextInput(attrs={"list": "title-suggestions"}),
            # On a phone or tablet: take a picture with the camera, or choose one.
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*"}),
        }

    def __init__(
        self, *args: Any, user: User, kind: str = Customer.Kind.PERSON, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.kind = kind
        self.instance.kind = kind
        self.custom_definitions = list(CustomFieldDefinition.objects.all())
        # Only customers this user may see can be picked (or named by the picker).
        visible = Customer.objects.visible_to(user).active()
        if "company" in self.fields:
            core_forms.model_choice_field(self, "company").queryset = visible.companies()
            self.fields["company"].widget = CustomerPicker(
                visible.companies(),
                kind=Customer.Kind.COMPANY,
                attrs={"placeholder": _("Type part of the company's name")},
            )
        core_forms.model_choice_field(self, "referred_by").queryset = visible
        self.fields["referred_by"].widget = CustomerPicker(
            visible, attrs={"placeholder": _("Type part of a name or phone")}
        )
        core_forms.model_choice_field(self, "owner").queryset = User.objects.filter(
            is_active=True
        ).order_by("username")
        core_forms.model_choice_field(self, "team").queryset = Team.objects.all()
        core_forms.model_choice_field(self, "tags").queryset = Tag.objects.all()
        core_forms.model_choice_field(self, "interests").queryset = Interest.objects.all()
        for definition in self.custom_definitions:
            self.fields[f"cf_{definition.key}"] = self._custom_form_field(definition)
        if self.instance.pk:
            for name in ("mobile", "email", "confirm_duplicate"):
                del self.fields[name]
        self.duplicates: list[Customer] = []
        self.hidden_duplicates = 0

    @staticmethod
    def _custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
        label = definition.label
        kind = definition.field_type
        if kind == CustomFieldDefinition.FieldType.NUMBER:
            return forms.DecimalField(label=label, required=False)
        if kind == CustomFieldDefinition.FieldType.DATE:
            return core_forms.DateField(label=label, required=False)
        if kind == CustomFieldDefinition.FieldType.CHOICE:
            choices = [("", "—"), *[(choice, choice) for choice in definition.choices]]
            return forms.ChoiceField(label=label, required=False, choices=choices)
        return forms.CharField(label=label, required=False, max_length=500)

    def get_initial_for_field(self, field: forms.Field, field_name: str) -> Any:
        if field_name.startswith("cf_"):
            return (self.instance.custom_fields or {}).get(field_name[3:])
        return super().get_initial_for_field(field, field_name)

    def clean_tax_id(self) -> str:
        return (self.cleaned_data.get("tax_id") or "").replace("-", "").replace(" ", "")

    def clean_mobile(self) -> str:
        return self._normalised_contact("mobile", ContactPoint.Kind.MOBILE)

    def clean_email(self) -> str:
        return self._normalised_contact("email", ContactPoint.Kind.EMAIL)

    def _normalised_contact(self, name: str, kind: str) -> str:
        raw = self.cleaned_data.get(name, "")
        if not raw:
            return ""
        try:
            return contact_value_normalise(kind, raw)
        except ValidationError as error:
            raise ValidationError(error.message_dict["value"]) from error

    def customer_fields(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self._meta.fields or []
            if name not in {"tags", "interests", "photo"} and name in self.cleaned_data
        }
        data["kind"] = self.kind
        data["custom_fields"] = {
            d.key: _json_value(self.cleaned_data.get(f"cf_{d.key}"))
            for d in self.custom_definitions
        }
        return data

    def initial_contact_points(self) -> list[dict[str, Any]]:
        points = []
        for name, kind in (
            ("mobile", ContactPoint.Kind.MOBILE),
            ("email", ContactPoint.Kind.EMAIL),
        ):
            if self.cleaned_data.get(name):
                points.append({"kind": kind, "value": self.cleaned_data[name]})
        if points:
            points[0]["is_preferred"] = True
        return points


def _json_value(value: Any) -> Any:
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class CompanyForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        fields = COMPANY_FIELDS


class ContactPointForm(DuplicateCheck, core_forms.ModelForm[ContactPoint]):
    # Hidden until a duplicate is found; then shown as a checkbox with the warning.
    confirm_duplicate = forms.BooleanField(
        label=_("Save anyway: the same phone or e-mail is right for both"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = ContactPoint
        fields = ["kind", "value", "label", "is_preferred"]

    def __init__(self, *args: Any, user: User, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = customer
        self.duplicates = []
        self.hidden_duplicates = 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if not (kind and value):
            return cleaned
        try:
            cleaned["value"] = contact_value_normalise(kind, value)
        except ValidationError as error:
            self.add_error("value", error.message_dict["value"])
        return cleaned

    def contact_point_fields(self) -> dict[str, Any]:
        """What the services take: the form's fields without the confirmation."""
        return {name: self.cleaned_data[name] for name in self._meta.fields or []}

    def _post_clean(self) -> None:
        # The service checks uniqueness and the one-preferred rule when it writes.
        pass


def _this_minute() -> dt.datetime:
    """Now, to the minute the datetime input shows, so an untouched field is unchanged."""
    return timezone.now().replace(second=0, microsecond=0)


class InteractionForm(core_forms.ModelForm[Interaction]):
    QUICK_KINDS = ("call", "note", "visit", "meeting", "email", "message")
    # Staff log what just happened or catch up on the past; a day ahead allows for an
    # appointment tonight and a phone clock that is off, not a year typed in พ.ศ.
    FUTURE_LIMIT = Interaction.FUTURE_LIMIT
    EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)

    class Meta:
        model = Interaction
        fields = ["kind", "summary", "occurred_at", "channel", "body"]
        widgets = {
            "summary": forms.TextInput(
                attrs={"placeholder": _("e.g. Called about the new catalogue; call back Friday")}
            ),
            "channel": forms.TextInput(attrs={"placeholder": _("e.g. LINE, shop, Facebook")}),
            "body": core_forms.Textarea(attrs={"rows": 2, "aria-label": _("Details")}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not "id_…": the consent form on the same page has a "channel" field too.
        kwargs.setdefault("auto_id", "interaction-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # The ignore: ``fields`` holds plain ``Field``s; this one is the model's ChoiceField.
        kind = self.fields["kind"]
        kind.choices = [c for c in kind.choices if c[0] in ("", *LOGGED_INTERACTION_KINDS)]  # type: ignore[attr-defined]
        # "When" shows the time the page was opened; left as it is, it means "now" when the
        # form is sent (its hidden initial value tells), so a page left open for an hour
        # still logs the right time. Empty means now too.
        when = self.fields["occurred_at"]
        when.initial = _this_minute
        when.required = False
        when.show_hidden_initial = True

    def clean_occurred_at(self) -> dt.datetime | None:
        when: dt.datetime | None = self.cleaned_data.get("occurred_at")
        if when is None or "occurred_at" not in self.changed_data:
            return None  # the service records "now"
        if when > timezone.now() + self.FUTURE_LIMIT:
            raise ValidationError(
                _("This is more than a day from now. Enter when it happened."), code="future"
            )
        if when < self.EARLIEST:
            raise ValidationError(_("Enter a date after 1900."), code="too_early")
        return when

    @property
    def quick_kinds(self) -> list[tuple[str, Any]]:
        """The kinds staff log by hand, as one-tap choices."""
        return [
            (value, label) for value, label in Interaction.Kind.choices if value in self.QUICK_KINDS
        ]

    @property
    def shows_more(self) -> bool:
        """Open "more details" when something in it was typed or needs fixing."""
        return bool(self["body"].errors or self["body"].value())


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(choices=ConsentRecord.Channel.choices)
    purpose = forms.ChoiceField(choices=ConsentRecord.Purpose.choices)
    status = forms.ChoiceField(choices=ConsentRecord.Status.choices)
