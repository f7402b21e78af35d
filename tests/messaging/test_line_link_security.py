"""Linking a LINE account changes it only as the caller saw it when authorised (issue 20);
the API's cases are in tests/api/test_messaging_api.py."""

import pytest
from django.core.exceptions import ValidationError

from samphan.messaging import services
from samphan.messaging.models import LineAccount
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_account_relinked_meanwhile_is_not_changed(admin_user):
    first, second, mine = CustomerFactory(), CustomerFactory(), CustomerFactory()
    seen = LineAccount.objects.create(user_id="U" + "b" * 32, customer=first)
    LineAccount.objects.filter(pk=seen.pk).update(customer=second)  # someone else, meanwhile
    with pytest.raises(ValidationError) as refused:
        services.line_link(actor=admin_user, account=seen, customer=mine)
    assert "customer_id" in refused.value.message_dict
    assert LineAccount.objects.get(pk=seen.pk).customer_id == second.pk
