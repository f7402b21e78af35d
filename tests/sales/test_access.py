"""Fetch-and-authorise: a record the user may not see is a 404, a permission they lack a 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from samphan.accounts.models import Role
from samphan.sales import access, services
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def _deal(owner):
    fields = {"title": "ระบบ POS", "customer": CustomerFactory(owner=owner), "owner": owner}
    return services.deal_create(actor=owner, fields=fields)


def test_a_deal_of_someone_else_is_not_found_for_a_limited_seller():
    seller, other = UserFactory(role=Role.SALES), UserFactory(role=Role.SALES)
    deal = _deal(other)
    with pytest.raises(Http404):
        access.deal_for_user(seller, deal.pk, perm="sales.view_deal")
    assert access.deal_for_user(other, deal.pk, perm="sales.view_deal") == deal


def test_a_missing_permission_is_refused_before_the_record_is_looked_up():
    seller = UserFactory(role=Role.SALES)
    with pytest.raises(PermissionDenied):
        access.product_for_user(seller, ProductFactory().pk, perm="sales.change_product")
    with pytest.raises(PermissionDenied):
        access.deal_for_user(seller, 0, perm="sales.delete_deal")


def test_for_update_locks_the_record_with_what_its_page_shows(admin_user):
    deal = _deal(admin_user)
    with transaction.atomic():
        locked = access.deal_for_user(admin_user, deal.pk, for_update=True)
    assert locked == deal and locked.stage.pk == deal.stage_id
