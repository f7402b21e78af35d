"""The programme's page: the base rate, cap and expiry saved as a new version; earning
rules added and edited (a new version each time) from forms with the errors beside the
fields; who may."""

from decimal import Decimal

import pytest

from samphan.loyalty.models import EarningRule, Programme
from tests.analytics.test_views import login

pytestmark = pytest.mark.django_db
PROGRAMME = {"baht_per_point": "20", "max_points_per_order": "", "expiry": "year_end",
             "expiry_months": "24", "remind_days": "30", "tiers_by": "spend",
             "tier_window_months": "12", "tier_review": "monthly", "tier_grace_days": "30",
             "silver_from": "10000", "gold_from": "50000", "platinum_from": "150000",
             "silver_multiplier": "1", "gold_multiplier": "1.5", "platinum_multiplier": "2",
             "point_value": "0.25", "referrer_points": "200", "referred_points": "100",
             "referral_min_order": "500", "referral_hold_days": "14",
             "referral_limit_month": "10", "referral_review_over": "5"}  # fmt: skip
RULE = {"name": "วันจันทร์คูณสอง", "multiplier": "2", "bonus_points": "0", "channel": "",
        "tier": "", "product": "", "category": "", "days": ["1"], "min_spend": "",
        "starts_on": "", "ends_on": "", "is_active": "on"}  # fmt: skip


def test_the_programme_saves_a_version_and_an_unchanged_save_writes_nothing(admin_user):
    client = login(admin_user)
    page = client.get("/points/settings/")
    assert page.status_code == 200 and "No rules yet" in page.content.decode()
    saved = client.post("/points/settings/", PROGRAMME, follow=True)
    assert "Programme saved" in saved.content.decode()
    programme = Programme.objects.get()
    assert (programme.baht_per_point, programme.expiry) == (Decimal(20), "year_end")
    again = client.post("/points/settings/", PROGRAMME, follow=True)
    assert "Nothing changed" in again.content.decode() and Programme.objects.count() == 1
    refused = client.post("/points/settings/", {**PROGRAMME, "baht_per_point": "0"})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.content.decode()
    assert Programme.objects.count() == 1


def test_a_rule_from_the_form_and_a_new_version_when_edited(admin_user):
    client = login(admin_user)
    created = client.post("/points/settings/rules/new/", RULE, follow=True)
    assert "Rule saved" in created.content.decode()
    rule = EarningRule.objects.get()
    assert (rule.multiplier, rule.weekdays, rule.channel) == (Decimal(2), 1, "")
    listed = client.get("/points/settings/").content.decode()
    assert "วันจันทร์คูณสอง" in listed and "2× points" in listed and "Mon" in listed
    form = client.get(f"/points/settings/rules/{rule.pk}/").content.decode()
    assert 'value="1" id="id_days_0" checked' in form and form.count("checked>") == 2  # + active
    unchanged = client.post(f"/points/settings/rules/{rule.pk}/", RULE, follow=True)
    assert "Nothing changed" in unchanged.content.decode() and EarningRule.objects.count() == 1
    client.post(f"/points/settings/rules/{rule.pk}/", {**RULE, "days": ["1", "16"]})
    newest = EarningRule.objects.get(replaced_by=None)
    assert newest.weekdays == 17 and newest.pk != rule.pk
    assert client.get(f"/points/settings/rules/{rule.pk}/").status_code == 404  # closed


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"multiplier": "1"}, "changes nothing"),
        ({"multiplier": "50"}, "less than or equal to 20"),
        ({"name": ""}, "required"),
        ({"starts_on": "2026-12-31", "ends_on": "2026-12-01"}, "before the first"),
        ({"days": ["3"]}, "valid choice"),
    ],
)
def test_a_bad_rule_is_shown_beside_its_field(admin_user, change, words):
    page = login(admin_user).post("/points/settings/rules/new/", {**RULE, **change})
    text = page.content.decode()
    assert page.status_code == 200 and words in text and 'aria-invalid="true"' in text
    assert not EarningRule.objects.exists()


def test_who_may(make_user):
    marketing = login(make_user(role="marketing"))
    assert marketing.get("/points/settings/").status_code == 200
    assert marketing.post("/points/settings/rules/new/", RULE).status_code == 302
    for role in ("viewer", "frontdesk", "sales"):
        assert login(make_user(role=role)).get("/points/settings/").status_code == 403
    assert EarningRule.objects.count() == 1
