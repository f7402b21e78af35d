from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from samphan.accounts.models import Team, User
from samphan.customers.models import ContactPoint, Customer, Interaction, Tag
from samphan.sales.models import Product


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"ทีม {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "ทดสอบ"
    password = factory.django.Password("test-pass-123")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class CustomerFactory(factory.django.DjangoModelFactory):
    """Builds rows directly; tests of the rules go through the services instead."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    kind = Customer.Kind.PERSON
    first_name = factory.Sequence(lambda n: f"สมชาย{n}")
    last_name = "ใจดี"
    first_name_en = factory.Sequence(lambda n: f"Somchai{n}")
    last_name_en = "Jaidee"
    nickname = "ชาย"
    stage = Customer.Stage.CUSTOMER
    display_name = factory.LazyAttribute(lambda c: f"{c.first_name} {c.last_name}")
    search_document = factory.LazyAttribute(
        lambda c: (
            f"{c.first_name} {c.last_name} {c.first_name_en} {c.last_name_en} {c.nickname}".casefold()
        )
    )


class CompanyFactory(CustomerFactory):
    kind = Customer.Kind.COMPANY
    first_name = ""
    last_name = ""
    first_name_en = ""
    last_name_en = ""
    nickname = ""
    company_name = factory.Sequence(lambda n: f"บริษัท ทดสอบ {n} จำกัด")
    display_name = factory.LazyAttribute(lambda c: c.company_name)
    search_document = factory.LazyAttribute(lambda c: c.company_name.casefold())


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    customer = factory.SubFactory(CustomerFactory)
    kind = ContactPoint.Kind.MOBILE
    value = factory.Sequence(lambda n: f"+66812{n:06d}")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = Interaction.Kind.CALL
    summary = "โทรติดตาม"
    occurred_at = factory.LazyFunction(
        lambda: __import__("django.utils.timezone").utils.timezone.now()
    )


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"สินค้า {n}")
    list_price = Decimal("107.00")
    unit_cost = Decimal("40.00")
    price_includes_vat = True
