"""Code lists of the registry (national standards where there is one)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    """Relation to the head of household: every code of GB/T 4761-2008 (家庭关系代码).

    The table is also shipped as data (`data/gbt4761-2008.tsv`, the standard's own names); a test holds the
    two together. Note 28 女婿 (under 子) and 38 儿媳 (under 女), as the standard has them.
    """

    SELF = "01", _("Self")  # 本人
    HEAD = "02", _("Head of household")  # 户主
    SPOUSE = "10", _("Spouse")  # 配偶
    HUSBAND = "11", _("Husband")  # 夫
    WIFE = "12", _("Wife")  # 妻
    SON = "20", _("Son")  # 子
    ONLY_SON = "21", _("Only son")  # 独生子
    ELDEST_SON = "22", _("Eldest son")  # 长子
    SECOND_SON = "23", _("Second son")  # 次子
    THIRD_SON = "24", _("Third son")  # 三子
    FOURTH_SON = "25", _("Fourth son")  # 四子
    FIFTH_SON = "26", _("Fifth son")  # 五子
    ADOPTED_OR_STEP_SON = "27", _("Adopted son or stepson")  # 养子或继子
    SON_IN_LAW = "28", _("Son-in-law")  # 女婿
    OTHER_SON = "29", _("Other son")  # 其他儿子
    DAUGHTER = "30", _("Daughter")  # 女
    ONLY_DAUGHTER = "31", _("Only daughter")  # 独生女
    ELDEST_DAUGHTER = "32", _("Eldest daughter")  # 长女
    SECOND_DAUGHTER = "33", _("Second daughter")  # 次女
    THIRD_DAUGHTER = "34", _("Third daughter")  # 三女
    FOURTH_DAUGHTER = "35", _("Fourth daughter")  # 四女
    FIFTH_DAUGHTER = "36", _("Fifth daughter")  # 五女
    ADOPTED_OR_STEP_DAUGHTER = "37", _("Adopted daughter or stepdaughter")  # 养女或继女
    DAUGHTER_IN_LAW = "38", _("Daughter-in-law")  # 儿媳
    OTHER_DAUGHTER = "39", _("Other daughter")  # 其他女儿
    GRANDCHILD = "40", _("Grandchild")  # 孙子、孙女或外孙子、外孙女
    GRANDSON = "41", _("Grandson (son's son)")  # 孙子
    GRANDDAUGHTER = "42", _("Granddaughter (son's daughter)")  # 孙女
    DAUGHTERS_SON = "43", _("Grandson (daughter's son)")  # 外孙子
    DAUGHTERS_DAUGHTER = "44", _("Granddaughter (daughter's daughter)")  # 外孙女
    GRANDSON_WIFE = "45", _("Grandson's wife")  # 孙媳妇或外孙媳妇
    GRANDDAUGHTER_HUSBAND = "46", _("Granddaughter's husband")  # 孙女婿或外孙女婿
    GREAT_GRANDSON = "47", _("Great-grandson")  # 曾孙子或外曾孙子
    GREAT_GRANDDAUGHTER = "48", _("Great-granddaughter")  # 曾孙女或外曾孙女
    OTHER_GRANDCHILD = "49", _("Other grandchild")  # 其他孙子、孙女或外孙子、外孙女
    PARENT = "50", _("Parents")  # 父母
    FATHER = "51", _("Father")  # 父亲
    MOTHER = "52", _("Mother")  # 母亲
    FATHER_IN_LAW_H = "53", _("Father-in-law (husband's father)")  # 公公
    MOTHER_IN_LAW_H = "54", _("Mother-in-law (husband's mother)")  # 婆婆
    FATHER_IN_LAW_W = "55", _("Father-in-law (wife's father)")  # 岳父
    MOTHER_IN_LAW_W = "56", _("Mother-in-law (wife's mother)")  # 岳母
    STEP_OR_ADOPTIVE_FATHER = "57", _("Stepfather or adoptive father")  # 继父或养父
    STEP_OR_ADOPTIVE_MOTHER = "58", _("Stepmother or adoptive mother")  # 继母或养母
    OTHER_PARENT = "59", _("Other parent")  # 其他父母关系
    GRANDPARENT = "60", _("Grandparent")  # 祖父母或外祖父母
    GRANDFATHER = "61", _("Grandfather (father's father)")  # 祖父
    GRANDMOTHER = "62", _("Grandmother (father's mother)")  # 祖母
    MATERNAL_GRANDFATHER = "63", _("Grandfather (mother's father)")  # 外祖父
    MATERNAL_GRANDMOTHER = "64", _("Grandmother (mother's mother)")  # 外祖母
    SPOUSE_GRANDPARENT = "65", _("Spouse's grandparent")  # 配偶的祖父母或外祖父母
    GREAT_GRANDFATHER = "66", _("Great-grandfather")  # 曾祖父
    GREAT_GRANDMOTHER = "67", _("Great-grandmother")  # 曾祖母
    SPOUSE_GREAT_GRANDPARENT = "68", _("Spouse's great-grandparent")  # 配偶的曾祖父母或外曾祖父母
    OTHER_GRANDPARENT = "69", _("Other grandparent")  # 其他祖父母或外祖父母关系
    SIBLING = "70", _("Sibling")  # 兄弟姐妹
    ELDER_BROTHER = "71", _("Elder brother")  # 兄
    ELDER_BROTHER_WIFE = "72", _("Elder brother's wife")  # 嫂
    YOUNGER_BROTHER = "73", _("Younger brother")  # 弟
    YOUNGER_BROTHER_WIFE = "74", _("Younger brother's wife")  # 弟媳
    ELDER_SISTER = "75", _("Elder sister")  # 姐姐
    ELDER_SISTER_HUSBAND = "76", _("Elder sister's husband")  # 姐夫
    YOUNGER_SISTER = "77", _("Younger sister")  # 妹妹
    YOUNGER_SISTER_HUSBAND = "78", _("Younger sister's husband")  # 妹夫
    OTHER_SIBLING = "79", _("Other sibling")  # 其他兄弟姐妹
    OTHER = "80", _("Other")  # 其他
    FATHERS_ELDER_BROTHER = "81", _("Uncle (father's elder brother)")  # 伯父
    FATHERS_ELDER_BROTHER_WIFE = "82", _("Aunt (wife of father's elder brother)")  # 伯母
    FATHERS_YOUNGER_BROTHER = "83", _("Uncle (father's younger brother)")  # 叔父
    FATHERS_YOUNGER_BROTHER_WIFE = "84", _("Aunt (wife of father's younger brother)")  # 婶母
    MOTHERS_BROTHER = "85", _("Uncle (mother's brother)")  # 舅父
    MOTHERS_BROTHER_WIFE = "86", _("Aunt (wife of mother's brother)")  # 舅母
    MOTHERS_SISTER_HUSBAND = "87", _("Uncle (husband of mother's sister)")  # 姨父
    MOTHERS_SISTER = "88", _("Aunt (mother's sister)")  # 姨母
    FATHERS_SISTER_HUSBAND = "89", _("Uncle (husband of father's sister)")  # 姑父
    FATHERS_SISTER = "90", _("Aunt (father's sister)")  # 姑母
    PATERNAL_COUSIN = "91", _("Cousin (father's brother's child)")  # 堂兄弟、堂姐妹
    COUSIN = "92", _("Cousin (other)")  # 表兄弟、表姐妹
    BROTHERS_SON = "93", _("Nephew (brother's son)")  # 侄子
    BROTHERS_DAUGHTER = "94", _("Niece (brother's daughter)")  # 侄女
    SISTERS_SON = "95", _("Nephew (sister's son)")  # 外甥
    SISTERS_DAUGHTER = "96", _("Niece (sister's daughter)")  # 外甥女
    OTHER_RELATIVE = "97", _("Other relative")  # 其他亲属
    NON_RELATIVE = "99", _("Not related")  # 非亲属


class Residency(models.TextChoices):
    REGISTERED = "registered", _("Registered here (户籍)")
    RESIDENT = "resident", _("Permanent resident (常住)")
    FLOATING = "floating", _("Floating population (流动)")
    TENANT = "tenant", _("Tenant (租户)")
    SEPARATED = "separated", _("Registered here, living elsewhere (人户分离)")
    AWAY = "away", _("Away (外出)")


class SourceState(models.TextChoices):
    ENTERED = "entered", _("Entered")
    CLAIMED = "claimed", _("Claimed")
    VERIFIED = "verified", _("Verified")


class HouseholdKind(models.TextChoices):
    LOCAL = "local", _("Local household")
    TENANT = "tenant", _("Tenant household")


class IdentityColor(models.TextChoices):
    """红粉白: derived, never typed."""

    RED = "red", _("Red: head of a local household")
    PINK = "pink", _("Pink: head of a tenant household")
    WHITE = "white", _("White: household member")


def identity_color(*, is_head: bool, household_kind: str) -> str:
    """The one rule of 红粉白: the head of a local household red, of a tenant household pink, everyone else white."""
    if not is_head:
        return IdentityColor.WHITE
    return IdentityColor.RED if household_kind == HouseholdKind.LOCAL else IdentityColor.PINK


class AttentionLevel(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MEDIUM = "medium", _("Medium")
    SERIOUS = "serious", _("Serious")


class PoliticalStatus(models.TextChoices):
    CPC_MEMBER = "cpc", _("CPC member")
    CPC_PROBATIONARY = "cpc_probationary", _("CPC probationary member")
    CYL_MEMBER = "cyl", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic", _("Democratic party member")
    MASSES = "masses", _("Ordinary citizen")


class Education(models.TextChoices):
    NONE = "none", _("None")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary / vocational")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disabled")


class DisabilityType(models.TextChoices):
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    SPEECH = "speech", _("Speech")
    PHYSICAL = "physical", _("Physical")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    MULTIPLE = "multiple", _("Multiple")


# GB/T 3304 ethnic groups: code → name (the list communities use; names are the official ones).
ETHNICITIES = [
    ("01", "汉族"),
    ("02", "蒙古族"),
    ("03", "回族"),
    ("04", "藏族"),
    ("05", "维吾尔族"),
    ("06", "苗族"),
    ("07", "彝族"),
    ("08", "壮族"),
    ("09", "布依族"),
    ("10", "朝鲜族"),
    ("11", "满族"),
    ("12", "侗族"),
    ("13", "瑶族"),
    ("14", "白族"),
    ("15", "土家族"),
    ("16", "哈尼族"),
    ("17", "哈萨克族"),
    ("18", "傣族"),
    ("19", "黎族"),
    ("20", "傈僳族"),
    ("21", "佤族"),
    ("22", "畲族"),
    ("23", "高山族"),
    ("24", "拉祜族"),
    ("25", "水族"),
    ("26", "东乡族"),
    ("27", "纳西族"),
    ("28", "景颇族"),
    ("29", "柯尔克孜族"),
    ("30", "土族"),
    ("31", "达斡尔族"),
    ("32", "仫佬族"),
    ("33", "羌族"),
    ("34", "布朗族"),
    ("35", "撒拉族"),
    ("36", "毛南族"),
    ("37", "仡佬族"),
    ("38", "锡伯族"),
    ("39", "阿昌族"),
    ("40", "普米族"),
    ("41", "塔吉克族"),
    ("42", "怒族"),
    ("43", "乌孜别克族"),
    ("44", "俄罗斯族"),
    ("45", "鄂温克族"),
    ("46", "德昂族"),
    ("47", "保安族"),
    ("48", "裕固族"),
    ("49", "京族"),
    ("50", "塔塔尔族"),
    ("51", "独龙族"),
    ("52", "鄂伦春族"),
    ("53", "赫哲族"),
    ("54", "门巴族"),
    ("55", "珞巴族"),
    ("56", "基诺族"),
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
]
