"""What each built-in role may do: the permissions of its capabilities
(``accounts/capabilities.py``, the one table). Applied after every migration by
``roles_sync``."""

from django.contrib.auth.models import Group, Permission

from samphan.accounts.capabilities import ROLE_CAPABILITIES, role_perms
from samphan.accounts.models import Role

ROLE_PERMISSIONS: dict[str, tuple[str, list[str]]] = {
    role: (scope, role_perms(role)) for role, (scope, _keys) in ROLE_CAPABILITIES.items()
}


def roles_sync(**_signal_kwargs: object) -> None:
    """Create the built-in roles and give each exactly its permissions.

    Runs after every app's migrations (``post_migrate``): permissions of apps not yet
    migrated are skipped and added when their turn comes.
    """
    for name, (scope, perm_names) in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        Role.objects.update_or_create(group=group, defaults={"scope": scope})
        wanted = [perm_name.split(".") for perm_name in perm_names]
        perms = [
            perm
            for perm in Permission.objects.select_related("content_type").filter(
                codename__in=[codename for _label, codename in wanted]
            )
            if [perm.content_type.app_label, perm.codename] in wanted
        ]
        group.permissions.set(perms)
