"""POST /customers/{id}/merge and POST /merges/{id}/undo (issue 21)."""

import pytest

from samphan.accounts.models import Role
from samphan.customers.models import Customer, MergeRecord
from tests.api.calls import assert_names_field, post
from tests.conftest import token_client
from tests.factories import CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_merge_then_undo(api, admin_user):
    survivor = CustomerFactory(first_name="", nickname="")
    dup = CustomerFactory(first_name="สมชาย", nickname="ชาย")
    note = InteractionFactory(customer=dup)
    answer = post(
        api,
        f"/api/v1/customers/{survivor.pk}/merge",
        {"duplicate_ids": [dup.pk], "choices": {"nickname": dup.pk}},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["moved"]["customers.Interaction.customer"] == 1
    note.refresh_from_db()
    assert note.customer_id == survivor.pk
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.nickname) == ("สมชาย", "ชาย")
    assert Customer.objects.get(pk=dup.pk).merged_into_id == survivor.pk
    undo = post(api, f"/api/v1/merges/{body['id']}/undo", {})
    assert undo.status_code == 200, undo.content
    assert undo.json()["undone_at"]
    note.refresh_from_db()
    assert note.customer_id == dup.pk
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.nickname) == ("", "")
    again = post(api, f"/api/v1/merges/{body['id']}/undo", {})
    assert again.status_code == 422


def test_bad_requests_write_nothing(api, make_user):
    one, two = CustomerFactory(), CustomerFactory()
    url = f"/api/v1/customers/{one.pk}/merge"
    assert_names_field(post(api, url, {"duplicate_ids": []}), "duplicate_ids")
    assert post(api, url, {"duplicate_ids": [one.pk]}).status_code == 422
    assert post(api, url, {"duplicate_ids": [two.pk, 999999]}).status_code == 422
    bad_choice = post(api, url, {"duplicate_ids": [two.pk], "choices": {"kind": two.pk}})
    assert bad_choice.status_code == 422 and "choices" in bad_choice.content.decode()
    assert not MergeRecord.objects.exists()
    assert not Customer.objects.filter(archived_at__isnull=False).exists()
    rep = token_client(make_user(Role.SALES, username="rep"))
    assert post(rep, url, {"duplicate_ids": [two.pk]}).status_code == 403
