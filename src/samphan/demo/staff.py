"""The demo's staff: one user per role, sales split over two teams.

Each account made here gets its own password (generated, or the one given for scripted
demos), never the admin's: the caller prints it once beside the username and role.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from samphan.accounts.models import Role, Team, User
from samphan.accounts.services import temporary_password
from samphan.demo import data

# username, role, first name, last name, index of the team in data.TEAMS (or None)
STAFF = [
    ("manager", Role.MANAGER, "มานพ", "ผู้จัดการ", None),
    ("sales1", Role.SALES, "ศิริพร", "ขายเก่ง", 0),
    ("sales2", Role.SALES, "ธนากร", "ยอดขาย", 1),
    ("marketing", Role.MARKETING, "พิมพ์ชนก", "การตลาด", None),
    ("frontdesk", Role.FRONTDESK, "นภัสสร", "ต้อนรับ", 2),
    ("support", Role.SUPPORT, "วิชัย", "ช่วยเหลือ", None),
    ("viewer", Role.VIEWER, "อรุณี", "ดูอย่างเดียว", None),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    # Set only when the account was made by this run: an existing one keeps its password.
    password: str | None


def demo_users(password: str | None = None) -> tuple[list[User], list[DemoUser]]:
    """Make the staff accounts that are missing; return the owners of demo records (the
    sales staff and the manager) and every staff account."""
    teams = [
        Team.objects.get_or_create(name=th, defaults={"name_en": en})[0] for th, en in data.TEAMS
    ]
    users, staff = [], []
    for username, role, first, last, team_index in STAFF:
        team = teams[team_index] if team_index is not None else None
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "team": team}
        )
        new_password = None
        if created:
            new_password = password or temporary_password()
            user.set_password(new_password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        users.append(user)
        staff.append(DemoUser(username, role, new_password))
    owners = [user for user in users if user.username.startswith("sales")] + users[:1]
    return owners, staff
