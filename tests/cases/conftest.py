"""Case fixtures: a frozen Monday morning in 2026, and cases driven into any state by the system."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from tests.conftest import Tree
from wangge.cases import services
from wangge.cases.choices import Action
from wangge.cases.models import Case, Category
from wangge.core.actors import SYSTEM

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings: Any) -> Path:
    """Uploaded case photos go to a scratch folder, not the development media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def queue_runs_at_once() -> Iterator[None]:
    """Tasks the cases queue (notification delivery after a commit) run at once, as the worker would run them."""
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


# How the system drives a fresh case into each state (pseudo-states carry a flag).
PATHS: dict[str, list[tuple[str, dict[str, object]]]] = {
    "reported": [],
    "accepted": [(Action.ACCEPT, {})],
    "dispatched": [(Action.ACCEPT, {}), (Action.DISPATCH, {})],
    "handling": [(Action.ACCEPT, {}), (Action.DISPATCH, {}), (Action.HANDLE, {"note": "已到现场"})],
    "handling_paused": [
        (Action.ACCEPT, {}),
        (Action.DISPATCH, {}),
        (Action.HANDLE, {"note": "已到现场"}),
        (Action.PAUSE, {"note": "居民不在家"}),
    ],
    "handling_ext": [
        (Action.ACCEPT, {}),
        (Action.DISPATCH, {}),
        (Action.HANDLE, {"note": "已到现场"}),
        (Action.REQUEST_EXTENSION, {"days": 2, "note": "等配件"}),
    ],
    "finished": [(Action.ACCEPT, {}), (Action.DISPATCH, {}), (Action.FINISH, {"note": "已修复"})],
    "verified": [(Action.ACCEPT, {}), (Action.DISPATCH, {}), (Action.FINISH, {}), (Action.VERIFY_PASS, {})],
    "closed": [
        (Action.ACCEPT, {}),
        (Action.DISPATCH, {}),
        (Action.FINISH, {}),
        (Action.VERIFY_PASS, {}),
        (Action.RATE, {"rating": 5}),
    ],
    "rejected": [(Action.REJECT, {"note": "不属于受理范围"})],
    "merged": [("merge", {})],
}


@pytest.fixture
def category(db: None) -> Category:
    if not Category.objects.filter(code="QZ01").exists():  # an earlier transactional test flushed the seeded rows
        from wangge.cases.catalogue import seed

        seed(Category)
    return Category.objects.get(code="QZ01")  # 生活求助, handled in the grid


@pytest.fixture
def new_case(tree: Tree, category: Category) -> Callable[..., Case]:
    counter = {"n": 0}

    def make(state: str = "reported", **kwargs: object) -> Case:
        counter["n"] += 1
        fields: dict[str, object] = {
            "region": tree.grid_a1,
            "category": category,
            "title": f"楼道灯坏了{counter['n']}",
            "reporter_name": "张小英",
            "reporter_phone": "13871500000",
        }
        fields.update(kwargs)
        case = services.case_create(actor=SYSTEM, **fields).case  # type: ignore[arg-type]
        for action, data in PATHS[state]:
            if action == "merge":
                target = services.case_create(
                    actor=SYSTEM, region=tree.grid_a1, category=category, title="同一件事"
                ).case
                data = {"into": target}
                action = Action.MERGE
            if action == Action.DISPATCH and not data:
                data = {"region": case.handling_region}  # a dispatch names its target
            case = services.case_act(actor=SYSTEM, case=case, action=action, **data)
        return case

    return make
