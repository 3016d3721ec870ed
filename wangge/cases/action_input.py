"""What a case action takes as the console's form and the API post it: one input, read the same way by both.

An edge parses its request into an `ActionInput` (the console with `ActionForm`, the API with
`ActionIn`) and calls `case_act_posted`, which turns the posted references into records the caller
may use and takes the action through `services.case_act`. So both edges agree on every rule:

- `version` is required: the version of the case the caller saw (a stale page, or a form sent
  twice, is a conflict and changes nothing);
- `assignee` is a user's id: an unknown or inactive one is refused like any person who cannot
  handle the case (`bad_assignee`);
- `region` is a region's id, in the caller's scope (else `NotFound`);
- `case`, the other case of merge or link, is its number or its id among the cases the caller
  sees (else `bad_target`; an id outside the scope is counted as a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from wangge.cases import selectors, services
from wangge.cases.actions import refuse
from wangge.cases.choices import Action
from wangge.cases.models import Case
from wangge.core.errors import NotFound
from wangge.core.models import User
from wangge.core.refusals import get_in_scope
from wangge.regions.selectors import region_get

CASE_REF_MAX = 32  # a case number (SJ + date + six digits) or an id


@dataclass(frozen=True)
class ActionInput:
    """One posted action; which fields matter depends on the action (the service checks them)."""

    action: str
    version: int
    note: str = ""
    rating: int | None = None
    days: int | None = None
    level: str = ""
    department: str = ""
    due_on: date | None = None  # dispatch: the day the handling must be done by
    assignee: int | None = None  # dispatch: a user's id
    region: int | None = None  # dispatch: a region's id
    case: str = ""  # merge (into) or link: the other case's number or id
    photos: tuple[tuple[Any, str], ...] = ()  # (image, kind): the console's upload


def case_act_posted(*, actor: User, case: Case, given: ActionInput) -> Case:
    """Take the posted action on `case` as `actor`; refuses (and changes nothing) like `services.case_act`."""
    data: dict[str, Any] = {
        name: value
        for name in ("note", "rating", "days", "level", "department", "due_on")
        if (value := getattr(given, name)) not in (None, "")
    }
    if given.assignee is not None:
        data["assignee"] = _assignee(given.assignee)
    if given.region is not None:
        data["region"] = region_get(user=actor, region_id=given.region)
    if given.case.strip():
        data["into" if given.action == Action.MERGE else "other"] = _other_case(actor, given.case.strip())
    if given.photos:
        data["photos"] = list(given.photos)
    return services.case_act(actor=actor, case=case, action=given.action, expected_version=given.version, **data)


def _assignee(user_id: int) -> User:
    assignee = User.objects.filter(pk=user_id, is_active=True).first()
    if assignee is None:
        raise refuse(_("This person cannot handle cases here."), "bad_assignee")
    return assignee


def _other_case(actor: User, ref: str) -> Case:
    """The case named by its number, or by its id, among those the actor sees."""
    visible = selectors.cases_visible(user=actor)
    other = visible.filter(number=ref[:CASE_REF_MAX]).first()
    if other is None and ref.isascii() and ref.isdigit() and len(ref) <= 18:  # not ² or ٣
        try:
            other = get_in_scope(visible, user=actor, pk=int(ref))
        except NotFound:
            other = None
    if other is None:
        raise refuse(_("No case with this number in your area."), "bad_target")
    return other
