from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "samphan.customers"
    label = "customers"
    verbose_name = "Customers"
