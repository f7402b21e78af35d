"""New members: registered at the desk (a walk-in) or signing up on the public form,
with the consents they gave and a member number."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.phones import normalise_phone
from samphan.core.public import sender_hash
from samphan.customers import services as customer_services
from samphan.customers.card_delivery import card_send
from samphan.customers.membership import member_number_assign
from samphan.customers.models import ConsentRecord, ContactPoint, Customer, Interest
from samphan.frontdesk.cards import card_url
from samphan.frontdesk.models import SignUp

# The consent wording a record was given under: 2026-2 offers LINE beside SMS and e-mail
# and shows the shop's own privacy notice on the sign-up page.
WORDING_VERSION = "2026-2"


def _consents_granted(
    customer: Customer, consents: list[tuple[str, str]], *, actor: User | None, source: str
) -> None:
    """One consent record per box ticked (channel, purpose), under this wording."""
    for channel, purpose in consents:
        customer_services.consent_record(
            actor=actor,
            customer=customer,
            channel=channel,
            purpose=purpose,
            status=ConsentRecord.Status.GRANTED,
            source=source,
            wording_version=WORDING_VERSION,
        )


@dataclass
class WalkIn:
    first_name: str
    phone: str
    nickname: str = ""
    consents: list[tuple[str, str]] = field(default_factory=list)  # (channel, purpose) ticked


@transaction.atomic
def walk_in_register(*, actor: User | None, data: WalkIn) -> Customer:
    """A new customer from the desk: name, mobile and the consents they gave, with a
    member number. A mobile already on file is refused (check that customer in)."""
    if not data.first_name.strip() and not data.nickname.strip():
        raise ValidationError({"first_name": _("Enter a first name or a nickname.")})
    if not data.phone.strip():
        raise ValidationError({"phone": _("Enter a mobile number.")})
    try:
        number = normalise_phone(data.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error
    if customer_services.duplicates_of([(ContactPoint.Kind.MOBILE, number)]).exists():
        raise ValidationError({"phone": _("This number is already registered: look it up.")})
    customer = customer_services.customer_create(
        actor=actor,
        fields={
            "kind": Customer.Kind.PERSON,
            "first_name": data.first_name.strip(),
            "nickname": data.nickname.strip(),
            "stage": Customer.Stage.CUSTOMER,
            "source": Customer.Source.WALK_IN,
        },
        contact_points=[{"kind": ContactPoint.Kind.MOBILE, "value": number, "is_preferred": True}],
        allow_duplicate=True,  # refused above, with the front desk's own message
    )
    _consents_granted(customer, data.consents, actor=actor, source=ConsentRecord.Source.STAFF)
    member_number_assign(customer, actor=actor)
    return customer


@transaction.atomic
def member_number_give(*, actor: User | None, customer: Customer) -> None:
    """A member number (and so a card) for a customer checked in at the desk."""
    member_number_assign(customer, actor=actor)


# -- Membership sign-up (the public form) -------------------------------------------------------

SIGN_UP_LIMIT = 5  # sign-ups per sender address per window
SIGN_UP_WINDOW_MINUTES = 10


def sign_up_allowed(sender: str) -> bool:
    """Counted in the database, so the limit holds across web processes."""
    since = timezone.now() - dt.timedelta(minutes=SIGN_UP_WINDOW_MINUTES)
    recent = SignUp.objects.filter(sender_hash=sender_hash(sender), created_at__gte=since)
    return recent.count() < SIGN_UP_LIMIT


@dataclass
class MemberSignUp:
    first_name: str
    mobile: str
    last_name: str = ""
    nickname: str = ""
    email: str = ""
    birthday: dt.date | None = None
    interests: list[Interest] = field(default_factory=list)
    consents: list[tuple[str, str]] = field(default_factory=list)  # (channel, purpose) ticked


@transaction.atomic
def member_sign_up(*, data: MemberSignUp, sender: str) -> tuple[Customer, bool]:
    """A new member from the public form, with a member number, the interests and the
    consents they ticked; or, when their mobile or e-mail is already on file, the known
    customer, unchanged (``True``: nobody becomes a duplicate, and a form without login
    changes nothing of a record it may not own). Either way a member's card is sent to
    their own channel on file (``card_delivery``), at most once a day: the page shows
    no card, so it reads the same for a known and a new person (issue 20)."""
    if not data.first_name.strip() and not data.nickname.strip():
        raise ValidationError({"first_name": _("Enter a first name or a nickname.")})
    contacts = [("mobile", ContactPoint.Kind.MOBILE, data.mobile)]
    if data.email.strip():
        contacts.append(("email", ContactPoint.Kind.EMAIL, data.email))
    normalised = []
    for name, kind, value in contacts:
        try:
            normalised.append((kind, customer_services.contact_value_normalise(kind, value)))
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from error
    known = customer_services.duplicates_of(normalised).first()
    if known is not None:
        SignUp.objects.create(customer=known, returning=True, sender_hash=sender_hash(sender))
        if known.member_number:
            card_send(known, card_url(known))
        return known, True
    customer = customer_services.customer_create(
        actor=None,
        fields={
            "kind": Customer.Kind.PERSON,
            "first_name": data.first_name.strip(),
            "last_name": data.last_name.strip(),
            "nickname": data.nickname.strip(),
            "birthday": data.birthday,
            "stage": Customer.Stage.CUSTOMER,
            "source": Customer.Source.WEBSITE,
        },
        interests=data.interests,
        contact_points=[
            {"kind": kind, "value": value, "is_preferred": kind == ContactPoint.Kind.MOBILE}
            for kind, value in normalised
        ],
        allow_duplicate=True,  # a known phone or e-mail returned its customer above
    )
    _consents_granted(customer, data.consents, actor=None, source=ConsentRecord.Source.FORM)
    member_number_assign(customer)
    SignUp.objects.create(customer=customer, sender_hash=sender_hash(sender))
    card_send(customer, card_url(customer))
    return customer, False
