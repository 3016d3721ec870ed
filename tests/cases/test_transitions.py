"""Every state × action × role: the action is taken, or refused with a stable code and nothing changed.

The expectations below are written out by hand from the issue, not read from the table, so a
change to the table that nobody meant fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tests.cases.conftest import PATHS
from wangge.cases.choices import Action, State
from wangge.cases.models import Case, CaseAttachment, CaseReporter, CaseStep
from wangge.cases.services import CaseForbidden, case_act
from wangge.cases.workflow import ACTIONS
from wangge.core.errors import NotFound
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role

R = Role
HANDLERS = {R.STREET_SUPERVISOR, R.COMMUNITY_STAFF, R.GRID_WORKER}
SUPERVISORS = {R.STREET_SUPERVISOR, R.COMMUNITY_STAFF}
WORKING = {"dispatched", "handling", "handling_ext"}
OPEN = {"reported", "accepted", *WORKING, "handling_paused", "finished"}

ALLOWED_FROM: dict[str, set[str]] = {
    Action.ACCEPT: {"reported"},
    Action.REJECT: {"reported"},
    Action.DISPATCH: {"accepted"},
    Action.HANDLE: WORKING | {"handling_paused"},
    Action.FINISH: WORKING,
    Action.VERIFY_PASS: {"finished"},
    Action.VERIFY_FAIL: {"finished"},
    Action.RATE: {"verified"},
    Action.CLOSE: {"verified"},
    Action.ESCALATE: {"reported", "accepted", *WORKING},
    Action.RETURN: WORKING,
    Action.REQUEST_EXTENSION: {"dispatched", "handling"},
    Action.APPROVE_EXTENSION: {"handling_ext"},
    Action.REFUSE_EXTENSION: {"handling_ext"},
    Action.SUPERVISE: OPEN,
    Action.MERGE: {"reported", "accepted"},
    Action.LINK: set(PATHS) - {"merged"},
    Action.PAUSE: WORKING,
    Action.RESUME: {"handling_paused"},
}
ALLOWED_ROLES: dict[str, set[str]] = {action: HANDLERS for action in ALLOWED_FROM}
ALLOWED_ROLES.update(
    {
        Action.SUPERVISE: SUPERVISORS,
        Action.APPROVE_EXTENSION: SUPERVISORS,
        Action.REFUSE_EXTENSION: SUPERVISORS,
        Action.CLOSE: SUPERVISORS,
    }
)
EXPECTED_TO: dict[str, str | None] = {
    Action.ACCEPT: State.ACCEPTED,
    Action.REJECT: State.REJECTED,
    Action.DISPATCH: State.DISPATCHED,
    Action.HANDLE: State.HANDLING,
    Action.FINISH: State.FINISHED,
    Action.VERIFY_PASS: State.VERIFIED,
    Action.VERIFY_FAIL: State.HANDLING,
    Action.RATE: State.CLOSED,
    Action.CLOSE: State.CLOSED,
    Action.ESCALATE: State.REPORTED,
    Action.RETURN: State.ACCEPTED,
    Action.MERGE: State.MERGED,
}
REFUSAL_CODES = {
    "wrong_state",
    "paused",
    "not_paused",
    "no_extension_requested",
    "extension_pending",
    "forbidden",
    "not_your_case",
}


def test_the_expectations_cover_every_action() -> None:
    assert set(ALLOWED_FROM) == set(ACTIONS)


def _data(action: str, other: Case) -> dict[str, Any]:
    return {
        Action.REJECT: {"note": "重复反映"},
        Action.DISPATCH: {"region": other.region},  # the grid handling it (a dispatch names its target)
        Action.HANDLE: {"note": "已联系维修"},
        Action.VERIFY_FAIL: {"note": "灯还是不亮"},
        Action.RATE: {"rating": 4},
        Action.ESCALATE: {"note": "网格无法解决"},
        Action.RETURN: {"note": "派错了"},
        Action.REQUEST_EXTENSION: {"days": 2, "note": "等配件"},
        Action.REFUSE_EXTENSION: {"note": "不同意"},
        Action.SUPERVISE: {"level": "yellow", "note": "加快办理"},
        Action.MERGE: {"into": other},
        Action.LINK: {"other": other},
        Action.PAUSE: {"note": "居民外出"},
    }.get(action, {})  # type: ignore[return-value]


def fingerprint(case: Case) -> tuple[object, ...]:
    row = Case.all_objects.filter(pk=case.pk).values().get()
    row.pop("updated_at")
    return (
        row,
        CaseStep.objects.filter(case=case).count(),
        CaseReporter.objects.count(),
        CaseAttachment.objects.count(),
        list(Case.related.through.objects.values_list("from_case_id", "to_case_id")),
        list(Case.all_objects.order_by("pk").values_list("pk", "reporter_count", "version")),
        AuditEvent.objects.filter(result="ok").count(),
    )


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("state", list(PATHS))
def test_state_action_role(
    state: str, role: str, new_case: Callable[..., Case], make_user: Callable[..., User], clock: object
) -> None:
    case = new_case(state)
    other = new_case("reported", title="相关的另一件")
    actor = make_user(role)
    for action in ACTIONS:
        allowed = state in ALLOWED_FROM[action] and role in ALLOWED_ROLES[action]
        before = fingerprint(case)
        with transaction.atomic():
            try:
                after = case_act(actor=actor, case=case, action=action, **_data(action, other))
            except (NotFound, CaseForbidden, ValidationError) as exc:
                code = "not_found" if isinstance(exc, NotFound) else exc.code
                assert not allowed, f"{state} {action} {role} refused: {code}"
                assert code in REFUSAL_CODES | {"not_found"}, code
                assert fingerprint(case) == before, f"{state} {action} {role} changed something"
            else:
                assert allowed, f"{state} {action} {role} should be refused"
                expected = EXPECTED_TO.get(action) or Case.all_objects.get(pk=case.pk).state
                assert after.state == expected
                assert after.version == before[0]["version"] + 1  # type: ignore[index]
                assert CaseStep.objects.filter(case=case, action=action).exists()
                assert AuditEvent.objects.filter(action=f"case.{action}", object_id=str(case.pk)).exists()
            transaction.set_rollback(True)


def test_refused_scope_is_not_found_not_forbidden(
    new_case: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    case = new_case("reported")
    outsider = make_user(Role.GRID_WORKER, scope="grid_b1")
    with pytest.raises(NotFound):
        case_act(actor=outsider, case=case, action=Action.ACCEPT)
    assert Case.all_objects.get(pk=case.pk).state == State.REPORTED
