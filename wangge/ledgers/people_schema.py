"""The people ledger (人口台账): its columns, the names communities give them, and how cells are read."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.core.idcard import DocumentType
from wangge.ledgers import values as v
from wangge.ledgers.schema import Column, Schema
from wangge.people.choices import (
    ETHNICITIES,
    DisabilityType,
    Education,
    Gender,
    HealthStatus,
    HouseholdKind,
    MaritalStatus,
    PoliticalStatus,
    Relation,
    Residency,
)
from wangge.places.addresses import building_name

# 子女 and the like: 子 or 女 by the row's gender, decided once the gender is known (`people.relations`).
CHILD_BY_GENDER = "2?"

# Words communities use for the codes, beyond the labels of the code lists themselves.
EXTRA_NAMES: dict[type[models.TextChoices], list[tuple[str, list[str]]]] = {
    Gender: [("M", ["男", "男性", "1"]), ("F", ["女", "女性", "2"])],
    Relation: [
        # The standard's own names (本人, 长子, 孙子、孙女或外孙子、外孙女 …) come from the labels; these are the
        # other words ledgers use. 本人 and 户主本人 name the head, stored as 02.
        ("02", ["户主", "本人", "户主本人", "户主(本人)", "户主（本人）", "承租人", "租户本人"]),
        ("10", ["配偶", "爱人"]),
        ("11", ["夫", "丈夫", "老公"]),
        ("12", ["妻", "妻子", "老婆"]),
        (CHILD_BY_GENDER, ["子女", "儿女", "孩子", "小孩", "养子女", "继子女"]),
        ("20", ["子", "儿子", "儿"]),
        ("21", ["独子", "独生儿子"]),
        ("22", ["大儿子", "长男"]),
        ("23", ["二儿子", "二子"]),
        ("24", ["三儿子"]),
        ("25", ["四儿子"]),
        ("26", ["五儿子"]),
        ("27", ["养子", "继子"]),
        ("28", ["女婿"]),
        ("30", ["女", "女儿", "闺女"]),
        ("31", ["独女", "独生女儿"]),
        ("32", ["大女儿"]),
        ("33", ["二女儿", "二女"]),
        ("34", ["三女儿"]),
        ("35", ["四女儿"]),
        ("36", ["五女儿"]),
        ("37", ["养女", "继女"]),
        ("38", ["儿媳", "儿媳妇", "媳妇"]),
        ("40", ["孙子女", "孙辈", "孙子孙女", "外孙子女"]),
        ("41", ["孙子", "孙"]),
        ("42", ["孙女"]),
        ("43", ["外孙", "外孙子"]),
        ("44", ["外孙女"]),
        ("45", ["孙媳", "孙媳妇", "外孙媳妇"]),
        ("46", ["孙女婿", "外孙女婿"]),
        ("47", ["曾孙", "曾孙子", "重孙", "重孙子"]),
        ("48", ["曾孙女", "重孙女"]),
        ("50", ["父母"]),
        ("51", ["父亲", "父", "爸爸"]),
        ("52", ["母亲", "母", "妈妈"]),
        ("53", ["公公"]),
        ("54", ["婆婆"]),
        ("55", ["岳父"]),
        ("56", ["岳母"]),
        ("57", ["继父", "养父"]),
        ("58", ["继母", "养母"]),
        ("60", ["祖父母", "外祖父母"]),
        ("61", ["祖父", "爷爷"]),
        ("62", ["祖母", "奶奶"]),
        ("63", ["外祖父", "外公", "姥爷"]),
        ("64", ["外祖母", "外婆", "姥姥"]),
        ("66", ["曾祖父"]),
        ("67", ["曾祖母"]),
        ("70", ["兄弟姐妹", "兄弟", "姐妹"]),
        ("71", ["兄", "哥哥", "哥"]),
        ("72", ["嫂", "嫂子"]),
        ("73", ["弟", "弟弟"]),
        ("74", ["弟媳", "弟妹"]),
        ("75", ["姐", "姐姐"]),
        ("76", ["姐夫"]),
        ("77", ["妹", "妹妹"]),
        ("78", ["妹夫"]),
        ("81", ["伯父", "伯伯", "大伯"]),
        ("82", ["伯母"]),
        ("83", ["叔父", "叔叔", "叔"]),
        ("84", ["婶母", "婶婶", "婶"]),
        ("85", ["舅父", "舅舅", "舅"]),
        ("86", ["舅母", "舅妈"]),
        ("87", ["姨父", "姨夫"]),
        ("88", ["姨母", "姨妈", "姨"]),
        ("89", ["姑父"]),
        ("90", ["姑母", "姑妈", "姑姑", "姑"]),
        ("91", ["堂兄", "堂弟", "堂姐", "堂妹", "堂兄弟", "堂姐妹"]),
        ("92", ["表兄", "表弟", "表姐", "表妹", "表兄弟", "表姐妹"]),
        ("93", ["侄子", "侄儿"]),
        ("94", ["侄女"]),
        ("95", ["外甥"]),
        ("96", ["外甥女"]),
        ("97", ["其他亲属", "其他", "亲属", "亲戚"]),
        ("99", ["非亲属", "保姆", "租客", "同住", "借住", "朋友", "同事"]),
    ],
    Residency: [
        ("registered", ["户籍", "户籍人口", "本地", "本地户籍"]),
        ("resident", ["常住", "常住人口", "寄住"]),
        ("floating", ["流动", "流动人口", "外来", "外来人口"]),
        ("tenant", ["租户", "租住", "租房", "承租人"]),
        ("separated", ["人户分离", "户在人不在"]),
        ("away", ["外出", "外出人口"]),
    ],
    HouseholdKind: [("local", ["本地", "户籍", "家庭户", "自有"]), ("tenant", ["租户", "出租", "租住", "流动"])],
    PoliticalStatus: [
        ("cpc", ["中共党员", "党员", "中国共产党党员"]),
        ("cpc_probationary", ["预备党员", "中共预备党员"]),
        ("cyl", ["共青团员", "团员"]),
        ("democratic", ["民主党派", "民主党派成员"]),
        ("masses", ["群众", "无党派", "无党派人士"]),
    ],
    Education: [
        ("none", ["文盲", "无", "未上学", "半文盲"]),
        ("primary", ["小学"]),
        ("junior", ["初中"]),
        ("senior", ["高中", "中专", "职高", "技校", "中技"]),
        ("college", ["大专", "专科"]),
        ("bachelor", ["本科", "大学", "大学本科"]),
        ("postgraduate", ["研究生", "硕士", "博士"]),
    ],
    MaritalStatus: [
        ("single", ["未婚"]),
        ("married", ["已婚", "有配偶", "初婚", "再婚", "复婚"]),
        ("divorced", ["离婚", "离异"]),
        ("widowed", ["丧偶"]),
    ],
    HealthStatus: [
        ("healthy", ["健康", "良好", "好"]),
        ("chronic", ["慢性病", "一般", "患病"]),
        ("serious", ["大病", "重病", "较差", "重大疾病"]),
        ("disabled", ["残疾"]),
    ],
    DisabilityType: [
        ("visual", ["视力", "视力残疾", "盲"]),
        ("hearing", ["听力", "听力残疾", "聋"]),
        ("speech", ["言语", "言语残疾"]),
        ("physical", ["肢体", "肢体残疾"]),
        ("intellectual", ["智力", "智力残疾"]),
        ("mental", ["精神", "精神残疾"]),
        ("multiple", ["多重", "多重残疾"]),
    ],
    DocumentType: [
        ("citizen_id", ["身份证", "居民身份证", "二代身份证"]),
        ("hk_macao_permit", ["港澳居民居住证", "港澳居民来往内地通行证", "回乡证"]),
        ("taiwan_permit", ["台湾居民居住证", "台胞证"]),
        ("passport", ["护照"]),
        ("foreign_permanent_residence", ["外国人永久居留身份证", "永居证"]),
        ("other", ["其他证件", "其他"]),
    ],
}


def code_names(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every name of every code in `choices` (Chinese label, English label, the code, community words) → code."""
    names: dict[str, str] = {}
    for code, names_list in EXTRA_NAMES.get(choices, []):
        for name in names_list:
            names[name] = code
    for member in choices:
        names.setdefault(str(member.value), member.value)
        with translation.override("en"):
            names.setdefault(str(member.label), member.value)
        with translation.override("zh-hans"):
            names.setdefault(str(member.label), member.value)
    return names


def chinese_label(choices: type[models.TextChoices], code: str) -> str:
    """The word a ledger uses for a code: the first community word, else the Chinese label."""
    for value, names_list in EXTRA_NAMES.get(choices, []):
        if value == code:
            return names_list[0]
    with translation.override("zh-hans"):
        return str(choices(code).label) if code else ""


def _ethnicity_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in ETHNICITIES:
        names[name] = code
        names[code] = code
        names[str(int(code))] = code
        if name.endswith("族") and len(name) >= 2:
            names[name[:-1]] = code
    return names


def _choice(choices: type[models.TextChoices], label: Callable[[], str]) -> Callable[[Any], str]:
    return v.choice_parser(code_names(choices), label=label)


RECORD_HEADER = "记录编号"  # each person's number in the registry: an exported ledger comes back by it


def _record_number(value: Any) -> int:
    raw = v.text(value)
    if not raw.isdecimal() or int(raw) <= 0:
        raise v.CellError(_("“%(value)s” is not a record number (the export fills it in).") % {"value": raw})
    return int(raw)


def _building(value: Any) -> str:
    """3, 3栋, 3号楼, 3幢 → 3栋 (how the registry names buildings)."""
    return building_name(v.text(value))


def _house_number(value: Any) -> str:
    raw = v.text(value)
    for suffix in ("室", "号", "房"):
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)]
    if len(raw) > 16:
        raise v.CellError(_("A house number has at most 16 characters."))
    return raw


@lru_cache(maxsize=1)
def people_schema() -> Schema:
    return Schema(
        kind="people",
        title="人口台账",
        columns=[
            Column(
                "name", "姓名", v.name_text, ("名字", "居民姓名", "人员姓名", "户籍姓名"), "必填", "张三", required=True
            ),
            Column("former_name", "曾用名", v.limited(64), ("曾用姓名",)),
            Column("gender", "性别", _choice(Gender, lambda: _("gender")), (), "男 / 女；有身份证号时可不填", "男"),
            Column(
                "birth_date",
                "出生日期",
                v.parse_date,
                ("出生年月", "出生年月日", "生日", "出生日期(年月日)"),
                "如 1950-03-02、1950/3/2、19500302；有身份证号时可不填",
                "1950-03-02",
            ),
            Column(
                "ethnicity", "民族", v.choice_parser(_ethnicity_names(), label=lambda: _("ethnicity")), (), "", "汉族"
            ),
            Column(
                "doc_type",
                "证件类型",
                _choice(DocumentType, lambda: _("document type")),
                ("证件种类",),
                "不填即居民身份证",
                "居民身份证",
            ),
            Column(
                "id_number",
                "证件号码",
                v.id_number_text,
                (
                    "身份证号",
                    "身份证号码",
                    "公民身份号码",
                    "公民身份证号码",
                    "身份证",
                    "证件号",
                    "身份证件号码",
                    "证件号码(身份证号)",
                ),
                "请把本列设为“文本”格式，否则 Excel 会丢掉后三位和末尾的 X",
                "421202195003021233",
            ),
            Column(
                "phone",
                "联系电话",
                v.phone_text,
                ("手机号", "手机号码", "电话", "联系方式", "电话号码", "手机"),
                "",
                "13871501108",
            ),
            Column(
                "grid",
                "网格",
                v.limited(64),
                ("所属网格", "网格名称", "网格名"),
                "导入到社区时填写网格名称",
                "第一网格",
            ),
            Column(
                "household_number", "户号", v.limited(32), ("户编号", "家庭编号"), "同一户的人填写相同户号", "H0001"
            ),
            Column(
                "relation",
                "与户主关系",
                v.choice_parser(
                    code_names(Relation), label=lambda: _("relation to head"), lenient=(Relation.OTHER, "其他")
                ),
                ("关系", "与户主的关系", "家庭关系", "与户主关系(户主填本人)", "与承租人关系", "与承租人的关系"),
                "户主、配偶、子、女、父亲、母亲、孙子……",
                "户主",
            ),
            Column(
                "household_kind",
                "户类型",
                _choice(HouseholdKind, lambda: _("household type")),
                ("户别", "住户类型"),
                "本地 / 租户",
                "本地",
            ),
            Column("compound", "小区", v.limited(64), ("小区名称", "小区名", "所在小区"), "", "福源小区"),
            Column("building", "楼栋", _building, ("楼栋号", "栋", "楼号", "幢", "栋号"), "", "3栋"),
            Column("unit", "单元", lambda x: v.parse_int(x, low=1, high=99, strip="单元号"), ("单元号",), "", 1),
            Column("house_number", "房号", _house_number, ("门牌号", "房间号", "室号", "户室号", "房屋号"), "", "301"),
            Column(
                "address",
                "现住址",
                v.limited(200),
                ("居住地址", "住址", "现居住地址", "家庭住址", "地址", "现居住地"),
                "没有小区、楼栋时填写",
                "",
            ),
            Column(
                "residency",
                "人口类型",
                _choice(Residency, lambda: _("residency")),
                ("人员类型", "人口属性", "居住类型", "人口类别"),
                "户籍、常住、流动、租户、人户分离、外出",
                "户籍",
            ),
            Column("moved_in_on", "迁入日期", v.parse_date, ("入住日期", "居住起始日期", "来本地日期")),
            Column("moved_out_on", "迁出日期", v.parse_date, ("离开日期",)),
            Column(
                "tags",
                "标签",
                v.split_list,
                ("人员标签", "重点人群", "特殊人群", "关怀对象", "人群类别"),
                "多个用顿号分隔",
                "独居老人、低保",
            ),
            Column(
                "political_status", "政治面貌", _choice(PoliticalStatus, lambda: _("political status")), (), "", "群众"
            ),
            Column("education", "文化程度", _choice(Education, lambda: _("education")), ("学历",), "", "初中"),
            Column(
                "marital_status", "婚姻状况", _choice(MaritalStatus, lambda: _("marital status")), ("婚姻",), "", "已婚"
            ),
            Column("occupation", "职业", v.limited(64), ("从事职业",)),
            Column("work_unit", "工作单位", v.limited(100), ("单位", "工作单位及职务", "就业单位")),
            Column(
                "domicile",
                "户籍地",
                v.limited(200),
                ("户籍地址", "户籍所在地", "户口所在地", "户籍地详址", "户口地址", "原籍"),
                "户籍所在地址；流动人口填来源地",
                "湖北省咸宁市咸安区永安街道",
            ),
            Column(
                "residence_permit",
                "居住证号",
                v.limited(40),
                (
                    "暂住证号",
                    "居住证编号",
                    "暂住证编号",
                    "居住证号码",
                    "暂住证号码",
                    "居住证",
                    "暂住证",
                    "暂住证/居住证号",
                    "居住证/暂住证号",
                ),
                "流动人口的居住证或暂住证号码",
                "",
            ),
            Column(
                "landlord_name",
                "房东姓名",
                v.name_text,
                ("房东", "房主", "房主姓名", "出租人", "出租人姓名", "业主姓名"),
                "出租屋填写；填了即标为出租屋",
                "",
            ),
            Column(
                "landlord_phone",
                "房东电话",
                v.phone_text,
                ("房东联系电话", "房东手机", "房主电话", "出租人电话", "出租人联系电话"),
                "出租屋房东的电话",
                "",
            ),
            Column("health_status", "健康状况", _choice(HealthStatus, lambda: _("health")), ("身体状况",), "", "健康"),
            Column("vaccination_status", "疫苗接种", v.limited(64), ("疫苗接种情况", "接种情况")),
            Column("disability_type", "残疾类型", _choice(DisabilityType, lambda: _("disability type")), ("残疾类别",)),
            Column("disability_grade", "残疾等级", lambda x: v.parse_int(x, low=1, high=4, strip="级"), (), "1–4"),
            Column("is_party_member", "是否党员", v.parse_bool, ("党员",), "是 / 否"),
            Column("is_volunteer", "是否志愿者", v.parse_bool, ("志愿者",), "是 / 否"),
            Column("is_veteran", "是否退役军人", v.parse_bool, ("退役军人",), "是 / 否"),
            Column("is_deceased", "是否死亡", v.parse_bool, ("死亡", "已故"), "是 / 否"),
            Column("deceased_on", "死亡日期", v.parse_date),
            Column("notes", "备注", v.text, ("说明", "其他情况")),
            Column(
                "record",
                RECORD_HEADER,
                _record_number,
                ("人员编号", "系统编号", "人员记录编号"),
                "导出时自动填写：改好后按原样导回，即使证件号码是打码的；新增人员不填",
                "",
            ),
        ],
    )
