from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from wangge.core.roles import capabilities_for_roles


class RoleBackend(ModelBackend):
    """Model backend whose permissions are the user's explicit ones plus those of their roles.

    Roles and explicit permissions are read from the database once per request (per user
    object), so a change takes effect on the next request.
    """

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_wangge_perm_cache"):
            perms = set(super().get_all_permissions(user_obj, obj))
            perms |= capabilities_for_roles(set(user_obj.role_set))
            user_obj._wangge_perm_cache = perms
        return set(user_obj._wangge_perm_cache)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)
