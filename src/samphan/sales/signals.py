"""What the sales app tells the apps built on it (analytics keeps its roll-ups from these),
which it does not know: every change to orders that a service writes.

Sent inside the writing transaction, once the order's rows are written, so receivers write
in the same one: a roll-up never disagrees with the orders it sums. The sender is
``Order``. A new way to write orders writes the rows with ``orders_insert``, then calls
``orders_written`` (``samphan.sales.services.order_rows``), which sends ``orders_recorded``
with the rest that new orders bring (buyers promoted, suggestions refreshed when due).
"""

from django.dispatch import Signal

# New paid orders written: ``orders``, saved, with their totals; ``batch``, True from a
# batch writer (``orders_bulk_record``), whose orders are summed per customer, day and hour
# rather than followed one by one.
orders_recorded = Signal()
# Refund lines added to a paid order: ``order`` (its totals updated), ``revenue`` and
# ``profit``, what the lines took off (negative amounts).
order_refunded = Signal()
# Orders cancelled, wholly refunded or restored: ``orders``, their new status saved.
orders_status_changed = Signal()
