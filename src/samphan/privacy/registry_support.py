"""The personal-data registry's entries for support: tickets, their messages and files,
the help form's submissions and satisfaction surveys (``registry.py`` lists them in its
order; kept here because that module is at the line limit)."""

from django.utils.translation import gettext_lazy as _

from samphan.privacy.registry_types import Basis, Erasure, PersonalData

A, D, K = Erasure.ANONYMISE, Erasure.DELETE, Erasure.KEEP

SUPPORT: tuple[PersonalData, ...] = (
    PersonalData(
        "support.Ticket",
        _("Support tickets"),
        _("Answering what the customer asked of the business."),
        Basis.CONTRACT,
        "customer",
        {"subject": A, "requester": A, "address": A},
        _(
            "The subject and the sender's address are erased; that a ticket was handled, "
            "when and how fast, is kept for the service figures."
        ),
        plain=("paused_minutes",),
    ),
    PersonalData(
        "support.TicketMessage",
        _("Ticket messages"),
        _("The conversation of a ticket."),
        Basis.CONTRACT,
        "ticket__customer",
        {"body": A, "external_id": A},
        _("The text is erased; who wrote when is kept."),
        plain=("unsent_reason",),
    ),
    PersonalData(
        "support.Survey",
        _("Satisfaction surveys"),
        _("Asking how satisfied the customer is, to serve them better."),
        Basis.LEGITIMATE_INTEREST,
        "customer",
        {"comment": A},
        _("The comment is erased; the score is kept, without the person, for the figures."),
        plain=("skipped", "language"),
    ),
    PersonalData(
        "support.FormSubmission",
        _("Help form submissions"),
        _("Limiting abuse of the public form."),
        Basis.LEGITIMATE_INTEREST,
        "ticket__customer",
        {"sender_hash": K},
        _("Kept: a one-way hash, which cannot be turned back into an address."),
    ),
    PersonalData(
        "support.TicketAttachment",
        _("Files sent with tickets"),
        _("The conversation of a ticket."),
        Basis.CONTRACT,
        "message__ticket__customer",
        {"filename": D, "file": D},
        _("Deleted, with the files."),
        plain=("content_type", "refused"),
    ),
)
