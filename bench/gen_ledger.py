"""Generate a realistic people ledger (人口台账): N rows (default 100,000), 30 columns, a few per cent of errors.

    python bench/gen_ledger.py --rows 100000 --out /tmp/wgledger/ledger-100k.xlsx

The rows are the demo's households (`wangge.people.fake`: names by surname frequency, valid citizen
IDs, families with GB/T 4761 relations, tenants, tags) spread evenly over the eleven grids of the
demo's 三元社区 (第一网格 … 第十一网格), so the file imports into the demo as its community staff and into
the benchmark's community, which has grids of the same names; laid out as communities keep them: a merged title row, then the header. About 3 %
of the rows carry the errors ledgers really have: a typo in the ID's check digit, an ID that
Excel turned into a number, an impossible date, an unknown tag, a missing name, a person twice.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime

from _common import setup

HEADERS = [
    "姓名", "曾用名", "性别", "出生日期", "民族", "证件类型", "身份证号码", "联系电话", "所属网格", "户号",
    "与户主关系", "户类型", "小区", "楼栋", "单元", "房号", "人员类型", "迁入日期", "标签", "政治面貌",
    "文化程度", "婚姻状况", "职业", "工作单位", "健康状况", "是否党员", "是否志愿者", "是否退役军人", "疫苗接种", "备注",
]  # fmt: skip
ERROR_RATE = 0.03


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", default="ledger-100k.xlsx")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup()

    import xlsxwriter

    from wangge.ledgers.people_schema import chinese_label
    from wangge.people.choices import (
        Education,
        Gender,
        HealthStatus,
        HouseholdKind,
        MaritalStatus,
        PoliticalStatus,
        Relation,
        Residency,
    )
    from wangge.people.fake import PeopleFaker
    from wangge.people.models import Tag
    from wangge.regions.demo import SANYUAN_GRIDS

    grids = [g[0] for g in SANYUAN_GRIDS]
    per_grid = -(-args.rows // len(grids))

    started = time.perf_counter()
    rng = random.Random(args.seed)
    faker = PeopleFaker(rng, today=date(2026, 11, 1))
    tag_names = {code: name for code, name in Tag.objects.values_list("code", "name")}
    ethnic = {"01": "汉族", "15": "土家族", "03": "回族", "06": "苗族", "08": "壮族", "11": "满族"}
    book = xlsxwriter.Workbook(args.out, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("人口台账")
    text = book.add_format({"num_format": "@"})
    date_cell = book.add_format({"num_format": "yyyy/m/d"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "咸安区基准社区实有人口台账（2026年11月）")
    sheet.write_row(1, 0, HEADERS)
    written = errors = household_no = 0
    r = 2
    last_id = ""
    while written < args.rows:
        kind = HouseholdKind.TENANT if rng.random() < 0.18 else HouseholdKind.LOCAL
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[14, 20, 25, 21, 14, 6])[0]
        household = faker.household(kind=kind, size=size)
        household_no += 1
        grid = grids[min(written // per_grid, len(grids) - 1)]
        compound = f"基准{(written // 600) % 40 + 1}号小区"
        building = f"{rng.randint(1, 12)}栋"
        unit = rng.randint(1, 3)
        house = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        for person in household.members:
            if written >= args.rows:
                break
            row: list[object] = [
                person.name,
                "",
                chinese_label(Gender, person.gender),
                person.birth_date.isoformat(),
                ethnic.get(person.ethnicity, "汉族"),
                "居民身份证",
                person.id_number,
                person.phone,
                grid,
                f"H{household_no:06d}",
                chinese_label(Relation, person.relation),
                chinese_label(HouseholdKind, kind),
                compound,
                building,
                unit,
                house,
                chinese_label(Residency, person.residency),
                person.moved_in_on.isoformat() if person.moved_in_on else "",
                "、".join(tag_names[code] for code, _level in person.tags if code in tag_names),
                chinese_label(PoliticalStatus, person.political_status) if person.political_status else "",
                chinese_label(Education, person.education) if person.education else "",
                chinese_label(MaritalStatus, person.marital_status) if person.marital_status else "",
                person.occupation,
                person.work_unit,
                chinese_label(HealthStatus, person.health_status) if person.health_status else "",
                "是" if person.is_party_member else "否",
                "是" if person.is_volunteer else "否",
                "是" if person.is_veteran else "否",
                rng.choice(["已接种", "已接种加强针", "", ""]),
                "",
            ]
            if rng.random() < ERROR_RATE:
                errors += 1
                _spoil(rng, row, last_id)
            for c, value in enumerate(row):
                if isinstance(value, float):
                    sheet.write_number(r, c, value)
                elif c == 3 and isinstance(value, str) and value != "1987-02-30" and value and rng.random() < 0.3:
                    sheet.write_datetime(r, c, datetime.fromisoformat(value), date_cell)
                else:
                    sheet.write_string(r, c, str(value), text if c in (6, 7) else None)
            last_id = person.id_number
            written += 1
            r += 1
    book.close()
    print(
        f"{args.out}: {written} rows × {len(HEADERS)} columns, {errors} with errors, {time.perf_counter() - started:.1f} s"
    )


def _spoil(rng: random.Random, row: list[object], last_id: str) -> None:
    """One of the errors real ledgers have."""
    kind = rng.randrange(6)
    number = str(row[6])
    if kind == 0 and number:
        row[6] = number[:-1] + ("0" if number[-1] != "0" else "1")  # check-digit typo
    elif kind == 1 and number.isdigit():
        row[6] = float(number)  # Excel made it a number: the last digits are gone
    elif kind == 2:
        row[3], row[6] = "1987-02-30", ""  # an impossible date (and no ID to derive it from)
    elif kind == 3:
        row[18] = "五保户老人"  # not a tag of the catalogue
    elif kind == 4:
        row[0] = ""  # no name
    elif last_id:
        row[6] = last_id  # the same person typed twice


if __name__ == "__main__":
    main()
