"""Who takes a new ticket nobody was given (``AssignmentRule``): the team's next member in
turn, or the one with the fewest open tickets. Candidates are the active staff of the
ticket's team who may work tickets (no team: those with the support role)."""

from django.db.models import Count

from samphan.accounts.models import Role, User
from samphan.support.models import AssignmentRule, Ticket

BACKEND = "samphan.accounts.backends.ModelBackend"  # the one that holds permissions


def candidates(team_id: int | None) -> list[User]:
    if team_id is None:
        staff = User.objects.filter(is_active=True, groups__name=Role.SUPPORT).distinct()
    else:  # in one query, not a permission check for each member
        staff = User.objects.with_perm("support.change_ticket", backend=BACKEND)
        staff = staff.filter(team_id=team_id)
    return list(staff.order_by("id"))


def assignee_for(team_id: int | None) -> User | None:
    """The next assignee under the team's rule (None: no rule, or nobody to give it to).
    Called in the transaction that opens the ticket; the rule's row is locked, so two
    tickets opened at once go to two people."""
    rules = AssignmentRule.objects.select_for_update()
    mine = rules.filter(team_id=team_id) if team_id is not None else rules.filter(team=None)
    rule = mine.first()
    if rule is None:
        return None
    people = candidates(team_id)
    if not people:
        return None
    if rule.mode == AssignmentRule.Mode.LOAD:
        load = dict(
            Ticket.objects.filter(owner__in=people, status__in=Ticket.OPEN_STATUSES)
            .values("owner")
            .annotate(n=Count("pk"))
            .values_list("owner", "n")
        )
        chosen = min(people, key=lambda user: (load.get(user.pk, 0), user.pk))
    else:
        ids = [user.pk for user in people]
        after = ids.index(rule.last_user_id) + 1 if rule.last_user_id in ids else 0
        chosen = people[after % len(people)]
    rule.last_user = chosen
    rule.save(update_fields=["last_user"])
    return chosen
