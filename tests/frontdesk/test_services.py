"""Check-in lookups (phone forms, member numbers, card codes, names), check-ins, the alert
rules and who sees their alerts, walk-in registration and member numbers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from samphan.accounts.models import Role
from samphan.analytics.models import CustomerActivity
from samphan.core.models import AuditEvent
from samphan.customers import services as customer_services
from samphan.customers.greetings import greeting_for
from samphan.customers.membership import CARD_PREFIX, card_payload, member_number_assign
from samphan.customers.models import ConsentRecord, Customer, Interaction
from samphan.frontdesk import services
from samphan.frontdesk.models import Alert, AlertRule
from samphan.frontdesk.services import Method, WalkIn
from tests.factories import CustomerFactory, TagFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the messages are asserted in English
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the top-customers threshold is cached


def person(first_name: str, *, phone: str = "", **fields) -> Customer:
    """A customer made through the service, so the search document holds the phone."""
    contacts = [{"kind": "mobile", "value": phone}] if phone else []
    return customer_services.customer_create(
        actor=None,
        fields={"kind": "person", "first_name": first_name, "stage": "customer", **fields},
        contact_points=contacts,
    )


@pytest.fixture
def desk_user(make_user):
    return make_user(Role.FRONTDESK, username="desk")


@pytest.mark.parametrize(
    "typed", ["081-234-5678", "0812345678", "+66 81 234 5678", "66812345678", "(081) 234 5678"]
)
def test_a_whole_phone_number_in_any_form_finds_its_owner(desk_user, typed):
    anne = person("แอน", phone="0812345678")
    person("บี", phone="0899995678")  # the same last four digits
    found = services.customers_find(desk_user, typed)
    assert found.customers == [anne]
    assert found.method == Method.PHONE
    assert found.phone == "+66812345678"


def test_the_last_four_digits_find_everyone_ending_so(desk_user):
    anne = person("แอน", phone="0812345678")
    bee = person("บี", phone="0899995678")
    person("ซี", phone="0811112222")
    found = services.customers_find(desk_user, "5678")
    assert set(found.customers) == {anne, bee}
    assert found.method == Method.PHONE


def test_a_member_number_as_typed_or_in_lower_case(desk_user):
    anne = person("แอน", member_number="M202600007")
    assert services.customers_find(desk_user, "M202600007").customers == [anne]
    found = services.customers_find(desk_user, "m202600007")
    assert found.customers == [anne] and found.method == Method.MEMBER


def test_a_member_card_code_is_verified(desk_user):
    anne = person("แอน", member_number="M202600007")
    found = services.customers_find(desk_user, card_payload("M202600007"))
    assert found.customers == [anne] and found.method == Method.CARD
    # A USB scanner may type the prefix in capitals or add spaces; both still read.
    assert services.customers_find(desk_user, f"  {card_payload('M202600007')} ").customers


def test_a_tampered_card_is_refused(desk_user):
    person("แอน", member_number="M202600007")
    person("บี", member_number="M202600008")
    signature = card_payload("M202600007").rsplit(":", 1)[1]
    forged = f"{CARD_PREFIX}M202600008:{signature}"
    found = services.customers_find(desk_user, forged)
    assert found.customers == [] and "could not be verified" in found.error


def test_a_foreign_code_is_named_as_such(desk_user):
    found = services.customers_find(desk_user, "https://example.com/promo?id=12345")
    assert found.customers == [] and "not a member card" in found.error
    found = services.customers_find(desk_user, "00020101021129370016A000000677010111")
    assert "not a member card" in found.error


def test_a_genuine_card_nobody_holds(desk_user):
    found = services.customers_find(desk_user, card_payload("M999"))
    assert found.customers == [] and "No customer holds" in found.error


def test_a_name_and_nothing(desk_user):
    anne = person("แอนนา")
    assert services.customers_find(desk_user, "แอนน").customers == [anne]
    assert services.customers_find(desk_user, "   ").error
    assert services.customers_find(desk_user, "ไม่มีใคร").customers == []


def test_a_rep_finds_only_customers_they_may_see(make_user):
    other_team = TeamFactory(name="อื่น")
    rep = make_user(Role.SALES, username="rep", team=other_team)
    person("แอน", phone="0812345678")
    assert services.customers_find(rep, "0812345678").customers == []


def test_a_check_in_is_an_audited_visit_in_the_roll_ups(desk_user):
    anne = person("แอน", phone="0812345678")
    arrival = services.check_in(actor=desk_user, customer=anne, method=Method.PHONE)
    assert arrival.visit.kind == Interaction.Kind.VISIT and arrival.visit.user == desk_user
    assert arrival.previous_visit_at is None and arrival.alert is None
    assert CustomerActivity.objects.get(customer=anne).visit_count == 1
    assert AuditEvent.objects.filter(
        subject_type="customers.interaction", subject_id=arrival.visit.pk
    ).exists()
    again = services.check_in(actor=desk_user, customer=anne, method=Method.PHONE)
    assert again.previous_visit_at == arrival.visit.occurred_at


def rule(name: str, kind: str, **fields) -> AlertRule:
    made = AlertRule(name=name, kind=kind, **fields)
    made.full_clean()
    made.save()
    return made


def test_rules_match_vip_tier_tag_and_birthday(desk_user):
    today = dt.date(2026, 11, 25)
    regular = TagFactory(name="ขาประจำ")
    rule("VIP", "vip")
    rule("Gold and up", "tier", tier="gold")
    rule("Regulars", "tag", tag=regular)
    rule("Birthday", "birthday")
    names = lambda customer: {r.name for r in services.rules_matching(customer, today)}  # noqa: E731
    assert names(CustomerFactory()) == set()
    assert names(CustomerFactory(is_vip=True)) == {"VIP"}
    assert names(CustomerFactory(tier="silver")) == set()
    assert names(CustomerFactory(tier="gold")) == {"Gold and up"}
    assert names(CustomerFactory(tier="platinum")) == {"Gold and up"}
    tagged = CustomerFactory()
    tagged.tags.add(regular)
    assert names(tagged) == {"Regulars"}
    assert names(CustomerFactory(birthday=dt.date(1990, 11, 25))) == {"Birthday"}
    assert names(CustomerFactory(birthday=dt.date(1990, 11, 24))) == set()
    AlertRule.objects.update(is_active=False)
    assert names(CustomerFactory(is_vip=True, tier="platinum")) == set()


def test_a_29_february_birthday_is_kept_on_the_28th_in_other_years():
    born = dt.date(2000, 2, 29)
    assert services.is_birthday(born, dt.date(2027, 2, 28))
    assert not services.is_birthday(born, dt.date(2028, 2, 28))
    assert services.is_birthday(born, dt.date(2028, 2, 29))
    assert not services.is_birthday(None, dt.date(2028, 2, 29))


def test_the_top_customers_rule(desk_user):
    rule("Top 2", "top", top=2)
    customers = [CustomerFactory() for _ in range(4)]
    for customer, revenue in zip(customers, ["900", "500", "300", "0"], strict=True):
        CustomerActivity.objects.create(customer=customer, revenue=Decimal(revenue))
    today = dt.date(2026, 11, 25)
    matched = [bool(services.rules_matching(c, today)) for c in customers]
    assert matched == [True, True, False, False]


def test_rules_refuse_what_they_lack():
    for kind, field in [("tier", "tier"), ("tag", "tag"), ("top", "top")]:
        with pytest.raises(ValidationError) as error:
            AlertRule(name="x", kind=kind).full_clean()
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        AlertRule(name="x", kind="vip", audience="team").full_clean()
    assert "team" in error.value.message_dict


def test_who_sees_an_alert(make_user, team):
    owner = make_user(Role.SALES, username="owner")
    teammate = make_user(Role.FRONTDESK, username="mate")
    stranger = make_user(Role.FRONTDESK, username="stranger", team=TeamFactory(name="อื่น"))
    vip = CustomerFactory(is_vip=True, owner=owner, team=team)
    rule("VIP to the team", "vip", audience="team", team=team)
    arrival = services.check_in(actor=teammate, customer=vip, method=Method.PICKED)
    assert arrival.alert.reasons == ["VIP to the team"]
    assert list(services.alerts_open_for(teammate)) == [arrival.alert]
    assert list(services.alerts_open_for(owner)) == [arrival.alert]
    assert list(services.alerts_open_for(stranger)) == []

    AlertRule.objects.all().delete()
    rule("VIP to the owner", "vip", audience="owner")
    second = services.check_in(actor=teammate, customer=vip, method=Method.PICKED).alert
    assert second.user == owner and not second.everyone
    assert second in services.alerts_open_for(owner)
    assert second not in services.alerts_open_for(teammate)
    # Nobody owns this one: everyone is told rather than nobody.
    orphan = CustomerFactory(is_vip=True)
    third = services.check_in(actor=teammate, customer=orphan, method=Method.PICKED).alert
    assert third.everyone and third in services.alerts_open_for(stranger)


def test_a_non_matching_arrival_raises_nothing(desk_user):
    rule("VIP", "vip")
    services.check_in(actor=desk_user, customer=CustomerFactory(), method=Method.PICKED)
    assert not Alert.objects.exists()


def test_greeting_closes_the_alert_once(desk_user):
    rule("VIP", "vip")
    vip = CustomerFactory(is_vip=True)
    alert = services.check_in(actor=desk_user, customer=vip, method=Method.PICKED).alert
    other = UserFactory(username="other", role=Role.FRONTDESK)
    state = services.alerts_state(list(services.alerts_open_for(desk_user)))
    assert services.alert_greet(actor=desk_user, alert=alert)
    assert not services.alert_greet(actor=other, alert=alert)
    alert.refresh_from_db()
    assert alert.greeted_by == desk_user and alert.greeted_at is not None
    assert list(services.alerts_open_for(desk_user)) == []
    assert services.alerts_state([]) != state


def test_old_alerts_stop_being_announced(desk_user):
    rule("VIP", "vip")
    alert = services.check_in(
        actor=desk_user, customer=CustomerFactory(is_vip=True), method=Method.PICKED
    ).alert
    later = alert.arrived_at + dt.timedelta(hours=services.OPEN_HOURS, minutes=1)
    assert list(services.alerts_open_for(desk_user, now=later)) == []


@override_settings(SAMPHAN_MEMBER_NUMBER_PATTERN="M{year}{number:05d}")
def test_a_walk_in_is_registered_with_the_consents_ticked(desk_user):
    customer = services.walk_in_register(
        actor=desk_user,
        data=WalkIn(
            first_name="มะลิ",
            nickname="ลิ",
            phone="089 111 2222",
            consents=[(ConsentRecord.Channel.SMS, ConsentRecord.Purpose.SERVICE)],
        ),
    )
    assert customer.source == "walk_in" and greeting_for(customer, "th") == "คุณลิ"
    assert customer.contact_points.get().value == "+66891112222"
    consents = list(customer.consents.values_list("channel", "purpose", "status"))
    assert consents == [("sms", "service", "granted")]
    assert customer.member_number == f"M{timezone.localdate().year}00001"
    assert services.customers_find(desk_user, "0891112222").customers == [customer]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (WalkIn(first_name="", phone="0891112222"), "first_name"),
        (WalkIn(first_name="มะลิ", phone="12"), "phone"),
        (WalkIn(first_name="มะลิ", phone=""), "phone"),
        (WalkIn(first_name="มะลิ", phone="0812345678"), "phone"),  # already registered
    ],
)
def test_a_bad_walk_in_writes_nothing(desk_user, data, field):
    person("แอน", phone="0812345678")
    before = (Customer.objects.count(), ConsentRecord.objects.count())
    with pytest.raises(ValidationError) as error:
        services.walk_in_register(actor=desk_user, data=data)
    assert field in error.value.message_dict
    assert (Customer.objects.count(), ConsentRecord.objects.count()) == before


@override_settings(SAMPHAN_MEMBER_NUMBER_PATTERN="SP-{year}-{number:04d}")
def test_member_numbers_follow_the_pattern_and_skip_taken_ones():
    today = dt.date(2026, 3, 1)
    CustomerFactory(member_number="SP-2026-0001")  # given by hand before
    first, second = CustomerFactory(), CustomerFactory()
    assert member_number_assign(first, today=today) == "SP-2026-0002"
    assert member_number_assign(second, today=today) == "SP-2026-0003"
    assert member_number_assign(second, today=today) == "SP-2026-0003"  # kept
    third = CustomerFactory()
    assert member_number_assign(third, today=dt.date(2027, 1, 2)) == "SP-2027-0001"
    assert AuditEvent.objects.filter(customer_id=first.pk, action="update").exists()


def test_the_polls_ids_statement_answers_as_alerts_open_for(make_user, team):
    """The screens' poll runs ``alerts_open_for``'s statement built once per kind of user:
    for every kind (sees all or own and team records; in a team or not; superuser) it
    finds the same alerts, in the same order, at most 20, at any moment."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samphan.accounts.backends import ModelBackend

    other = TeamFactory(name="อื่น")
    rep = make_user(Role.SALES, username="rep", team=team)
    users = [
        rep,
        make_user(Role.SALES, username="loner"),
        make_user(Role.FRONTDESK, username="mate", team=team),
        make_user(Role.FRONTDESK, username="floater"),
        make_user(username="root", is_superuser=True),
    ]
    now = timezone.now()
    for number in range(30):
        customer = CustomerFactory(
            owner=users[number % 3], team=(team, other, None)[number % 3], is_vip=True
        )
        if number % 7 == 0:
            customer.archived_at = now
            customer.save()
        alert = Alert.objects.create(
            customer=customer,
            everyone=number % 4 == 0,
            user=users[number % 5] if number % 4 == 1 else None,
            arrived_at=now - dt.timedelta(hours=number % 10),
            greeted_at=now if number % 11 == 5 else None,
        )
        if number % 4 == 2:
            alert.teams.set([(team, other)[number % 2]])
    for user in users:
        loaded = ModelBackend().get_user(user.pk)  # as a request loads it
        for moment in (now, now + dt.timedelta(hours=3)):
            expected = [a.pk for a in services.alerts_open_for(loaded, now=moment)[:20]]
            with CaptureQueriesContext(connection) as queries:
                found = services.alerts_open_ids(loaded, now=moment)
            assert found == expected, user.username
            assert len(queries) == 1
    # Not every kind of user sees the same: the statements differ by kind.
    seen = {tuple(services.alerts_open_ids(ModelBackend().get_user(u.pk))) for u in users}
    assert len(seen) > 2
