"""``{% shop_profile as shop %}``: the shop (``core.shop.shop_profile``) in a template that
is not handed it, such as the layout of the pages customers reach without logging in."""

from django import template

from samphan.core.shop import Shop, shop_profile

register = template.Library()


@register.simple_tag(name="shop_profile")
def shop_profile_tag() -> Shop:
    return shop_profile()
