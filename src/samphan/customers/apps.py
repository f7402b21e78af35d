from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CustomersConfig(AppConfig):
    name = "samphan.customers"
    label = "customers"
    verbose_name = pgettext_lazy("app", "Customers")
