"""/api/v1/shop: the shop as customers see it (admins only, as the settings page). A PUT
replaces every text field; the logo is uploaded on the settings page."""

from typing import Annotated, Any

from ninja import Router, Schema
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, MaxChars
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.core.shop import CHANGE_SHOP, Shop, shop_profile, shop_profile_update

router = Router(tags=["shop"])


class ShopOut(Schema):
    name: str
    name_en: str
    address: str
    tax_id: str
    branch: str
    promptpay_id: str
    public_url: str
    privacy_notice: str
    privacy_url: str
    logo_url: str = Field(description="the logo's address on this server; empty when none")
    saved: bool = Field(description="false: the server's SAMPHAN_* settings stand in")


class ShopIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, MaxChars(200)]
    name_en: Annotated[str, MaxChars(200)] = ""
    address: Annotated[str, MaxChars(1000)] = ""
    tax_id: Annotated[str, MaxChars(30)] = Field(
        "", description="13 digits; spaces and dashes are taken out"
    )
    branch: Annotated[str, MaxChars(5)] = Field(
        "", description="5 digits, 00000 for the head office"
    )
    promptpay_id: Annotated[str, MaxChars(30)] = Field(
        "",
        description="a Thai mobile number, a 13-digit tax or ID number, or a 15-digit e-wallet ID",
    )
    public_url: Annotated[str, MaxChars(200)] = Field(
        "", description="empty: the server's SAMPHAN_PUBLIC_URL"
    )
    privacy_notice: Annotated[str, MaxChars(5000)] = ""
    privacy_url: Annotated[str, MaxChars(200)] = ""


def _out(shop: Shop, request: Request) -> dict[str, Any]:
    fields = {name: getattr(shop, name) for name in ShopOut.model_fields if name != "logo_url"}
    logo_url = request.build_absolute_uri(shop.logo_url) if shop.logo else ""
    return {**fields, "logo_url": logo_url}


@router.get("/shop", response={200: ShopOut, **ERRORS})
def shop_detail(request: Request) -> Any:
    require_perm(request.user, CHANGE_SHOP)
    return _out(shop_profile(), request)


@router.put("/shop", response={200: ShopOut, **ERRORS})
def shop_update(request: Request, payload: ShopIn) -> Any:
    require_perm(request.user, CHANGE_SHOP)
    shop = shop_profile_update(actor=request.user, fields=payload.model_dump())
    return _out(shop, request)
