"""The pins of the pages and the API's reads (issue 19, §7), read by
``tests/test_query_counts.py``; the writes' pins are in ``tests/query_pins_writes.py``."""

from collections.abc import Callable

from samphan.customers.models import Interaction, Tag
from samphan.privacy.models import Breach, SubjectRequest
from tests.test_thai_pages import (
    Shop,
    a_referral,
    a_reward,
    a_voucher,
    data_export,
    earning_rule,
    import_job,
)

# A pin is a number, or one per database where the two differ.
Pin = int | dict[str, int]

# The downloads of a list of customers (tests/customers/test_list_export.py), the same for
# 3 rows as for 30: the session, the user with permissions and scope; who saw whom (the export,
# its rows, its count); the customers, then once per 2,000 rows their contact points,
# consents in force and tags.
EXPORTS: dict[str, int] = {
    "customer_export": 9,
    "segment_export": 11,  # and the custom fields the rules may name
}

# The GET of each page the crawl reads (its variants with a query string left out).
PAGES: dict[str, Pin] = {
    # The events, then the users, teams, customers and ticket categories they name (one
    # query each kind; the demo's tickets since issue 23).
    "audit_log": 8,
    "breach_create": 2,
    "breach_detail": 4,
    "breach_list": 4,
    "customer_privacy": 4,
    # The policy, then each purpose's first rows (a count only when there are more).
    "retention_settings": 7,
    "subject_request_create": 3,
    "subject_request_detail": 5,
    "subject_request_list": 4,
    "board": 9,
    "campaign_detail": 8,
    "campaign_edit": 5,
    "campaign_list": 4,
    "campaign_new": 3,
    "campaign_preview": 7,  # the points balance in one query (issue 24)
    # The session, the user, the campaign; the surveys it sent (none here: nothing shown).
    "campaign_nps": 4,
    "contact_point_add": 7,
    "contact_point_edit": 7,
    "customer_access": 5,
    "customer_cadence": 6,
    "customer_create": 7,
    # 16 since issue 20: the history shows the customer's data-subject request, whose
    # customer and handler it names (one query each kind of record, not each row); and
    # the INSERT that records who saw the customer (privacy/access_record.py).
    # 13 since issue 22's CPU work: tags, interests and whether merges are open to undo
    # in one statement (the merges read only when there are some), a person's page no
    # longer reads "people" (a company's only), the custom fields' definitions only when
    # the customer has a value.
    # 14 since issue 23: the customer's tickets, one more timeline source; 15 since issue
    # 24: the changes of points, another.
    "customer_detail": 15,
    "customer_edit": 12,
    # One count per kind of related row (surveys: issue 23; the tier history and vouchers:
    # issue 24); both contact lists.
    "customer_merge": 28,
    "customer_erase": 5,
    # The count, the page's ids, their rows (with company and preferred contact point),
    # the filter menus' choices (one statement), the review queue's badge for who may merge.
    "customer_list": 7,
    # The session, user, permissions; the count, the page of pairs with both customers,
    # their contact points, their orders (analytics' roll-up): the same for 1 or 25 pairs.
    "duplicate_queue": 6,
    # The session, user and permissions; an entry with names or contacts adds the three
    # queries of possible_duplicates (tests/customers/dedupe/test_possible.py pins those).
    "customer_similar": 5,
    # The import pages: the session and user, then the past imports and saved mappings;
    # the mapping step reads the custom fields twice (proposing a field from a header,
    # then listing every field); the job page reads the job with its importer, then the
    # first failed rows (their own table since the import-speed work).
    "customer_import": 4,
    "customer_import_mapping": 5,
    "customer_import_job": 4,
    "customer_lists": 5,
    "customer_options": 2,
    # The session, the user; the exports with who asked (one join).
    "data_export_page": 3,
    "data_export_row": 3,
    # The next points to expire (their date, how many), the tier (standing, history), the
    # rewards offered (the catalogue, what the member took) and their vouchers.
    # +2: who referred the customer, the friends they brought (a query a level).
    "customer_points": 15,
    "loyalty_settings": 4,  # the session, the user, the programme, the rules
    # The balances, the points expiring soon, the programme's version, the months (one
    # GROUP BY), each buyer's spend (one GROUP BY).
    "loyalty_dashboard": 7,
    "loyalty_rule_create": 4,  # and the products and categories to choose
    "loyalty_rule_edit": 5,
    "loyalty_rewards": 3,
    "loyalty_desk_rewards": 6,  # the customer, their points, the rewards, what they took
    "loyalty_reward_create": 2,
    "loyalty_reward_edit": 3,
    "loyalty_voucher_use": 3,
    "loyalty_voucher": 4,
    # The results (three aggregates), the page's count and rows, the top referrers.
    "loyalty_referrals": 9,
    "customer_purchases": 5,
    "customer_reach": 12,
    "customer_suggestions": 5,
    "deal_create": 8,
    "deal_detail": 12,
    "deal_edit": 13,
    "deal_list": 7,
    "forecast_panel": 6,
    "frontdesk": 2,
    "frontdesk_alerts": 4,
    "frontdesk_alerts_feed": 3,
    "frontdesk_expected": 4,
    "frontdesk_rule_create": 4,
    "frontdesk_rule_edit": 5,
    "frontdesk_rules": 3,
    "frontdesk_sign_up_poster": 3,
    # issue 22: a preset period from the snapshot (12 counted live; custom dates are
    # pinned by tests/analytics/test_funnel_fresh.py).
    "funnel": 6,
    "home": 8,
    "lead_convert": 6,
    "lead_create": 4,
    "lead_detail": 7,
    "lead_list": 5,
    # The session, the user; every tab's count in one statement, the page's count and its
    # rows with customer, assignee, team and category (all open tickets: the admin has none
    # of their own).
    "support_inbox": 9,  # the open views' counts, the solved count; staff for bulk; the tags
    "ticket_create": 5,  # and the choices: staff, teams, categories
    # The ticket with its customer, assignee, team, category; the thread with its authors;
    # the choices of the status form.
    # The reply's route (addresses, LINE, consents, suppressions), the shop, the canned
    # replies, the thread's attachments; who else has it open (an upsert, a select); its
    # tags (shown, in the form, and the tags to choose from).
    "ticket_detail": 19,
    "ticket_viewers": 5,
    # The session, the user; each section's rows with their teams (closed days: the
    # coming ones, then the latest past ones); an edit page reads its row.
    "support_settings": 11,
    "support_setting_create": 2,
    "support_setting_edit": 3,
    # The session, the user; the period's tickets; the backlog (before, opened, solved by
    # day); satisfaction by week; the 0-10 answers (once for every grouping), the names of
    # the campaigns that asked, the latest comments; the segments to choose from.
    "support_report": 11,
    "login": 2,
    "member_sign_up": 4,
    # The member's page: the customer, the programme, the balance, the tier's standing and
    # the next expiry, the rewards and what they took, their vouchers, the ledger, their
    # referral code and friends; the card's page reads the card's member first.
    "member_page": 15,
    "member_card_page": 14,
    "referral_join": 6,  # the code's member, the programme, the form's interests
    "support_help_form": 3,  # the session, the user, the shop profile
    # The session, the user, the survey with its customer, the shop; its ticket.
    "survey_answer": 5,
    # The session, the user, the customer; the open tickets and their count, the latest
    # satisfaction and recommendation.
    "customer_support": 7,
    "message_new": 7,
    "message_preferences": 5,
    "notification_badge": 3,
    "notifications": 4,
    "order_create": 6,
    "order_detail": 5,
    "order_list": 4,
    "outbox": 5,
    "password_change": 2,
    "password_change_done": 2,
    "password_reset": 2,
    "password_reset_complete": 2,
    "password_reset_done": 2,
    "pipeline_board": 9,
    "preferences": 6,  # + the authenticator and the recovery codes (two-step sign-in)
    "product_create": 3,
    "product_edit": 4,
    "product_import": 2,
    "product_list": 5,
    "productivity": 8,
    "public_lead_form": 3,
    "quote_create": 11,
    "quote_detail": 8,
    "quote_edit": 13,
    "quote_list": 6,
    "regulars": 5,
    "report": 4,  # the session, the user, the figures, the segments to choose from
    "segment_detail": 7,
    "segment_edit": 8,
    "segment_list": 4,
    "segment_new": 7,
    "segments": 5,
    "shop_settings": 4,
    "sms_length": 2,
    "top_customers": 4,
    "two_factor_setup": 6,
    "unsubscribe": 4,
    "user_create": 3,
    "user_edit": 7,  # + the login lock and the authenticator (issue 20)
    "user_list": 6,  # + which users are locked out (issue 20)
    "work_next": 7,
}

# Each read of the API, as "GET <path>" in the OpenAPI schema.
READS: dict[str, Pin] = {
    "GET /api/v1/alert-rules": 3,
    "GET /api/v1/alert-rules/{rule_id}": 2,
    "GET /api/v1/analytics/customers/{customer_id}/cadence": 3,
    "GET /api/v1/analytics/customers/{customer_id}/rfm": 3,
    "GET /api/v1/analytics/expected-today": 3,
    "GET /api/v1/analytics/forecast": 3,
    "GET /api/v1/analytics/funnel": 4,  # from the snapshot (10 counted live)
    "GET /api/v1/analytics/overdue": 3,
    "GET /api/v1/analytics/rfm": 4,
    "GET /api/v1/analytics/share": {"sqlite": 5, "postgresql": 2},
    "GET /api/v1/analytics/top-customers": {"sqlite": 6, "postgresql": 3},
    "GET /api/v1/analytics/top-groups": {"sqlite": 6, "postgresql": 3},
    "GET /api/v1/campaigns": 4,
    "GET /api/v1/campaigns/{campaign_id}": 3,
    "GET /api/v1/campaigns/{campaign_id}/results": 4,
    # Each read of customers +1 since issue 20: the one (bulk) INSERT recording who saw them.
    "GET /api/v1/companies": 8,
    "GET /api/v1/companies/{company_id}": 6,
    "GET /api/v1/contact-points/{point_id}": 2,
    "GET /api/v1/customers": 8,
    "GET /api/v1/customers/{customer_id}": 6,
    "GET /api/v1/customers/{customer_id}/access": 3,
    "GET /api/v1/customers/{customer_id}/consents": 6,
    "GET /api/v1/customers/{customer_id}/contact-points": 4,
    "GET /api/v1/customers/{customer_id}/interactions": 4,
    # One query per registered kind of data (privacy/registry.py), each a set; +1 since
    # issue 22: the funnel's purchase marks (analytics.PurchaseMarks) are registered.
    # +5 since issue 23: tickets, their messages and files, surveys, help form uses.
    # + the membership, the tier history and the vouchers (issue 24)
    "GET /api/v1/customers/{customer_id}/personal-data": 42,  # + the referral
    "GET /api/v1/customers/{customer_id}/points": 5,
    "GET /api/v1/customers/{customer_id}/points/ledger": 4,
    "GET /api/v1/loyalty/programme": 2,
    "GET /api/v1/loyalty/rules": 3,
    "GET /api/v1/loyalty/rules/{earning_rule_id}": 2,
    "GET /api/v1/loyalty/rewards": 3,
    "GET /api/v1/customers/{customer_id}/vouchers": 4,
    "GET /api/v1/customers/{customer_id}/referral-code": 4,
    "GET /api/v1/loyalty/referrals": 3,
    "GET /api/v1/loyalty/events": 2,  # the token and its user, the rows
    # The token and user, the customer, the programme's version, the standing in the
    # window, the history.
    "GET /api/v1/customers/{customer_id}/tier": 5,
    "GET /api/v1/vouchers/{code}": 3,
    "GET /api/v1/customers/{customer_id}/suggestions": 4,
    # A query per source (tickets: issue 23; points: issue 24).
    "GET /api/v1/customers/{customer_id}/timeline": 7,
    "GET /api/v1/deals": 5,
    "GET /api/v1/deals/{deal_id}": 5,
    "GET /api/v1/frontdesk/alerts": 2,
    "GET /api/v1/frontdesk/expected-today": 3,
    # The token (with its user); the import.
    # The token (with its user), the export.
    "GET /api/v1/exports/{export_id}": 2,
    # ... and the audit row and who saw whom (the export, its rows, its count).
    "GET /api/v1/exports/{export_id}/file": 8,
    "GET /api/v1/imports/{import_id}": 2,
    # The token, the import, its failed rows (their own table).
    "GET /api/v1/imports/{import_id}/failed.csv": 3,
    "GET /api/v1/interactions/{interaction_id}": 2,
    "GET /api/v1/leads": 3,
    "GET /api/v1/leads/{lead_id}": 2,
    "GET /api/v1/messages": 3,
    "GET /api/v1/messages/{message_id}": 2,
    "GET /api/v1/tickets": 4,  # the token, the count, the page, its tags
    "GET /api/v1/tickets/{ticket_id}": 3,
    "GET /api/v1/tickets/{ticket_id}/messages": 4,  # the ticket, the thread, its files
    "GET /api/v1/surveys": 3,
    "GET /api/v1/surveys/{survey_id}": 2,
    "GET /api/v1/orders": 5,
    "GET /api/v1/orders/{order_id}": 4,
    "GET /api/v1/pipelines": 3,
    "GET /api/v1/privacy/breaches": 4,
    "GET /api/v1/privacy/breaches/{breach_id}": 3,
    "GET /api/v1/privacy/requests": 3,
    "GET /api/v1/privacy/requests/{request_id}": 2,
    "GET /api/v1/privacy/retention": 6,
    "GET /api/v1/products": 3,
    "GET /api/v1/products/{product_id}": 2,
    "GET /api/v1/products/{product_id}/also-bought": 4,
    "GET /api/v1/quotes": 5,
    "GET /api/v1/quotes/{quote_id}": 4,
    "GET /api/v1/quotes/{quote_id}/pdf": 6,
    "GET /api/v1/reports/productivity": 6,
    "GET /api/v1/segments": 3,
    "GET /api/v1/segments/fields": 6,
    "GET /api/v1/segments/{segment_id}": 2,
    "GET /api/v1/segments/{segment_id}/count": 4,
    "GET /api/v1/segments/{segment_id}/customers": 6,  # +1: who saw them (issue 20)
    "GET /api/v1/shop": 2,
    "GET /api/v1/duplicates": 3,
    "GET /api/v1/tags": 3,
    "GET /api/v1/tags/{tag_id}": 2,
    "GET /api/v1/tokens": 2,
    "GET /api/v1/users": 4,
    "GET /api/v1/users/{user_id}": 3,
}

# The record each path parameter of the API is given.
PARAMETERS: dict[str, Callable[[Shop], object]] = {
    "customer_id": lambda shop: shop.customer.pk,
    "company_id": lambda shop: shop.company.pk,
    "point_id": lambda shop: shop.contact_point.pk,
    "interaction_id": lambda shop: Interaction.objects.filter(customer=shop.customer)[0].pk,
    "tag_id": lambda shop: Tag.objects.order_by("pk")[0].pk,
    "import_id": lambda shop: import_job(shop).pk,
    "export_id": lambda shop: data_export(shop).pk,
    "deal_id": lambda shop: shop.deal.pk,
    "lead_id": lambda shop: shop.lead.pk,
    "order_id": lambda shop: shop.order.pk,
    "product_id": lambda shop: shop.product.pk,
    "quote_id": lambda shop: shop.quote.pk,
    "rule_id": lambda shop: shop.rule.pk,
    "message_id": lambda shop: shop.message.pk,
    "segment_id": lambda shop: shop.segment.pk,
    "campaign_id": lambda shop: shop.campaign.pk,
    "user_id": lambda shop: shop.admin.pk,
    "request_id": lambda shop: SubjectRequest.objects.order_by("pk")[0].pk,
    "breach_id": lambda shop: Breach.objects.order_by("pk")[0].pk,
    "ticket_id": lambda shop: shop.ticket.pk,
    "survey_id": lambda shop: shop.survey.pk,
    "earning_rule_id": lambda shop: earning_rule().pk,
    "reward_id": lambda shop: a_reward().pk,
    "code": lambda shop: a_voucher(shop).code,
    "referral_id": lambda shop: a_referral(shop).pk,
}


# Reads that need a query string to answer 200.
READ_QUERIES = {
    "GET /api/v1/analytics/top-groups": "group=tag",
    "GET /api/v1/reports/productivity": "since=2026-01-01&until=2026-12-31",
}
# Reads that answer 202 while the worker computes (the forecast); every other answers 200.
ACCEPTED = {"GET /api/v1/analytics/forecast"}


def read_url(read: str, shop: Shop, given: dict[str, object] | None = None) -> str:
    """The URL of an operation, its path parameters filled with ``given`` records first,
    then with the shop's."""
    path = read.partition(" ")[2]
    for name, record_id in (given or {}).items():
        path = path.replace("{" + name + "}", str(record_id))
    for name, record in PARAMETERS.items():
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", str(record(shop)))
    query = READ_QUERIES.get(read, "")
    return f"{path}?{query}" if query else path
