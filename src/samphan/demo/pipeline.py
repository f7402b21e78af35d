"""Demo deals and leads, built per customer beside the orders (see ``demo.sales``)."""

import datetime as dt
from bisect import bisect
from decimal import Decimal

from django.db import connection

from samphan.customers.models import Customer
from samphan.demo import catalogue
from samphan.demo.sales_rows import BANGKOK, BatchBuilder
from samphan.sales.models import Lead, Stage

ZERO = Decimal("0.00")


class DealBuilder:
    """One deal for a customer: its stage path through the default pipeline with a change
    per step, realistic ages (company deals take about three times longer per stage)."""

    def __init__(self, builder: BatchBuilder, customer: Customer, company: bool) -> None:
        self.builder = builder
        self.rng = builder.rng
        self.customer = customer
        self.company = company

    def add(self) -> None:
        builder, rng = self.builder, self.rng
        rows = builder.rows
        local_id = len(rows.deals)
        path = self.path()
        days_per_stage = 18.0 if self.company else 6.0
        closed = path[-1][1] != Stage.Outcome.OPEN
        end = builder.now - dt.timedelta(
            days=rng.uniform(1, 600) if closed else rng.expovariate(1 / days_per_stage)
        )
        times = [end]
        for _ in path[1:]:
            times.append(times[-1] - dt.timedelta(days=rng.expovariate(1 / days_per_stage) + 0.5))
        times.reverse()
        owner_id = self.customer.owner_id
        previous = None
        for (stage_id, _outcome), at in zip(path, times, strict=True):
            rows.stage_changes.append((local_id, previous, stage_id, builder.adapt(at), owner_id))
            previous = stage_id
        amount = self.lines(local_id)
        outcome = path[-1][1]
        reason = ""
        if outcome == Stage.Outcome.WON:
            reason = rng.choice(catalogue.WON_REASONS)
        elif outcome == Stage.Outcome.LOST:
            reason = rng.choice(catalogue.LOST_REASONS)
        expected = end.astimezone(BANGKOK).date()
        if not closed:
            expected += dt.timedelta(days=round(rng.uniform(-10, 3 * days_per_stage)))
        rows.deals.append(
            (local_id, self.title(), self.customer.pk, builder.plan.pipeline_id, path[-1][0],
             amount, connection.ops.adapt_datefield_value(expected), owner_id,
             self.customer.team_id, self.customer.source or "referral", reason,
             builder.adapt(end), builder.adapt(end) if closed else None, "",
             builder.adapt(times[0]), builder.adapt(end))
        )  # fmt: skip

    def path(self) -> list[tuple[int, str]]:
        """Stages the deal went through, the one it is in last."""
        stages = self.builder.plan.stages
        open_stages = [stage for stage in stages if stage[1] == Stage.Outcome.OPEN]
        won = [stage for stage in stages if stage[1] == Stage.Outcome.WON][:1]
        lost = [stage for stage in stages if stage[1] == Stage.Outcome.LOST][:1]
        draw = self.rng.random()
        if draw < 0.55 or not (won and lost):
            reached = self.rng.choices(
                range(len(open_stages)), [35, 25, 22, 18][: len(open_stages)]
            )
            return open_stages[: reached[0] + 1]
        if draw < 0.83:
            return open_stages + won
        return open_stages[: self.rng.randint(1, len(open_stages))] + lost

    def lines(self, local_id: int) -> Decimal:
        """A few products at list price; the deal's amount is theirs."""
        builder, rng = self.builder, self.rng
        families = (
            catalogue.INDUSTRY_FAMILIES.get(
                self.customer.industry, catalogue.DEFAULT_BUSINESS_FAMILIES
            )
            if self.company
            else ["gifts", "snacks", "spa", "coffee"]
        )
        members, cumulative = builder.families[rng.choice(families)]
        picked = {
            members[bisect(cumulative, rng.random() * cumulative[-1])]
            for _ in range(rng.randint(1, 4))
        }
        amount = ZERO
        for position in picked:
            product = builder.plan.products[position]
            quantity = rng.choice([10, 20, 50, 100, 200] if self.company else [5, 10, 20, 50])
            builder.rows.deal_lines.append((local_id, product.id, quantity, product.price, ZERO))
            amount += quantity * product.price
        return amount

    def title(self) -> str:
        templates = catalogue.DEAL_TITLES_COMPANY if self.company else catalogue.DEAL_TITLES_PERSON
        return self.rng.choice(templates).format(
            n=self.rng.choice([20, 50, 100, 200]), q=self.rng.randint(1, 4)
        )


class LeadBuilder:
    """Lead rows: one for every customer at the lead stage (open while young, most old ones
    disqualified); converted leads in the history of some prospects and customers; a few
    customers who wrote in again and were matched to their record."""

    def __init__(self, builder: BatchBuilder) -> None:
        self.builder = builder

    def add(self, customer: Customer) -> None:
        """A lead row for every customer at the lead stage; converted leads in the history of
        some prospects and customers; a few customers enquiring again (matched)."""
        rng = self.builder.rng
        stage = customer.stage
        created = customer.created_at
        age_days = (self.builder.now - created).days
        if stage == Customer.Stage.LEAD:
            if age_days < 45:
                self.lead(customer, created, rng.choice(["new", "working", "working"]))
            elif rng.random() < 0.6:
                closed = created + dt.timedelta(days=rng.randint(5, 40))
                reason = rng.choice(catalogue.DISQUALIFY_REASONS)
                self.lead(customer, created, "disqualified", closed=closed, reason=reason)
            else:
                self.lead(customer, created, "working")
        elif stage == Customer.Stage.PROSPECT and rng.random() < 0.3:
            closed = created + dt.timedelta(days=rng.randint(1, 20))
            self.lead(customer, created, "converted", closed=closed)
        elif stage == Customer.Stage.CUSTOMER:
            draw = rng.random()
            if draw < 0.08:
                closed = created + dt.timedelta(days=rng.randint(1, 20))
                self.lead(customer, created, "converted", closed=closed)
            elif draw < 0.11:
                at = self.builder.now - dt.timedelta(minutes=rng.randint(60, 60 * 24 * 60))
                self.lead(customer, at, rng.choice(["new", "working"]), matched=True)

    def lead(
        self,
        customer: Customer,
        at: dt.datetime,
        status: str,
        *,
        closed: dt.datetime | None = None,
        reason: str = "",
        matched: bool = False,
    ) -> None:
        rng = self.builder.rng
        sources, weights = zip(*catalogue.LEAD_SOURCES, strict=True)
        assigned = status != Lead.Status.NEW or rng.random() < 0.6
        owner_id = customer.owner_id if assigned else None
        team_id = customer.team_id if assigned else None
        assigned_at = (
            self.builder.adapt(at + dt.timedelta(minutes=rng.randint(5, 600))) if assigned else None
        )
        closed_value = self.builder.adapt(min(closed, self.builder.now)) if closed else None
        at_value = self.builder.adapt(at)
        self.builder.rows.leads.append(
            (customer.pk, status, rng.choices(sources, weights)[0],
             rng.choice(catalogue.LEAD_CAMPAIGNS), rng.choice(catalogue.LEAD_MESSAGES),
             owner_id, team_id, assigned_at, closed_value, reason, None, matched, False, "",
             at_value, closed_value or at_value)
        )  # fmt: skip
