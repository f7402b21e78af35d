"""The menu's addresses, reversed once per script prefix (``core/nav.py``)."""

from django.urls import clear_script_prefix, reverse, set_script_prefix

from samphan.core.nav import NAMES, nav_urls


def test_the_addresses_are_djangos_under_each_prefix() -> None:
    try:
        for prefix in ("/", "/shop/"):
            set_script_prefix(prefix)
            urls = nav_urls()
            assert {name: urls[name] for name in NAMES} == {name: reverse(name) for name in NAMES}
            assert urls["customer_page"] + "42/" == reverse("customer_detail", args=[42])
            assert urls["home"] == prefix
    finally:
        clear_script_prefix()
