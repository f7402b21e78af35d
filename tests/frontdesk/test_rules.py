"""Alert rules out of the box and through their services: a fresh set-up announces a VIP
and a birthday to every staff member, once (a second set-up, or one after the admin
deleted the defaults, creates nothing); creating, changing and deleting a rule is
validated and audited, from the page as from the API."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.frontdesk import services
from samphan.frontdesk.models import Alert, AlertRule
from samphan.frontdesk.services import Method
from tests.factories import CustomerFactory, TagFactory, TeamFactory

pytestmark = pytest.mark.django_db
# 18:30 UTC on 22 May is 01:30 on 23 May in Bangkok: the birthday is Bangkok's date.
BANGKOK_23_MAY = dt.datetime(2026, 5, 22, 18, 30, tzinfo=dt.UTC)


def set_up() -> str:
    out = StringIO()
    call_command("setup", "--no-demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def staff(make_user):
    """Everyone who works the floor: two at the desk, a rep in another team, a manager."""
    other_team = TeamFactory(name="ขายส่ง")
    return [
        make_user(Role.FRONTDESK, username="desk1"),
        make_user(Role.FRONTDESK, username="desk2"),
        make_user(Role.SALES, username="rep", team=other_team),
        make_user(Role.MANAGER, username="boss", team=None),
    ]


def arrive(customer, actor) -> Alert | None:
    return services.check_in(actor=actor, customer=customer, method=Method.PICKED).alert


def test_a_fresh_set_up_announces_a_vip_to_every_staff_member(staff):
    output = set_up()
    rules = list(AlertRule.objects.order_by("kind").values_list("kind", "audience", "is_active"))
    assert rules == [("birthday", "everyone", True), ("vip", "everyone", True)]
    assert "default alert rules" in output
    # The rep sees only their own team's customers: this VIP is theirs.
    vip = CustomerFactory(is_vip=True, birthday=None, team=staff[2].team, owner=staff[2])
    alert = arrive(vip, staff[0])
    assert alert is not None and alert.everyone
    assert alert.reasons == ["ลูกค้า VIP มาถึง"]  # named in the site's language
    for user in staff:
        assert list(services.alerts_open_for(user)) == [alert], user.username
    regular = CustomerFactory(is_vip=False, birthday=dt.date(1990, 1, 1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: BANGKOK_23_MAY)
        assert arrive(regular, staff[0]) is None  # no rule matches: nothing raised


def test_a_birthday_in_bangkok_is_announced_to_every_staff_member(staff, monkeypatch):
    set_up()
    monkeypatch.setattr(timezone, "now", lambda: BANGKOK_23_MAY)
    born_today = CustomerFactory(birthday=dt.date(1990, 5, 23), team=staff[2].team)
    born_yesterday = CustomerFactory(birthday=dt.date(1990, 5, 22))  # UTC's date, not ours
    alert = arrive(born_today, staff[1])
    assert alert is not None and alert.reasons == ["วันเกิดวันนี้"] and alert.everyone
    assert arrive(born_yesterday, staff[1]) is None
    for user in staff:
        assert alert in services.alerts_open_for(user, now=BANGKOK_23_MAY), user.username


def test_defaults_are_made_once_and_deleted_ones_stay_deleted(admin_user):
    set_up()
    first = set(AlertRule.objects.values_list("pk", flat=True))
    assert len(first) == 2
    assert "default alert rules" not in set_up()  # a second set-up: nothing new
    assert set(AlertRule.objects.values_list("pk", flat=True)) == first
    for rule in AlertRule.objects.all():
        services.alert_rule_delete(actor=admin_user, rule=rule)
    set_up()
    assert not AlertRule.objects.exists()  # the admin chose to have none


def test_defaults_are_not_added_beside_a_rule_of_the_shop():
    services.alert_rule_create(actor=None, fields={"name": "Gold", "kind": "tier", "tier": "gold"})
    assert services.alert_rules_default_create() == []
    assert list(AlertRule.objects.values_list("name", flat=True)) == ["Gold"]


def test_the_demo_has_the_defaults_too():
    call_command("demo", "--customers", "20", "--quiet", stdout=StringIO())
    assert set(AlertRule.objects.values_list("kind", flat=True)) == {"vip", "birthday"}


def test_rule_writes_are_validated_and_audited(admin_user):
    tag = TagFactory(name="ขาประจำ")
    with pytest.raises(ValidationError) as refused:
        services.alert_rule_create(actor=admin_user, fields={"name": "Tagged", "kind": "tag"})
    assert set(refused.value.message_dict) == {"tag"}
    with pytest.raises(ValidationError) as refused:
        services.alert_rule_create(actor=admin_user, fields={"name": "x", "kind": "vip", "pk": 9})
    assert set(refused.value.message_dict) == {"pk"}
    assert not AlertRule.objects.exists() and not AuditEvent.objects.exists()

    rule = services.alert_rule_create(
        actor=admin_user, fields={"name": " Tagged ", "kind": "tag", "tag": tag}
    )
    assert rule.name == "Tagged"
    created = AuditEvent.objects.get(subject_type="frontdesk.alertrule", action="create")
    assert created.actor == admin_user and created.changes["tag"] == [None, tag.pk]

    services.alert_rule_update(actor=admin_user, rule=rule, fields={"is_active": False})
    services.alert_rule_update(actor=admin_user, rule=rule, fields={"is_active": False})
    updates = AuditEvent.objects.filter(subject_type="frontdesk.alertrule", action="update")
    assert [event.changes for event in updates] == [{"is_active": [True, False]}]  # once
    with pytest.raises(ValidationError):
        services.alert_rule_update(actor=admin_user, rule=rule, fields={"audience": "team"})
    rule.refresh_from_db()
    assert rule.audience == "everyone"  # nothing half-written

    services.alert_rule_delete(actor=admin_user, rule=rule)
    deleted = AuditEvent.objects.get(subject_type="frontdesk.alertrule", action="delete")
    assert deleted.changes["name"] == ["Tagged", None] and not AlertRule.objects.exists()


def test_the_page_writes_through_the_services(make_user):
    manager = Client()
    manager.force_login(make_user(Role.MANAGER, username="boss"))
    response = manager.post(
        reverse("frontdesk_rule_create"),
        {"name": "VIP", "kind": "vip", "audience": "everyone", "is_active": "on"},
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    manager.post(
        reverse("frontdesk_rule_edit", args=[rule.pk]),
        {"name": "VIP ทุกคน", "kind": "vip", "audience": "everyone", "is_active": "on"},
    )
    manager.post(reverse("frontdesk_rule_delete", args=[rule.pk]))
    actions = AuditEvent.objects.filter(subject_type="frontdesk.alertrule").order_by("id")
    assert [event.action for event in actions] == ["create", "update", "delete"]
    assert actions[1].changes == {"name": ["VIP", "VIP ทุกคน"]}


def test_an_unchanged_save_of_the_form_changes_nothing(make_user):
    manager = Client()
    manager.force_login(make_user(Role.MANAGER, username="boss"))
    team = TeamFactory(name="หน้าร้าน")
    rule = services.alert_rule_create(
        actor=None,
        fields={"name": "ทองขึ้นไป", "kind": "tier", "tier": "gold", "audience": "team",
                "team": team},
    )  # fmt: skip
    form = manager.get(reverse("frontdesk_rule_edit", args=[rule.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    assert manager.post(reverse("frontdesk_rule_edit", args=[rule.pk]), data).status_code == 302
    assert not AuditEvent.objects.filter(action="update").exists()
