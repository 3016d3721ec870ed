"""The seeded catalogue: GB/T 30428 event classes as community platforms use them.

(code, name, default level, default department, accept (limit, unit), handle, verify, yellow %)
for each first-level class, then its second-level entries, which inherit what they do not set.
"""

from __future__ import annotations

from typing import Any

H, D = "hours", "days"

# first level: code, name, level, department, accept, handle, verify, yellow
CATALOGUE: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = [
    (
        ("MD", "矛盾纠纷", "grid", "", (4, H), (5, D), (2, D), 70),
        [
            ("MD01", "邻里纠纷"),
            ("MD02", "家庭婚姻纠纷"),
            ("MD03", "物业纠纷", "community"),
            ("MD04", "劳资纠纷", "street", "人社"),
            ("MD05", "土地房屋纠纷", "community"),
            ("MD06", "其他矛盾纠纷"),
        ],
    ),
    (
        ("ZA", "治安", "community", "", (2, H), (3, D), (1, D), 70),
        [
            ("ZA01", "治安隐患"),
            ("ZA02", "可疑人员", "street", "派出所"),
            ("ZA03", "黄赌毒线索", "department", "派出所"),
        ],
    ),
    (
        ("AQ", "安全隐患", "grid", "", (1, H), (1, D), (1, D), 60),
        [
            ("AQ01", "消防隐患", "community"),
            ("AQ02", "燃气隐患", "department", "燃气公司"),
            ("AQ03", "危房险情", "street", "住建"),
            ("AQ04", "高空坠物隐患"),
        ],
    ),
    (
        ("SR", "市容环境", "grid", "", (4, H), (3, D), (1, D), 70),
        [
            ("SR01", "垃圾堆放"),
            ("SR02", "乱贴乱画"),
            ("SR03", "占道经营", "street", "城管"),
            ("SR04", "噪音扰民", "community"),
            ("SR05", "宠物扰民"),
        ],
    ),
    (
        ("SS", "设施维修", "community", "", (2, H), (3, D), (1, D), 70),
        [
            ("SS01", "供水管道破裂", "department", "水务", (1, H), (24, H)),
            ("SS02", "下水道堵塞", "department", "水务", (2, H), (2, D)),
            ("SS03", "路灯不亮", "department", "城管"),
            ("SS04", "道路破损", "department", "住建"),
            ("SS05", "井盖缺失", "department", "城管", (1, H), (8, H)),
            ("SS06", "电梯故障", "community", "", (1, H), (2, D)),
        ],
    ),
    (
        ("WJ", "违章搭建", "street", "城管", (1, D), (10, D), (2, D), 70),
        [("WJ01", "违章建筑"), ("WJ02", "私搭乱建")],
    ),
    (
        ("MS", "民生服务", "community", "", (1, D), (5, D), (2, D), 70),
        [
            ("MS01", "养老助残"),
            ("MS02", "低保救助", "street", "民政"),
            ("MS03", "就业帮扶", "street", "人社"),
            ("MS04", "医疗卫生", "department", "卫健"),
        ],
    ),
    (
        ("QZ", "求助", "grid", "", (2, H), (2, D), (1, D), 70),
        [("QZ01", "生活求助"), ("QZ02", "独居老人求助"), ("QZ03", "紧急救助", "community", "", (1, H), (4, H))],
    ),
    (
        ("ZC", "政策咨询", "grid", "", (4, H), (3, D), (1, D), 70),
        [("ZC01", "社保医保政策"), ("ZC02", "户籍政策"), ("ZC03", "其他政策咨询")],
    ),
    (("QT", "其他", "grid", "", (1, D), (5, D), (2, D), 70), [("QT01", "其他事项")]),
]


def rows() -> list[dict[str, Any]]:
    """Flat rows, first level before second, each with every field of `Category`."""
    result: list[dict[str, Any]] = []
    for order, (top, children) in enumerate(CATALOGUE, start=1):
        code, name, level, department, accept, handle, verify, yellow = top
        base = {
            "default_level": level,
            "default_department": department,
            "accept_limit": accept[0],
            "accept_unit": accept[1],
            "handle_limit": handle[0],
            "handle_unit": handle[1],
            "verify_limit": verify[0],
            "verify_unit": verify[1],
            "yellow_percent": yellow,
        }
        result.append({"code": code, "name": name, "parent": None, "sort_order": order * 100, **base})
        for index, child in enumerate(children, start=1):
            row = {**base, "code": child[0], "name": child[1], "parent": code, "sort_order": order * 100 + index}
            if len(child) > 2:
                row["default_level"] = child[2]
                row["default_department"] = child[3] if len(child) > 3 else ""
            if len(child) > 4:
                row["accept_limit"], row["accept_unit"] = child[4]
            if len(child) > 5:
                row["handle_limit"], row["handle_unit"] = child[5]
            result.append(row)
    return result


def seed(category_model: Any) -> int:
    """Create the entries that are missing (the data migration passes its historical model). Returns how many."""
    by_code = {c.code: c for c in category_model.objects.all()}
    created = 0
    for row in rows():
        if row["code"] in by_code:
            continue
        parent = by_code.get(row.pop("parent"))
        by_code[row["code"]] = category_model.objects.create(**row, parent=parent)
        created += 1
    return created
