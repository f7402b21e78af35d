from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SupportConfig(AppConfig):
    name = "samphan.support"
    label = "support"
    verbose_name = pgettext_lazy("app", "Support")

    def ready(self) -> None:
        from django.conf import settings

        from samphan.core.background import loop_register
        from samphan.customers.panels import customer_panel_register
        from samphan.customers.timeline import timeline_source_register
        from samphan.frontdesk.notes import arrival_notes_register
        from samphan.marketing.campaigns.messages import variable_register
        from samphan.marketing.panels import campaign_panel_register
        from samphan.marketing.rules import rule_fields_register
        from samphan.messaging.inbound import inbound_register
        from samphan.support.arrivals import support_notes
        from samphan.support.imap import imap_poll
        from samphan.support.inbound import message_in
        from samphan.support.segments import support_fields
        from samphan.support.surveys import csat_round, nps_link
        from samphan.support.timeline import Tickets
        from samphan.support.watch import sla_round

        timeline_source_register(Tickets())
        customer_panel_register("customer_support")  # open tickets, latest scores
        campaign_panel_register("campaign_nps")  # the NPS of the surveys it sent
        arrival_notes_register(support_notes)  # the desk hears of open or unhappy tickets
        rule_fields_register(support_fields)  # segments by satisfaction, NPS, open tickets
        variable_register("nps_link", nps_link)  # a campaign asks 0-10 with its own survey
        inbound_register(message_in)  # LINE and SMS messages open or continue tickets
        # Runs whether or not a mailbox is set (it reads the setting each round).
        loop_register("mail-in", settings.SAMPHAN_IMAP_EVERY, imap_poll)
        loop_register("surveys", 60.0, csat_round)  # satisfaction surveys when due
        loop_register("sla", 60.0, sla_round)  # warnings before a promise is missed, breaches
