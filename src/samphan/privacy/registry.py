"""Every model and field that holds personal data (PDPA B.E. 2562): why it is held (the
purpose), on which lawful basis (section 24, or section 19 for consent), how it is found
from a customer (``path``), and what erasure does to each field.

The access ZIP (``subject_export``) and erasure (``erasure``) read this registry;
``tests/privacy/test_registry.py`` walks every model of the project's apps and fails on a
model or field with personal data that is neither here nor in ``NOT_PERSONAL``.
"""

from typing import Final

from django.utils.translation import gettext_lazy as _

from samphan.privacy.registry_imports import IMPORT_FAILED_ROWS
from samphan.privacy.registry_loyalty import LOYALTY
from samphan.privacy.registry_not_personal import NOT_PERSONAL
from samphan.privacy.registry_support import SUPPORT
from samphan.privacy.registry_types import BASIS_LABELS, Basis, Erasure, PersonalData

__all__ = ["BASIS_LABELS", "NOT_PERSONAL", "REGISTRY", "Basis", "Erasure", "PersonalData"]

A, D, K = Erasure.ANONYMISE, Erasure.DELETE, Erasure.KEEP
ORDERS_KEPT = _(
    "Kept: the Revenue Code (s.87, s.87/3) requires the sales and VAT records and their "
    "documents for 5 years, and revenue figures must not change. The order keeps its "
    "number, date, lines and amounts; the free-text note is erased and the buyer is the "
    "anonymised customer."
)

REGISTRY: Final[tuple[PersonalData, ...]] = (
    PersonalData(
        "customers.Customer",
        _("Profile"),
        _("Serving the customer: who they are, how to greet them, their membership."),
        Basis.CONTRACT,
        "",
        {
            "title": A,
            "first_name": A,
            "last_name": A,
            "first_name_en": A,
            "last_name_en": A,
            "nickname": A,
            "birthday": A,
            "job_title": A,
            "company_name": A,
            "company_name_en": A,
            "tax_id": K,
            "branch": K,
            "website": A,
            "address": A,
            "province": A,
            "photo": A,
            "photo_thumbnail": A,
            "member_number": A,
            "custom_fields": A,
            "notes": A,
            "display_name": A,
            "search_document": A,
            "processing_restricted_reason": A,
        },
        _(
            "Names, contact details, photo (the file too), birthday, notes and custom fields "
            "are erased; the row stays as an anonymous customer so orders keep their buyer. "
            "The tax ID and branch stay only while a tax invoice may name them (an order in "
            "the last 5 years, Revenue Code s.86/4 and s.87/3)."
        ),
    ),
    PersonalData(
        "customers.ContactPoint",
        _("Contact points"),
        _("Reaching the customer: phones, e-mails, LINE IDs, addresses."),
        Basis.CONTRACT,
        "customer",
        {"value": D, "label": D},
        _("Deleted."),
    ),
    PersonalData(
        "customers.ConsentRecord",
        _("Consents"),
        _("Proof of what the customer agreed to, and when."),
        Basis.LEGAL_OBLIGATION,
        "customer",
        {"wording_version": K},
        _("Kept: the proof of consent and its withdrawal (PDPA s.19); it holds no identifier."),
    ),
    PersonalData(
        "customers.Interaction",
        _("Timeline"),
        _("The history of calls, visits, notes and purchases, to serve the customer well."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"summary": A, "body": A, "channel": K},
        _("What was said is erased; that a visit or purchase happened, and when, is kept."),
    ),
    PersonalData(
        "sales.Deal",
        _("Deals"),
        _("Selling to the customer."),
        Basis.CONTRACT,
        "customer",
        {"title": A, "notes": A, "close_reason": A, "expected_close": K},
        _(
            "Closed deals keep their amounts; titles and notes are erased. An open deal "
            "stops erasure until it is won or lost."
        ),
        plain=("source",),
    ),
    PersonalData(
        "sales.DealLine",
        _("Deal lines"),
        _("Selling to the customer."),
        Basis.CONTRACT,
        "deal__customer",
        {},
        _("Kept: products and amounts only."),
    ),
    PersonalData(
        "sales.DealStageChange",
        _("Deal history"),
        _("Selling to the customer."),
        Basis.CONTRACT,
        "deal__customer",
        {},
        _("Kept: stages and dates only."),
    ),
    PersonalData(
        "sales.Lead",
        _("Leads"),
        _("Answering the customer's enquiry."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"message": A, "campaign": A, "close_reason": A, "sender_hash": K},
        _(
            "The enquiry's text is erased; its status and dates are kept for the funnel "
            "figures. The sender hash cannot be turned back into an address."
        ),
        plain=("source",),
    ),
    PersonalData(
        "sales.Order",
        _("Orders"),
        _("Selling, delivering and accounting for the sale."),
        Basis.LEGAL_OBLIGATION,
        "customer",
        {"note": A, "number": K, "external_id": K},
        ORDERS_KEPT,
    ),
    PersonalData(
        "sales.OrderLine",
        _("Order lines"),
        _("Accounting for the sale."),
        Basis.LEGAL_OBLIGATION,
        "order__customer",
        {},
        ORDERS_KEPT,
    ),
    PersonalData(
        "sales.Quote",
        _("Quotations"),
        _("Offering prices to the customer."),
        Basis.CONTRACT,
        "customer",
        {"notes": A, "number": K, "issued_on": K, "valid_until": K},
        _(
            "Amounts and dates are kept; notes are erased. An open quotation (draft or "
            "sent) stops erasure."
        ),
    ),
    PersonalData(
        "sales.QuoteLine",
        _("Quotation lines"),
        _("Offering prices to the customer."),
        Basis.CONTRACT,
        "quote__customer",
        {"description": K},
        _("Kept: the product's description and amounts only."),
    ),
    PersonalData(
        "sales.QuoteDocument",
        _("Quotation PDFs"),
        _("The quotation as sent."),
        Basis.CONTRACT,
        "quote__customer",
        {"pdf": D},
        _("Deleted: the PDF names the customer."),
    ),
    PersonalData(
        "messaging.Message",
        _("Messages"),
        _("Telling the customer what they asked for, or marketing with their consent."),
        Basis.CONSENT,
        "customer",
        dict.fromkeys(("to", "subject", "text", "html", "headers", "error", "provider_ref"), A),
        _("Address and content are erased; that a message was sent, and when, is kept."),
    ),
    PersonalData(
        "messaging.MessageAttachment",
        _("Message attachments"),
        _("A file sent to them."),
        Basis.CONTRACT,
        "message__customer",
        {"filename": D, "content": D},
        _("Deleted."),
        plain=("content_type",),
    ),
    PersonalData(
        "messaging.Suppression",
        _("Addresses not to send to"),
        _("Honouring an unsubscribe, STOP or bounce."),
        Basis.LEGAL_OBLIGATION,
        "customer",
        {"address": D, "detail": D},
        _("Deleted: with the contact points gone, nothing can be sent to the address."),
    ),
    PersonalData(
        "messaging.LineAccount",
        _("LINE accounts"),
        _("Messaging the customer on LINE."),
        Basis.CONSENT,
        "customer",
        {"user_id": D},
        _("Deleted."),
    ),
    *SUPPORT,
    *LOYALTY,
    PersonalData(
        "frontdesk.Alert",
        _("Arrival alerts"),
        _("Greeting the customer on arrival."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"reasons": K},
        _("Kept: the rules' names only (no identifier)."),
    ),
    PersonalData(
        "frontdesk.SignUp",
        _("Membership sign-ups"),
        _("Limiting abuse of the public form."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"sender_hash": K},
        _("Kept: a one-way hash, which cannot be turned back into an address."),
    ),
    PersonalData(
        "marketing.SegmentMember",
        _("Static lists"),
        _("Marketing to chosen customers."),
        Basis.CONSENT,
        "customer",
        {},
        _("Deleted."),
    ),
    PersonalData(
        "marketing.Recipient",
        _("Campaign recipients"),
        _("Measuring what a campaign changed."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"skipped": A, "links": A},
        _("Kept for the campaign's counts; the reason text and their filled-in links are erased."),
    ),
    PersonalData(
        "analytics.CustomerActivity",
        _("Activity figures"),
        _("Insights: how often the customer buys and visits."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"first_day": K, "last_day": K},
        _("Kept: counts and dates of an anonymous customer keep the figures unchanged."),
    ),
    PersonalData(
        "analytics.PurchaseMarks",
        _("Purchase moments"),
        _("Insights: the sales funnel."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"first_channel": K},
        _("Kept: the purchase moments of an anonymous customer keep the funnel unchanged."),
    ),
    PersonalData(
        "analytics.CustomerRFM",
        _("RFM segment"),
        _("Insights: the customer's value."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {},
        _("Kept: scores of an anonymous customer."),
    ),
    PersonalData(
        "core.AuditEvent",
        _("Audit log"),
        _("Accountability: who changed what, and when."),
        Basis.LEGAL_OBLIGATION,
        None,
        {"changes": A},
        _(
            "The events stay (that a change happened, who made it, when); the values "
            "they recorded are replaced by “erased”."
        ),
        plain=("subject_type",),
    ),
    PersonalData(
        "customers.ImportJob",
        _("Customer imports"),
        _("Bringing the business's own customer list in, and the rows to fix and upload again."),
        Basis.LEGITIMATE_INTEREST,
        None,
        {"file": D, "file_name": D},
        _(
            "The uploaded file and its failed rows go when the import is deleted. They are "
            "not linked to one customer, so erasing a customer does not find them: delete an "
            "import once its failed rows have been fixed."
        ),
        plain=("sha256", "source_format", "encoding", "sheet", "mapping", "error"),
    ),
    IMPORT_FAILED_ROWS,
    PersonalData(
        "core.Notification",
        _("Staff notifications"),
        _("Telling staff what to do next."),
        Basis.LEGITIMATE_INTEREST,
        None,
        {"text": A},
        _("Notifications naming the customer lose the name."),
        plain=("url",),
    ),
    PersonalData(
        "accounts.User",
        _("Staff accounts"),
        _("Staff signing in and being named."),
        Basis.CONTRACT,
        None,
        {"username": K, "first_name": K, "last_name": K, "email": K, "password": K},
        _("Staff, not customers: removed by deactivating the account."),
    ),
    PersonalData(
        "accounts.ApiToken",
        _("API tokens"),
        _("Staff's programs signing in."),
        Basis.CONTRACT,
        None,
        {"name": K, "hint": K, "key_hash": K},
        _("Staff, not customers."),
    ),
    PersonalData(
        "core.ShopProfile",
        _("The business"),
        _("The business's own details on documents."),
        Basis.CONTRACT,
        None,
        {"name": K, "name_en": K, "address": K, "tax_id": K, "promptpay_id": K, "logo": K},
        _("The business's own details (a sole trader's are personal); not a customer's."),
        plain=("branch", "public_url", "privacy_notice", "privacy_url"),
    ),
    PersonalData(
        "analytics.Snapshot",
        _("Precomputed figures"),
        _("Fast insights pages (top customers name them)."),
        Basis.LEGITIMATE_INTEREST,
        None,
        {"data": D},
        _("Deleted on erasure; recomputed from anonymised data."),
        plain=("key", "sources"),
    ),
    PersonalData(
        "exports.DataExport",
        _("Full exports"),
        _(
            "A copy of all the business's data for its owner: a backup, or moving to another system."
        ),
        Basis.LEGITIMATE_INTEREST,
        None,
        {"file_path": D},
        _(
            "The file lists every customer whose processing was not restricted when it was "
            "made; it is deleted 7 days after it is made, so an erased person leaves it "
            "within 7 days. The row (who asked, when, how many rows) stays as the record."
        ),
        plain=("error",),
    ),
    PersonalData(
        "customers.MergeRecord",
        _("Merges of duplicates"),
        _("Undoing a merge of duplicate records within 30 days."),
        Basis.LEGITIMATE_INTEREST,
        "survivor",
        {"survivor_before": D, "moved": D, "duplicate_ids": D, "unpreferred_ids": D},
        _("Deleted: the merge can no longer be undone once the person is erased."),
    ),
    PersonalData(
        "privacy.SubjectRequest",
        _("Requests about personal data"),
        _("Answering the person's requests under the PDPA, and showing that we did."),
        Basis.LEGAL_OBLIGATION,
        "customer",
        {
            "requester_name": A,
            "requester_contact": A,
            "identity_note": A,
            "refusal_reason": A,
            "notes": A,
        },
        _(
            "Kept as proof the request was answered (kind, dates, status, who handled it); "
            "the requester's name and contact and the notes are erased."
        ),
        plain=("received_on", "due_on", "reminded_on"),
    ),
)


def entry(model: str) -> PersonalData:
    for item in REGISTRY:
        if item.model == model:
            return item
    raise KeyError(model)


def about_customers() -> tuple[PersonalData, ...]:
    """The entries found from a customer: what an access request returns."""
    return tuple(item for item in REGISTRY if item.path is not None)
