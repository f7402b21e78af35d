"""/api/v1 tags: list with search and pages, get, rename, delete with an audit trail."""

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer, Tag
from tests.api.calls import assert_names_field, patch, post
from tests.conftest import token_client
from tests.factories import CustomerFactory, TagFactory
from tests.querycount import assert_queries


def test_list_searches_and_pages_past_a_thousand(api):
    Tag.objects.bulk_create(Tag(name=f"แท็ก{index:04d}") for index in range(1_005))
    TagFactory(name="VIP ทอง")
    page = api.get("/api/v1/tags?page_size=100&page=11").json()
    assert (page["count"], page["count_capped"], page["page"]) == (1_006, False, 11)
    # Latin sorts before Thai, so "VIP ทอง" is first and page 11 ends the Thai names.
    assert [tag["name"] for tag in page["items"]] == [f"แท็ก{i:04d}" for i in range(999, 1_005)]
    found = api.get("/api/v1/tags?q=ทอง").json()
    assert (found["count"], found["items"][0]["name"]) == (1, "VIP ทอง")
    assert api.get("/api/v1/tags?q=vip").json()["count"] == 1  # any case


def test_get_and_rename(api):
    tag = TagFactory(name="ขายส่ง")
    assert api.get(f"/api/v1/tags/{tag.pk}").json() == {"id": tag.pk, "name": "ขายส่ง"}
    assert patch(api, f"/api/v1/tags/{tag.pk}", {"name": "ค้าส่ง"}).json()["name"] == "ค้าส่ง"
    assert api.get("/api/v1/tags/424242").status_code == 404
    assert patch(api, "/api/v1/tags/424242", {"name": "x"}).status_code == 404


def test_bad_input_names_the_field(api):
    tag = TagFactory(name="ขายส่ง")
    TagFactory(name="ขายปลีก")
    assert_names_field(patch(api, f"/api/v1/tags/{tag.pk}", {"name": ""}), "name")
    assert_names_field(patch(api, f"/api/v1/tags/{tag.pk}", {"name": "ขายปลีก"}), "name")
    assert_names_field(post(api, "/api/v1/tags", {"name": "ก" * 51}), "name")
    assert_names_field(api.get("/api/v1/tags?q=" + "ก" * 51), "q")
    assert_names_field(api.get("/api/v1/tags?page_size=101"), "page_size")
    assert Tag.objects.get(pk=tag.pk).name == "ขายส่ง"


def test_delete_takes_the_tag_off_everyone_with_an_audit_row_each(api, admin_user):
    tag = TagFactory(name="ลูกค้าเก่า")
    kept = TagFactory(name="ประจำ")
    tagged = CustomerFactory.create_batch(3)
    for customer in tagged:
        customer.tags.add(tag, kept)
    CustomerFactory().tags.add(kept)

    assert api.delete(f"/api/v1/tags/{tag.pk}").status_code == 204

    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert Customer.objects.filter(tags=kept).count() == 4
    events = AuditEvent.objects.filter(subject_type="customers.tag", subject_id=tag.pk)
    per_customer = events.filter(customer_id__isnull=False)
    assert sorted(per_customer.values_list("customer_id", flat=True)) == [c.pk for c in tagged]
    for event in per_customer:
        assert (event.action, event.actor, event.changes) == (
            "delete",
            admin_user,
            {"name": ["ลูกค้าเก่า", None]},
        )
    summary = events.get(customer_id__isnull=True)
    assert summary.changes == {"name": ["ลูกค้าเก่า", None], "customers": [3, 0]}
    assert api.delete(f"/api/v1/tags/{tag.pk}").status_code == 404


def test_delete_writes_audit_rows_in_a_fixed_number_of_queries(api):
    def tag_on(customers: int) -> str:
        tag = TagFactory(name=f"ชั่วคราว{customers}")
        for customer in CustomerFactory.create_batch(customers):
            customer.tags.add(tag)
        return f"/api/v1/tags/{tag.pk}"

    assert api.delete(tag_on(1)).status_code == 204  # also records the token's last use
    few = tag_on(2)
    with assert_queries() as captured:
        assert api.delete(few).status_code == 204
    many = tag_on(40)
    with assert_queries(len(captured)):
        assert api.delete(many).status_code == 204
    assert AuditEvent.objects.filter(customer_id__isnull=False).count() == 43


def test_limited_roles_see_every_tag_but_may_not_delete(make_user):
    """Tags are shared vocabulary, not owned records: no team scope applies to them."""
    tag = TagFactory(name="ประจำ")
    sales = token_client(make_user(Role.SALES, username="sales"))
    assert sales.get(f"/api/v1/tags/{tag.pk}").status_code == 200
    assert sales.get("/api/v1/tags").json()["count"] == 1
    assert sales.delete(f"/api/v1/tags/{tag.pk}").status_code == 403
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_list_queries_do_not_grow_with_rows(api):
    TagFactory.create_batch(2)

    def add_rows():
        Tag.objects.bulk_create(Tag(name=f"เพิ่ม{index}") for index in range(60))

    url = "/api/v1/tags?page_size=100"
    api.get(url)  # the first call of the minute also records the token's last use
    with assert_queries() as few:
        assert api.get(url).status_code == 200
    add_rows()
    with assert_queries(len(few)):
        page = api.get(url).json()
    assert page["count"] == 62
