from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MessagingConfig(AppConfig):
    name = "samphan.messaging"
    label = "messaging"
    verbose_name = pgettext_lazy("app", "Messaging")

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.customers.card_delivery import card_courier_register
        from samphan.customers.panels import customer_panel_register
        from samphan.customers.timeline import timeline_source_register
        from samphan.messaging.cards import member_card_send
        from samphan.messaging.outbox import SEND_EVERY, outbox_run
        from samphan.messaging.quotes import OutboxCourier
        from samphan.messaging.timeline import Messages
        from samphan.sales.quote_delivery import quote_courier_register

        timeline_source_register(Messages())
        customer_panel_register("customer_reach")
        loop_register("outbox", SEND_EVERY, outbox_run)
        quote_courier_register(OutboxCourier())
        card_courier_register(member_card_send)
