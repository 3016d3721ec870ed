"""Reads of compounds, buildings and houses, always through the user's scope (who lives there: people.homes)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wangge.core.models import User
from wangge.core.refusals import get_in_scope
from wangge.core.roles import Cap
from wangge.places.models import Building, Compound, House


def require_read(user: User) -> None:
    if not user.has_perm(Cap.VIEW_RESIDENT_DATA):
        raise PermissionDenied(_("You do not have permission to do this."))


def compounds_visible(*, user: User) -> QuerySet[Compound]:
    require_read(user)
    return Compound.objects.for_user(user).alive().select_related("region")


def buildings_visible(*, user: User) -> QuerySet[Building]:
    require_read(user)
    return Building.objects.for_user(user).alive().select_related("region", "compound")


def houses_visible(*, user: User) -> QuerySet[House]:
    require_read(user)
    return House.objects.for_user(user).alive().select_related("region", "building__compound")


def compound_get(*, user: User, compound_id: int) -> Compound:
    return get_in_scope(compounds_visible(user=user), user=user, pk=compound_id)


def building_get(*, user: User, building_id: int) -> Building:
    return get_in_scope(buildings_visible(user=user), user=user, pk=building_id)


def house_get(*, user: User, house_id: int) -> House:
    return get_in_scope(houses_visible(user=user), user=user, pk=house_id)
