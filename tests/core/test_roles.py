from wangge.core.roles import ADMIN_ROLES, Cap, Role, capabilities_for_roles, requires_two_factor, role_conflict


def test_admin_roles_exclude_each_other_and_all_other_roles() -> None:
    for admin in ADMIN_ROLES:
        assert role_conflict({admin}) is None
        for other in Role.values:
            if other != admin:
                assert role_conflict({admin, other}) is not None


def test_staff_roles_combine() -> None:
    assert role_conflict({Role.GRID_WORKER, Role.VOLUNTEER}) is None


def test_no_admin_role_reads_resident_data_by_default() -> None:
    for admin in ADMIN_ROLES:
        caps = capabilities_for_roles({admin})
        assert Cap.VIEW_RESIDENT_DATA not in caps
        assert Cap.REVEAL_SENSITIVE not in caps


def test_reveal_and_bulk_export_are_never_implied_by_a_role() -> None:
    for role in Role.values:
        caps = capabilities_for_roles({role})
        assert Cap.REVEAL_SENSITIVE not in caps
        assert Cap.BULK_EXPORT not in caps


def test_two_factor_for_admins_and_for_holders_of_reveal_or_bulk_export() -> None:
    assert requires_two_factor({Role.AUDITOR}, set())
    assert requires_two_factor({Role.GRID_WORKER}, {Cap.REVEAL_SENSITIVE})
    assert requires_two_factor({Role.COMMUNITY_STAFF}, {Cap.BULK_EXPORT})
    assert not requires_two_factor({Role.GRID_WORKER}, set())
