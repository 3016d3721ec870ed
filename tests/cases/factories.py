"""A case for the permission matrix: reported in grid_a1, handled by the 水务 department."""

from __future__ import annotations

from tests.conftest import Tree
from wangge.cases import services
from wangge.cases.models import Case, Category
from wangge.core.actors import SYSTEM
from wangge.core.models import User


def matrix_case(tree: Tree) -> Case:
    """One 下水道堵塞 case (created once per test); department handlers of the test belong to 水务."""
    User.objects.filter(roles__role="department_handler").update(department="水务")
    existing = Case.all_objects.filter(title="矩阵事件").first()
    if existing is not None:
        return existing
    category = Category.objects.get(code="SS02")
    return services.case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="矩阵事件").case
