import pytest

from samphan.customers import services
from samphan.customers.models import Customer, Interaction
from tests.factories import ContactPointFactory, CustomerFactory, InteractionFactory, TagFactory
from tests.querycount import assert_queries


def queries_for(client, url, **headers):
    with assert_queries() as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured)


def populate(count):
    tag = TagFactory(name="ลูกค้าประจำ")
    for _ in range(count):
        customer = CustomerFactory()
        ContactPointFactory(customer=customer, is_preferred=True)
        customer.tags.add(tag)
        InteractionFactory(customer=customer)


def test_list_runs_a_fixed_number_of_queries(admin_client):
    search = "/customers/?q=สมชาย&sort=newest"
    populate(3)
    few = queries_for(admin_client, "/customers/")
    few_found = queries_for(admin_client, search)
    populate(30)
    assert queries_for(admin_client, "/customers/") == few <= 12
    # The search is one statement (its page and count, core/search.py, matching_page),
    # then the page's rows; one more counts the possible duplicates waiting for review
    # (the button's badge).
    assert queries_for(admin_client, search) == few_found <= 17


def test_detail_runs_a_fixed_number_of_queries(admin_client, admin_user):
    company = services.customer_create(
        actor=admin_user, fields={"kind": "company", "company_name": "บริษัท ก จำกัด"}
    )
    customer = CustomerFactory(company=company)
    ContactPointFactory(customer=customer)
    InteractionFactory(customer=customer)
    few = queries_for(admin_client, f"/customers/{customer.pk}/")
    for _ in range(10):
        ContactPointFactory(customer=customer)
        InteractionFactory(customer=customer)
        CustomerFactory(company=company)
    customer.tags.add(TagFactory(), TagFactory())
    assert queries_for(admin_client, f"/customers/{customer.pk}/") == few
    # A company's page reads its people and their preferred contact points, and (made by
    # the service) its history names the users it mentions; a person's reads neither
    # (issue 22: the people are read for a company only).
    assert queries_for(admin_client, f"/customers/{company.pk}/") <= few + 3


def test_htmx_search_returns_only_the_results_fragment(admin_client):
    CustomerFactory(first_name="สมชาย")
    CustomerFactory(first_name="มาลี", display_name="มาลี ใจดี", search_document="มาลี ใจดี")
    response = admin_client.get("/customers/?q=ชาย", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "สมชาย" in html and "มาลี" not in html and "<html" not in html


def test_empty_state(admin_client):
    html = admin_client.get("/customers/?q=ไม่มีใครชื่อนี้").content.decode()
    assert "ไม่มีลูกค้าที่ตรงกับ" in html or "No customer matches" in html


def test_pagination_and_sort(admin_client):
    for index in range(30):
        CustomerFactory(first_name=f"ก{index:02d}", display_name=f"ก{index:02d}")
    first = admin_client.get("/customers/?sort=name").content.decode()
    assert "ก00" in first and "ก29" not in first
    last = admin_client.get("/customers/?sort=name&page=2").content.decode()
    assert "ก29" in last
    assert "ก29" in admin_client.get("/customers/?sort=-name").content.decode()


def test_create_form_shows_errors_next_to_fields_and_writes_nothing(admin_client):
    response = admin_client.post(
        "/customers/new/",
        {"first_name": "", "mobile": "081-234", "email": "nope", "stage": "lead", "tier": "none"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"mobile", "email", "first_name"}
    assert not Customer.objects.exists()


def test_company_form_rejects_bad_tax_id(admin_client):
    response = admin_client.post(
        "/customers/new/?kind=company",
        {"company_name": "บริษัท ข จำกัด", "tax_id": "1234567890123", "stage": "lead", "tier": "none"},
    )
    assert "tax_id" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_duplicate_warning_then_create_anyway(admin_client, admin_user):
    services.customer_create(
        actor=admin_user,
        fields={"first_name": "หนึ่ง"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )
    data = {"first_name": "สอง", "mobile": "+66 81 234 5678", "stage": "lead", "tier": "none"}
    warned = admin_client.post("/customers/new/", data)
    assert warned.status_code == 200
    assert [c.display_name for c in warned.context["form"].duplicates] == ["หนึ่ง"]
    assert Customer.objects.count() == 1
    created = admin_client.post("/customers/new/", {**data, "confirm_duplicate": "on"})
    assert created.status_code == 302
    assert Customer.objects.count() == 2


def test_many_visible_duplicates_are_not_counted_as_hidden(admin_client):
    for _ in range(7):
        ContactPointFactory(value="+66812345678")
    data = {"first_name": "ใหม่", "mobile": "0812345678", "stage": "lead", "tier": "none"}
    form = admin_client.post("/customers/new/", data).context["form"]
    assert (len(form.duplicates), form.hidden_duplicates) == (5, 0)


@pytest.fixture
def two_customers(admin_user):
    first = services.customer_create(
        actor=admin_user,
        fields={"first_name": "หนึ่ง"},
        contact_points=[
            {"kind": "mobile", "value": "0812345678"},
            {"kind": "email", "value": "one@example.com"},
        ],
    )
    second = services.customer_create(
        actor=admin_user,
        fields={"first_name": "สอง"},
        contact_points=[{"kind": "mobile", "value": "0899999999"}],
    )
    return first, second


@pytest.mark.parametrize(
    ("kind", "typed"),
    [("mobile", "081-234-5678"), ("phone", "+66 81 234 5678"), ("email", "ONE@Example.com")],
)
def test_contact_point_duplicate_warning_then_save_anyway(admin_client, two_customers, kind, typed):
    first, second = two_customers
    url = f"/customers/{second.pk}/contacts/new/"
    warned = admin_client.post(url, {"kind": kind, "value": typed})
    assert warned.status_code == 200
    form = warned.context["form"]
    assert [c.display_name for c in form.duplicates] == ["หนึ่ง"]
    assert "value" in form.errors
    html = warned.content.decode()
    assert (
        f'href="/customers/{first.pk}/"' in html
        and 'type="checkbox" name="confirm_duplicate"' in html
    )
    assert second.contact_points.count() == 1
    saved = admin_client.post(url, {"kind": kind, "value": typed, "confirm_duplicate": "on"})
    assert saved.status_code == 302
    assert second.contact_points.count() == 2


def test_contact_point_edit_warns_only_when_the_value_changes(admin_client, two_customers):
    first, second = two_customers
    point = second.contact_points.get()
    url = f"/customers/{second.pk}/contacts/{point.pk}/"
    relabelled = admin_client.post(url, {"kind": "mobile", "value": "0899999999", "label": "งาน"})
    assert relabelled.status_code == 302
    changed = admin_client.post(url, {"kind": "mobile", "value": "0812345678", "label": "งาน"})
    assert changed.status_code == 200 and changed.context["form"].duplicates == [first]
    point.refresh_from_db()
    assert point.value == "+66899999999"
    # The same number already on another customer, once confirmed, stays quiet on edits.
    admin_client.post(url, {"kind": "mobile", "value": "0812345678", "confirm_duplicate": "on"})
    point.refresh_from_db()
    assert point.value == "+66812345678"
    assert admin_client.post(url, {"kind": "mobile", "value": "0812345678"}).status_code == 302


def test_contact_point_on_the_same_customer_or_a_line_id_is_no_duplicate(
    admin_client, two_customers
):
    first, _second = two_customers
    url = f"/customers/{first.pk}/contacts/new/"
    assert admin_client.post(url, {"kind": "phone", "value": "0812345678"}).status_code == 302
    ContactPointFactory(kind="line", value="somchai")
    assert admin_client.post(url, {"kind": "line", "value": "somchai"}).status_code == 302


def test_html_in_names_is_escaped(admin_client, admin_user):
    customer = services.customer_create(
        actor=admin_user, fields={"first_name": "<script>alert(1)</script>", "nickname": "<b>x</b>"}
    )
    services.interaction_log(
        actor=admin_user,
        customer=customer,
        kind="note",
        summary="<img src=x onerror=alert(2)>",
        channel="<i>LINE</i>",
    )
    pages = {
        "list": "/customers/",
        "detail": f"/customers/{customer.pk}/",
        "home's latest activity": "/",
        "picker options": "/customers/options/?field=referred_by&referred_by=alert",
    }
    for name, url in pages.items():
        html = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "<b>x</b>" not in html, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
    for url in (pages["detail"], pages["home's latest activity"]):
        html = admin_client.get(url).content.decode()
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    html = admin_client.get(pages["detail"]).content.decode()
    assert "<i>LINE</i>" not in html and "&lt;i&gt;LINE&lt;/i&gt;" in html


def test_log_a_call_with_htmx_returns_the_timeline(admin_client):
    customer = CustomerFactory()
    response = admin_client.post(
        f"/customers/{customer.pk}/interactions/",
        {"kind": "call", "summary": "โทรนัดหมาย"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="timeline"')
    assert "โทรนัดหมาย" in html
    assert Interaction.objects.get().kind == "call"


@pytest.mark.parametrize("language", ["th", "en"])
def test_pages_speak_the_users_language(admin_client, admin_user, language):
    admin_user.language = language
    admin_user.save()
    html = admin_client.get("/customers/").content.decode()
    assert ("ลูกค้า" in html) == (language == "th")
    assert f'lang="{language}"' in html


def test_buddhist_era_preference(admin_client, admin_user):
    import datetime as dt

    customer = CustomerFactory(birthday=dt.date(1990, 11, 22))
    assert "22 พ.ย. 2533" in admin_client.get(f"/customers/{customer.pk}/").content.decode()
    admin_user.buddhist_era = False
    admin_user.save()
    assert "22 พ.ย. 1990" in admin_client.get(f"/customers/{customer.pk}/").content.decode()


def test_language_switch_is_a_post_and_saved(admin_client, admin_user):
    assert admin_client.get("/language/").status_code == 405
    admin_client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    admin_user.refresh_from_db()
    assert admin_user.language == "en"


def test_customer_picker_suggests_visible_companies(admin_client, admin_user):
    company = services.customer_create(
        actor=admin_user, fields={"kind": "company", "company_name": "บริษัท สยามฟู้ดส์ จำกัด"}
    )
    CustomerFactory(first_name="สยาม")  # a person: not offered as a company
    html = admin_client.get(
        "/customers/options/?field=company__search&kind=company&company__search=สยาม"
    ).content.decode()
    assert f'data-id="{company.pk}"' in html and html.count("<option") == 1
    form = admin_client.get(f"/customers/new/?company={company.pk}").content.decode()
    assert "บริษัท สยามฟู้ดส์ จำกัด" in form  # the picked company is named, not just numbered


def test_long_lists_are_counted_up_to_a_cap(admin_client, monkeypatch):
    from samphan.customers import queries

    monkeypatch.setattr(queries, "SEARCH_CANDIDATES", 5)
    monkeypatch.setattr(queries, "COUNT_CAP", 6)
    for index in range(8):
        CustomerFactory(first_name=f"สมชาย{index}")
    search = admin_client.get("/customers/?q=สมชาย").context["page"]
    assert (search.paginator.count, search.paginator.capped) == (5, True)
    assert len(search.object_list) == 5
    full = admin_client.get("/customers/").context["page"]
    assert (full.paginator.count, full.paginator.capped) == (6, True)
    html = admin_client.get("/customers/").content.decode()
    assert "6" in html and ("More than" in html or "มากกว่า" in html)


def test_change_history_only_for_those_who_may_read_the_audit_log(
    admin_client, admin_user, make_user
):
    from django.test import Client

    customer = services.customer_create(actor=admin_user, fields={"first_name": "สมชาย"})
    services.customer_update(actor=admin_user, customer=customer, fields={"nickname": "ชาย"})
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="history-title"' in html and "nickname" in html
    sales = Client()
    sales.force_login(make_user("sales", username="seller"))
    customer.owner = None
    customer.save()
    viewer = Client()
    viewer.force_login(make_user("viewer", username="looker"))
    assert 'id="history-title"' not in viewer.get(f"/customers/{customer.pk}/").content.decode()


def test_the_page_shows_the_latest_changes_and_links_to_all_of_them(admin_client, admin_user):
    customer = services.customer_create(actor=admin_user, fields={"first_name": "สมชาย"})
    for index in range(7):
        services.customer_update(
            actor=admin_user, customer=customer, fields={"nickname": f"n{index}"}
        )
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    history = html[html.index('id="history-title"') :]
    # The five latest updates: n1 → n2 … n5 → n6 (the first update's n0 is left out).
    assert history.count("<li>") == 5
    assert "n0" not in history and all(f"n{i}" in history for i in range(1, 7))
    link = f'href="/audit/?customer={customer.pk}"'
    assert link in history
    everything = admin_client.get(f"/audit/?customer={customer.pk}").content.decode()
    assert all(f"n{i}" in everything for i in range(7))


@pytest.mark.parametrize(
    "query",
    [
        "tag=99999999999999999999999",
        "owner=-1",
        "team=๑",
        "stage=bogus",
        "sort=drop",
        "vip=maybe",
        "page=-3",
        "page=99999999999999999999",
        "q=" + "ก" * 500,
    ],
)
def test_malformed_list_parameters_are_ignored(admin_client, query):
    CustomerFactory()
    assert admin_client.get(f"/customers/?{query}").status_code == 200


def test_photo_upload_and_clear(admin_client, admin_user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(buffer, "PNG")
    customer = services.customer_create(actor=admin_user, fields={"first_name": "มาลี"})
    data = {"first_name": "มาลี", "stage": "lead", "tier": "none"}
    photo = SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")
    assert (
        admin_client.post(f"/customers/{customer.pk}/edit/", {**data, "photo": photo}).status_code
        == 302
    )
    customer.refresh_from_db()
    assert customer.photo.name.endswith(".jpg") and customer.photo_thumbnail.name.endswith("-t.jpg")
    assert admin_client.get(customer.photo.url).status_code == 200  # staff may see it
    from django.test import Client

    assert Client().get(customer.photo.url).status_code == 302  # the public may not
    not_image = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    bad = admin_client.post(f"/customers/{customer.pk}/edit/", {**data, "photo": not_image})
    assert "photo" in bad.context["form"].errors
    admin_client.post(f"/customers/{customer.pk}/edit/", {**data, "photo-clear": "on"})
    customer.refresh_from_db()
    assert not customer.photo
