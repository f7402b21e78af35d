"""The kanban board on a phone: a deal dragged with a finger (touch events through the
DevTools protocol: press, hold, move, lift), as a rep would on the shop floor."""

import pytest
from playwright.sync_api import Browser, expect

from samphan.accounts.models import Role
from samphan.sales import services
from samphan.sales.models import Stage
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def touch(session, kind: str, x: float, y: float) -> None:
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def test_a_deal_dragged_by_touch_on_a_phone(live_server, browser: Browser):
    rep = UserFactory(username="rep", role=Role.SALES, password="rep-pass-1234")
    deal = services.deal_create(
        actor=rep, fields={"title": "แพ็กเกจสปา 10 ครั้ง", "customer": CustomerFactory(owner=rep)}
    )
    presented = Stage.objects.get(pipeline__is_default=True, name_en="Presented")
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="th-TH")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "rep")
    page.fill("input[name=password]", "rep-pass-1234")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/sales/pipeline/")
    target = page.locator(f".board-cards[data-stage='{presented.pk}']")
    target.scroll_into_view_if_needed()
    page.locator(".deal-card").first.scroll_into_view_if_needed()
    card = page.locator(".deal-card").first.bounding_box()
    goal = target.bounding_box()
    session = context.new_cdp_session(page)
    x, y = card["x"] + card["width"] / 2, card["y"] + card["height"] / 2
    touch(session, "touchStart", x, y)
    page.wait_for_timeout(400)  # hold: a short press starts a drag, a swipe scrolls
    steps = 15
    for step in range(1, steps + 1):
        to_x = x + (goal["x"] + goal["width"] / 2 - x) * step / steps
        to_y = y + (goal["y"] + 30 - y) * step / steps
        touch(session, "touchMove", to_x, to_y)
        page.wait_for_timeout(20)
    touch(session, "touchEnd", 0, 0)
    expect(target.locator(".deal-card")).to_have_count(1)
    # The board reloads from the server once the move is stored: its totals say so.
    totals = (
        page.locator(f"#stage-{presented.pk}").locator("xpath=..").locator(".board-totals strong")
    )
    expect(totals).to_have_text("1")
    deal.refresh_from_db()
    assert deal.stage == presented
    screenshot(page, "25-board-phone-touch")
    context.close()
