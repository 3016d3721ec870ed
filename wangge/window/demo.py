"""Demo service items with their notices (一次性告知), in the voice of the seeds' service centre. Idempotent."""

from __future__ import annotations

from typing import Any, TextIO

from wangge.window.catalogue import item_create, notice_publish
from wangge.window.models import ServiceItem

PLACE = "三元社区党群服务中心一楼综合受理窗口（1号、2号窗口），周一至周五 8:30—12:00、14:30—17:30，法定节假日除外"
PHONE = "0715-8126602"
ORIG, COPY, BOTH = "original", "copy", "both"

# code, name, category, keywords, office level, department, mode, days, flags (appointment, door, online, behalf),
# notice fields, materials (name, form, copies, notes)
ITEMS: list[dict[str, Any]] = [
    {
        "code": "MZ001",
        "item": {
            "name": "最低生活保障申请",
            "category": "civil_affairs",
            "keywords": "低保 低保申请 困难救助",
            "office_level": "department",
            "department": "区民政局",
            "mode": "reported",
            "limit_days": 30,
            "appointment": True,
            "door_to_door": True,
            "on_behalf": True,
        },
        "notice": {
            "conditions": "具有本区户籍，共同生活的家庭成员人均月收入低于本区城乡低保标准，且家庭财产状况符合规定。",
            "legal_basis": "《社会救助暂行办法》；《最低生活保障审核确认办法》（民发〔2021〕57号）",
            "time_limit": "社区受理后报区民政局审核，自受理之日起30个工作日内办结",
            "fees": "",
        },
        "materials": [
            ("最低生活保障申请书", ORIG, 1, "由申请人本人签字，可由网格员代为填写"),
            ("户口簿", BOTH, 1, "全体家庭成员"),
            ("居民身份证", BOTH, 1, "全体家庭成员"),
            ("家庭经济状况核对授权书", ORIG, 1, "全体成年家庭成员签字"),
            ("收入证明或失业证明", ORIG, 1, ""),
            ("残疾人证或病历资料", COPY, 1, "有残疾或重病成员的提供"),
        ],
    },
    {
        "code": "ZM001",
        "item": {
            "name": "居住证明",
            "category": "certificates",
            "keywords": "住址证明 居住",
            "office_level": "community",
            "mode": "on_the_spot",
            "on_behalf": True,
        },
        "notice": {
            "conditions": "在本社区实际居住的居民（含户籍人口和流动人口）。",
            "legal_basis": "《居住证暂行条例》",
            "time_limit": "材料齐全的，当场办结",
        },
        "materials": [
            ("居民身份证", BOTH, 1, ""),
            ("房屋产权证明或租赁合同", COPY, 1, "借住的提供房主证明"),
        ],
    },
    {
        "code": "ZM002",
        "item": {
            "name": "流动人口居住证明",
            "category": "certificates",
            "keywords": "流动人口 暂住证明 居住证",
            "office_level": "community",
            "mode": "on_the_spot",
            "on_behalf": True,
        },
        "notice": {
            "conditions": "来本社区居住半年以上、已办理居住登记的流动人口。",
            "legal_basis": "《居住证暂行条例》",
            "time_limit": "材料齐全的，当场办结",
        },
        "materials": [
            ("居民身份证", BOTH, 1, ""),
            ("房屋租赁合同", COPY, 1, ""),
            ("一寸免冠照片", ORIG, 2, "近6个月内"),
        ],
    },
    {
        "code": "MZ002",
        "item": {
            "name": "高龄津贴申领",
            "category": "civil_affairs",
            "keywords": "高龄补贴 老年人津贴 80岁",
            "office_level": "street",
            "mode": "promised",
            "limit_days": 10,
            "door_to_door": True,
            "on_behalf": True,
        },
        "notice": {
            "conditions": "具有本区户籍、年满80周岁的老年人。",
            "legal_basis": "《中华人民共和国老年人权益保障法》",
            "time_limit": "10个工作日内办结，次月起按月发放",
        },
        "materials": [
            ("居民身份证", BOTH, 1, ""),
            ("户口簿", COPY, 1, ""),
            ("本人银行卡或存折", COPY, 1, "用于发放津贴"),
        ],
    },
    {
        "code": "CL001",
        "item": {
            "name": "残疾人证办理",
            "category": "disability",
            "keywords": "残疾证 残联 评残",
            "office_level": "department",
            "department": "区残联",
            "mode": "reported",
            "limit_days": 20,
            "appointment": True,
            "door_to_door": True,
            "on_behalf": True,
        },
        "notice": {
            "conditions": "符合残疾标准、具有本区户籍的残疾人。",
            "legal_basis": "《中华人民共和国残疾人证管理办法》",
            "time_limit": "社区受理后报区残联，评定后20个工作日内发证",
        },
        "materials": [
            ("残疾人证申请表", ORIG, 1, ""),
            ("居民身份证", BOTH, 1, ""),
            ("户口簿", COPY, 1, ""),
            ("二寸免冠彩色照片", ORIG, 3, "白底"),
            ("医院诊断证明或病历", COPY, 1, ""),
        ],
    },
    {
        "code": "JY001",
        "item": {
            "name": "就业登记",
            "category": "employment",
            "keywords": "就业 失业登记 就业创业证",
            "office_level": "community",
            "mode": "on_the_spot",
            "online": True,
        },
        "notice": {
            "conditions": "在法定劳动年龄内、有劳动能力的城乡劳动者。",
            "legal_basis": "《就业服务与就业管理规定》",
            "time_limit": "材料齐全的，当场办结",
        },
        "materials": [
            ("居民身份证", BOTH, 1, ""),
            ("劳动合同或用工证明", COPY, 1, ""),
        ],
    },
    {
        "code": "YB001",
        "item": {
            "name": "城乡居民医保参保登记",
            "category": "medical_insurance",
            "keywords": "医保 医疗保险 参保 缴费",
            "office_level": "community",
            "mode": "on_the_spot",
            "online": True,
            "on_behalf": True,
        },
        "notice": {
            "conditions": "未参加职工基本医疗保险的本区户籍居民及持居住证的常住人口。",
            "legal_basis": "《中华人民共和国社会保险法》",
            "time_limit": "材料齐全的，当场办结",
            "fees": "按当年城乡居民医保个人缴费标准缴纳",
        },
        "materials": [
            ("居民身份证或户口簿", BOTH, 1, "新生儿提供出生医学证明"),
            ("居住证", COPY, 1, "非本区户籍的提供"),
        ],
    },
    {
        "code": "WJ001",
        "item": {
            "name": "独生子女证明",
            "category": "health",
            "keywords": "独生子女 计生证明 独生子女父母",
            "office_level": "community",
            "mode": "promised",
            "limit_days": 5,
            "on_behalf": True,
        },
        "notice": {
            "conditions": "只生育一个子女的夫妻。",
            "legal_basis": "《湖北省人口与计划生育条例》",
            "time_limit": "5个工作日内办结",
        },
        "materials": [
            ("夫妻双方居民身份证", BOTH, 1, ""),
            ("结婚证", COPY, 1, ""),
            ("子女出生医学证明或户口簿", COPY, 1, ""),
        ],
    },
]


def load(*, stdout: TextIO) -> None:
    added = 0
    for spec in ITEMS:
        if ServiceItem.objects.filter(code=spec["code"]).exists():
            continue
        item = item_create(actor=None, code=spec["code"], **spec["item"])
        materials = [
            {"name": name, "form": form, "copies": copies, "notes": notes}
            for name, form, copies, notes in spec["materials"]
        ]
        notice_publish(actor=None, item=item, materials=materials, place=PLACE, phone=PHONE, **spec["notice"])
        added += 1
    stdout.write(f"window: {added} service items with their notices\n")
