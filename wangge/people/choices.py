"""Code lists of the registry (national standards where there is one)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    """Relation to the head of household, GB/T 4761-2008 (家庭关系代码)."""

    HEAD = "02", _("Head of household")
    SPOUSE = "10", _("Spouse")
    HUSBAND = "11", _("Husband")
    WIFE = "12", _("Wife")
    SON = "20", _("Son")
    DAUGHTER = "30", _("Daughter")
    GRANDCHILD = "40", _("Grandchild")
    PARENT = "50", _("Parents")
    FATHER = "51", _("Father")
    MOTHER = "52", _("Mother")
    FATHER_IN_LAW_H = "53", _("Father-in-law (husband's father)")
    MOTHER_IN_LAW_H = "54", _("Mother-in-law (husband's mother)")
    FATHER_IN_LAW_W = "55", _("Father-in-law (wife's father)")
    MOTHER_IN_LAW_W = "56", _("Mother-in-law (wife's mother)")
    GRANDPARENT = "60", _("Grandparent")
    SIBLING = "70", _("Sibling")
    DAUGHTER_IN_LAW = "28", _("Daughter-in-law")
    SON_IN_LAW = "38", _("Son-in-law")
    OTHER_RELATIVE = "97", _("Other relative")
    NON_RELATIVE = "99", _("Not related")


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
