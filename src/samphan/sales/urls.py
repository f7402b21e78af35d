from django.urls import path

from samphan.sales import views

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_form, name="product_create"),
    path("products/import/", views.product_import, name="product_import"),
    path("products/<int:pk>/", views.product_form, name="product_edit"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/refund/", views.order_refund, name="order_refund"),
    path("orders/<int:pk>/status/", views.order_status, name="order_status"),
    path("customers/<int:pk>/purchases/", views.customer_purchases, name="customer_purchases"),
]
