"""The audit log page (issue 20): the user guide promises it to admins and managers."""

import pytest
from django.test import Client
from django.urls import reverse

from samphan.accounts.models import Role
from samphan.customers import services as customer_services

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def changed(admin_user):
    customer = customer_services.customer_create(
        actor=admin_user, fields={"first_name": "สมหญิง", "last_name": "ใจดี"}
    )
    customer_services.customer_update(
        actor=admin_user, customer=customer, fields={"nickname": "หญิง"}
    )
    return customer


def test_a_manager_opens_the_audit_log(make_user, changed):
    manager = make_user(Role.MANAGER, language="en")
    response = logged_in(manager).get(reverse("audit_log"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/customers/{changed.pk}/"' in page
    assert "หญิง" in page  # the new nickname, as the change history writes it


def test_the_log_is_filtered_to_one_customer(make_user, changed, admin_user):
    other = customer_services.customer_create(actor=admin_user, fields={"first_name": "ก้อง"})
    client = logged_in(make_user(Role.MANAGER))
    page = client.get(reverse("audit_log"), {"customer": changed.pk}).content.decode()
    assert f"/customers/{changed.pk}/" in page
    assert f"/customers/{other.pk}/" not in page


def test_a_customer_number_that_is_not_one_answers_400_naming_it(make_user):
    client = logged_in(make_user(Role.MANAGER, language="en"))
    response = client.get(reverse("audit_log"), {"customer": "12a"})
    assert response.status_code == 400
    assert "Give a customer number." in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.SALES, Role.MARKETING, Role.FRONTDESK, Role.SUPPORT, Role.VIEWER]
)
def test_other_roles_may_not(make_user, role):
    assert logged_in(make_user(role)).get(reverse("audit_log")).status_code == 403


def test_settings_link_to_it_for_those_who_may(make_user):
    link = f'href="{reverse("audit_log")}"'
    assert link in logged_in(make_user(Role.MANAGER)).get(reverse("preferences")).content.decode()
    assert link not in logged_in(make_user(Role.SALES)).get(reverse("preferences")).content.decode()
