"""The cases app's panels: the work waiting on the home page, a person's cases on their card."""

from __future__ import annotations

from typing import Any

from wangge.cases import selectors
from wangge.core.models import User
from wangge.core.panels import HOME, PERSON_CARD, Panel, register
from wangge.core.roles import Cap

NEXT = 5  # to-do cases shown on the home page, soonest due first


def work_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(Cap.VIEW_CASES):
        return None
    todo = selectors.case_list(user=user, filters=selectors.CaseFilters(list="todo"))
    return {
        "work": selectors.work_waiting(user=user),
        "next_cases": list(todo.order_by("stage_due_at", "pk")[:NEXT]),
        "can_report": user.has_perm(Cap.REPORT_CASES),
    }


PERSON_CASES = 20  # newest first on the person card; the case list shows the rest


def person_cases_context(user: User, person: Any) -> dict[str, Any] | None:
    if not user.has_perm(Cap.VIEW_CASES):
        return None
    cases = selectors.cases_of_person(user=user, person=person)
    return {"person_cases": list(cases[:PERSON_CASES]), "person_cases_total": cases.count()}


def register_panels() -> None:
    register(Panel(slot=HOME, name="cases.work", order=10, template="cases/_home_work.html", context=work_context))
    register(
        Panel(
            slot=PERSON_CARD,
            name="cases.person",
            order=10,
            template="cases/_person_cases.html",
            context=person_cases_context,
        )
    )
