"""A query parameter given twice is a 422 naming it (schemathesis found the API quietly
taking the last of ``?page_size=…&page_size=6``)."""

from tests.conftest import token_client


def test_a_repeated_query_parameter_is_refused_by_name(admin_user):
    client = token_client(admin_user)
    answer = client.get("/api/v1/messages?page_size=5&page_size=6")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "page_size"]
    assert client.get("/api/v1/messages?page_size=6").status_code == 200
    # Every list reads its parameters this way, a page and its search alike.
    assert client.get("/api/v1/customers?q=a&q=b").status_code == 422


def test_a_repeated_parameter_on_a_write_writes_nothing(admin_user):
    client = token_client(admin_user)
    answer = client.post(
        "/api/v1/tags?x=1&x=2", data={"name": "ประจำ"}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert client.get("/api/v1/tags?q=ประจำ").json()["count"] == 0
