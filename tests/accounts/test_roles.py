from samphan.accounts.models import Role


def test_every_role_exists_with_its_scope(db):
    roles = {role.group.name: role.scope for role in Role.objects.select_related("group")}
    assert set(roles) == set(Role.NAMES)
    assert roles[Role.SALES] == Role.Scope.OWN_TEAM
    assert roles[Role.VIEWER] == Role.Scope.ALL


def test_viewer_may_only_view(make_user):
    viewer = make_user(Role.VIEWER)
    assert viewer.has_perm("customers.view_customer")
    assert not viewer.has_perm("customers.add_customer")
    assert not viewer.has_perm("customers.change_customer")
