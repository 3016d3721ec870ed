"""The case catalogue: the seeded categories, and the system administrator's edits of limits and rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree
from wangge.cases.catalogue import rows
from wangge.cases.catalogue_services import category_update, escalation_rule_create
from wangge.cases.models import Category, EscalationRule
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_seeded_catalogue_has_two_levels_and_the_issues_classes() -> None:
    assert Category.objects.count() == len(rows())
    tops = set(Category.objects.filter(parent__isnull=True).values_list("name", flat=True))
    assert {
        "矛盾纠纷",
        "治安",
        "安全隐患",
        "市容环境",
        "设施维修",
        "违章搭建",
        "民生服务",
        "求助",
        "政策咨询",
        "其他",
    } == tops
    water = Category.objects.get(code="SS01")
    assert (water.parent.name, water.default_level, water.default_department) == ("设施维修", "department", "水务")  # type: ignore[union-attr]
    assert (water.handle_limit, water.handle_unit) == (24, "hours")
    assert Category.objects.filter(parent__name="矛盾纠纷").count() >= 5


def test_limits_are_checked_and_audited(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    category = Category.objects.get(code="QZ01")
    category_update(actor=admin, category=category, handle_limit=1, handle_unit="days", yellow_percent=50)
    category.refresh_from_db()
    assert (category.handle_limit, category.yellow_percent) == (1, 50)
    assert AuditEvent.objects.filter(action="case_category.update").exists()
    with pytest.raises(ValidationError) as exc:
        category_update(actor=admin, category=category, default_level="department", default_department="")
    assert exc.value.code == "department_required"
    with pytest.raises(PermissionDenied):
        category_update(actor=make_user(Role.COMMUNITY_STAFF), category=category, handle_limit=9)
    assert Category.objects.get(code="QZ01").handle_limit == 1


def test_a_rule_must_do_something(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError) as exc:
        escalation_rule_create(actor=admin, trigger="overdue")
    assert exc.value.code == "empty_rule"
    assert not EscalationRule.objects.exists()


def test_the_page_edits_a_category_and_adds_and_deletes_a_rule(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    url = reverse("cases:catalogue")
    category = Category.objects.get(code="SS03")
    assert client.get(url, {"edit": category.pk}).context["editing"] == category
    client.post(
        url,
        {
            "action": "category",
            "category": category.pk,
            "default_level": "department",
            "default_department": "城管",
            "accept_limit": 1,
            "accept_unit": "hours",
            "handle_limit": 2,
            "handle_unit": "days",
            "verify_limit": 1,
            "verify_unit": "days",
            "yellow_percent": 80,
            "is_active": "on",
        },
    )
    assert Category.objects.get(pk=category.pk).yellow_percent == 80
    client.post(
        url,
        {"action": "rule_add", "trigger": "overdue", "raise_to": "street", "copy_regions": [tree.street_a.pk]},
    )
    rule = EscalationRule.objects.get()
    assert rule.raise_to == "street" and list(rule.copy_regions.all()) == [tree.street_a]
    client.post(url, {"action": "rule_delete", "rule": rule.pk})
    assert not EscalationRule.objects.exists()
