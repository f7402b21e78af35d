"""What the customers app tells the apps built on it, which it does not know.

Sent inside the writing transaction, so receivers write in the same one.
"""

from django.dispatch import Signal

# A visit was logged: ``customer_id``, ``occurred_at``.
visit_logged = Signal()
# Figures derived from these customers' history must be recomputed (a visit edited or
# deleted, two customers merged): ``customer_ids``, and ``moments``, the times of the
# entries changed (before and after an edit), for figures kept per day.
history_changed = Signal()
# Staff (or the API) made or changed a customer: ``customer``, ``changes`` (as audited:
# field → [before, after]), ``actor``. Loyalty follows who referred them and a tier set
# by hand.
customer_changed = Signal()
