from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

NIGHTLY_EVERY = 600.0  # seconds: a look every ten minutes, the work once a day


class LoyaltyConfig(AppConfig):
    name = "samphan.loyalty"
    label = "loyalty"
    verbose_name = pgettext_lazy("app", "Loyalty")

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.customers.panels import customer_panel_register
        from samphan.customers.timeline import timeline_source_register
        from samphan.frontdesk.notes import arrival_notes_register, desk_panel_register
        from samphan.loyalty import receivers
        from samphan.loyalty.desk import points_notes
        from samphan.loyalty.services.expiry import loyalty_nightly
        from samphan.loyalty.timeline import Points

        receivers.connect()
        loop_register("loyalty-nightly", NIGHTLY_EVERY, loyalty_nightly)

        customer_panel_register("customer_points")
        arrival_notes_register(points_notes)  # the desk's card: points, the next tier
        desk_panel_register("loyalty_desk_rewards")  # and the rewards to redeem there
        timeline_source_register(Points())  # changes of points not an order's own
