from django.urls import path

from samphan.sales.views import deals, leads, orders, products

urlpatterns = [
    path("products/", products.product_list, name="product_list"),
    path("products/new/", products.product_form, name="product_create"),
    path("products/import/", products.product_import, name="product_import"),
    path("products/<int:pk>/", products.product_form, name="product_edit"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/refund/", orders.order_refund, name="order_refund"),
    path("orders/<int:pk>/status/", orders.order_status, name="order_status"),
    path("customers/<int:pk>/purchases/", orders.customer_purchases, name="customer_purchases"),
    path("pipeline/", deals.board, name="board"),
    path("pipeline/<int:pk>/", deals.board, name="pipeline_board"),
    path("deals/", deals.deal_list, name="deal_list"),
    path("deals/new/", deals.deal_form, name="deal_create"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", deals.deal_form, name="deal_edit"),
    path("deals/<int:pk>/move/", deals.deal_move, name="deal_move"),
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/assign/", leads.lead_assign, name="lead_assign"),
    path("leads/<int:pk>/convert/", leads.lead_convert, name="lead_convert"),
    path("leads/<int:pk>/disqualify/", leads.lead_disqualify, name="lead_disqualify"),
]
