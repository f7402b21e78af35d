"""Issue 20: a manager reviews a customer a scoped rep saved with a phone held by a
customer the rep cannot see (the list filter, the note on the page, "mark as reviewed")."""

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.customers import services
from tests.e2e.conftest import screenshot
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reviews_a_possible_duplicate(live_server, page: Page):
    base = live_server.url
    other = UserFactory(username="other", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    rep = UserFactory(username="rep", role=Role.SALES, team=TeamFactory(name="ทีมใต้"))
    UserFactory(username="boss", role=Role.MANAGER, password="boss-pass-123", language="th")
    phone = [{"kind": "mobile", "value": "0812345678"}]
    services.customer_create(actor=other, fields={"first_name": "สมศรี"}, contact_points=phone)
    flagged = services.customer_create(
        actor=rep, fields={"first_name": "ศรีสม"}, contact_points=phone
    )
    assert flagged.duplicate_review
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/customers/?duplicates=1")
    results = page.locator("#results")
    expect(results).to_contain_text("ศรีสม")
    expect(results).not_to_contain_text("สมศรี")
    screenshot(page, "customers-possible-duplicates")
    results.get_by_role("link", name="ศรีสม").first.click()
    note = page.locator(".possible-duplicate")
    expect(note).to_contain_text("สมศรี")
    screenshot(page, "customer-possible-duplicate")
    note.get_by_role("button", name="ตรวจแล้ว").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกว่าตรวจแล้ว")
    expect(page.locator(".possible-duplicate")).to_have_count(0)
