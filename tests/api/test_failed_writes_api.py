"""A failed API write writes nothing (issue 20, §1): the answer is an error and the
database is as it was, for the two reported cases and, structurally, for every write."""

from samphan.accounts.models import Role
from samphan.api.main import api as the_api
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from tests.api.calls import assert_names_field, patch, post
from tests.conftest import token_client
from tests.factories import CustomerFactory


def _rep_and_stranger(make_user):
    """A sales rep who sees only their own customers, and a user outside that scope."""
    rep = make_user(Role.SALES, username="rep", team=None)
    stranger = make_user(Role.SALES, username="stranger", team=None)
    return rep, stranger


def _audit_rows() -> int:
    return AuditEvent.objects.exclude(subject_type="accounts.apitoken").count()


def test_patch_owner_out_of_scope_is_refused_and_saves_nothing(make_user):
    rep, stranger = _rep_and_stranger(make_user)
    customer = CustomerFactory(first_name="สมชาย", owner=rep, team=None)
    audits = _audit_rows()
    response = patch(
        token_client(rep),
        f"/api/v1/customers/{customer.pk}",
        {"owner_id": stranger.pk, "nickname": "โต้ง"},
    )
    assert_names_field(response, "owner_id")
    customer.refresh_from_db()
    assert customer.owner_id == rep.pk
    assert customer.nickname == "ชาย"
    assert _audit_rows() == audits


def test_create_with_owner_out_of_scope_is_refused_and_creates_nothing(make_user):
    rep, stranger = _rep_and_stranger(make_user)
    client = token_client(rep)
    audits = _audit_rows()
    response = post(client, "/api/v1/customers", {"first_name": "ใหม่", "owner_id": stranger.pk})
    assert_names_field(response, "owner_id")
    assert not Customer.objects.exists()
    assert _audit_rows() == audits


def test_patch_owner_within_scope_still_works(make_user):
    rep = make_user(Role.SALES, username="rep")  # in the team: the team keeps it visible
    colleague = make_user(Role.SALES, username="colleague")
    customer = CustomerFactory(first_name="สมชาย", owner=rep, team=rep.team)
    response = patch(
        token_client(rep), f"/api/v1/customers/{customer.pk}", {"owner_id": colleague.pk}
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.owner_id == colleague.pk


def test_every_write_operation_runs_in_one_transaction():
    """Every POST, PUT, PATCH and DELETE of the API runs in a transaction that its error
    rolls back, so no write can answer an error after saving part of its work."""
    writes = [
        (path, operation)
        for _prefix, router in the_api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        if set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
    ]
    assert len(writes) > 50
    unwrapped = [
        f"{'/'.join(op.methods)} {path}"
        for path, op in writes
        if getattr(op.view_func, "samphan_atomic", False) is not True
    ]
    assert not unwrapped, unwrapped
