"""The audit trail keeps what users type (search text, reasons) masked: no ID number, phone or name as typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree, sign_in
from wangge.core.audit import mask_typed
from wangge.core.idcard import random_citizen_id
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Cap, Role
from wangge.core.services import user_set_capabilities
from wangge.people import services

ID_NUMBER = random_citizen_id(__import__("random").Random(15), "421202", date(1950, 3, 2), "F")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (ID_NUMBER, f"421***********{ID_NUMBER[-4:]}"),
        ("13871501108", "138****1108"),
        ("1108", "****"),
        ("张桂兰", "张**"),
        ("zhangguilan", "z**********"),
        ("时代家居广场9栋", "时*****9栋"),
    ],
)
def test_a_typed_query_is_kept_masked_with_a_digest(typed: str, kept: str) -> None:
    masked = mask_typed(typed)
    assert masked.startswith(kept + " #") and typed not in masked
    assert mask_typed(typed) == masked  # the same query is recognisable in the trail
    assert mask_typed(typed + "0") != masked


def test_a_reason_keeps_its_words_but_not_its_numbers() -> None:
    masked = mask_typed(f"核对低保 {ID_NUMBER} 电话13871501108", names=False)
    assert "核对低保" in masked and ID_NUMBER not in masked and "13871501108" not in masked
    assert mask_typed("核对低保", names=False) == "核对低保"


def _trail() -> str:
    return "\n".join(AuditEvent.objects.values_list("detail", flat=True))


def test_exports_and_reveals_keep_no_typed_number_or_name(tree: Tree, make_user: Callable[..., User]) -> None:
    person = services.person_create(
        actor=None, region=tree.grid_a1, name="张桂兰", id_number=ID_NUMBER, phone="13871501108"
    )
    user = make_user(Role.GRID_WORKER)
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=user, capabilities={Cap.REVEAL_SENSITIVE})
    client = sign_in(Client(), User.objects.get(pk=user.pk))

    for typed in (ID_NUMBER, "13871501108", "张桂兰", "zhangguilan"):
        assert client.get("/people/export.xlsx", {"q": typed}).status_code == 200
    assert client.get(reverse("cases:export"), {"q": "13871501108"}).status_code == 200
    reason = f"核对 {ID_NUMBER}"
    assert client.post(f"/people/{person.pk}/reveal/", {"field": "phone", "reason": reason}).status_code == 200

    trail = _trail()
    assert AuditEvent.objects.filter(action__in=["export.people", "export.cases", "reveal.phone"]).count() == 6
    for secret in (ID_NUMBER, "13871501108", "张桂兰", "zhangguilan"):
        assert secret not in trail
    assert "138****1108 #" in trail and "核对" in trail
