"""Realistic made-up residents for the demo district and the benchmarks.

`PeopleFaker` invents households and people (names by surname frequency and birth cohort, valid
citizen IDs with real area codes, an age pyramid of an ageing Hubei town, GB/T 4761 relations,
phones, residency, care and special-group tags). Pure Python, seeded, no database. The demo and
the benchmarks write them with `wangge.people.fake_rows`. Nothing in production uses either.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from wangge.core.idcard import random_citizen_id
from wangge.people.choices import (
    AttentionLevel,
    DisabilityType,
    Education,
    Gender,
    HealthStatus,
    HouseholdKind,
    MaritalStatus,
    PoliticalStatus,
    Relation,
    Residency,
    SourceState,
)

__all__ = [
    "FakeHousehold",
    "FakePerson",
    "PeopleFaker",
    "split_sizes",
]

M, F = Gender.MALE.value, Gender.FEMALE.value

# --- names ------------------------------------------------------------------------------------------

# Surnames with weights roughly proportional to their national frequency (per mille), plus a few
# whose reading differs from the ordinary word (曾 zeng, 单 shan, 解 xie, 仇 qiu, 查 zha…), so the
# pinyin search keys' surname table is exercised.
SURNAME_WEIGHTS: dict[str, float] = {
    "王": 72, "李": 71, "张": 68, "刘": 54, "陈": 46, "杨": 32, "黄": 25, "赵": 20, "吴": 20, "周": 19,
    "徐": 14, "孙": 13, "马": 12, "朱": 11, "胡": 11, "郭": 11, "何": 9.5, "高": 9, "林": 9, "罗": 8.5,
    "郑": 8, "梁": 7.5, "谢": 6.5, "宋": 6, "唐": 6, "许": 5.5, "韩": 5.5, "冯": 5, "邓": 5, "曹": 5,
    "彭": 5, "曾": 4.8, "肖": 4.6, "田": 4.4, "董": 4.2, "袁": 4, "潘": 4, "于": 4, "蒋": 3.8, "蔡": 3.8,
    "余": 3.7, "杜": 3.5, "叶": 3.5, "程": 3.4, "苏": 3.2, "魏": 3.2, "吕": 3.1, "丁": 3, "任": 3, "沈": 2.9,
    "姚": 2.8, "卢": 2.8, "姜": 2.7, "崔": 2.6, "钟": 2.6, "谭": 2.5, "陆": 2.5, "汪": 2.5, "范": 2.4,
    "金": 2.3, "石": 2.3, "廖": 2.3, "贾": 2.2, "夏": 2.2, "韦": 2.1, "付": 2.1, "方": 2.1, "白": 2,
    "邹": 2, "孟": 2, "熊": 2.6, "秦": 1.9, "邱": 1.9, "江": 1.9, "尹": 1.8, "薛": 1.8, "闫": 1.8, "段": 1.7,
    "雷": 1.7, "侯": 1.7, "龙": 1.6, "史": 1.6, "陶": 1.5, "黎": 1.5, "贺": 1.6, "顾": 1.4, "毛": 1.4,
    "郝": 1.4, "龚": 1.4, "邵": 1.3, "万": 1.5, "钱": 1.3, "严": 1.3, "覃": 1.2, "武": 1.2, "戴": 1.2,
    "莫": 1.1, "孔": 1.1, "向": 1.1, "殷": 1.0, "柯": 1.0, "舒": 0.9, "饶": 0.9, "单": 0.5, "解": 0.4,
    "仇": 0.3, "查": 0.3, "缪": 0.2, "翟": 0.3, "乐": 0.2, "华": 0.4, "纪": 0.4, "欧阳": 0.4, "司马": 0.05,
    "诸葛": 0.05, "尉迟": 0.02,
}  # fmt: skip

# Given-name characters by birth cohort and gender: (first characters, second characters, single names).
_COHORTS: list[tuple[int, dict[str, tuple[str, str, str]]]] = [
    (
        1955,
        {
            M: (
                "国建志德明永文汉家正宝金长春新光兴福学保清炳桂松树耀",
                "华明平强林生民军成荣才发安山泉贵富章山海昌喜田根元福",
                "斌军华林明",
            ),
            F: ("秀桂玉凤金淑素翠春兰美月菊冬爱冬银巧腊", "英兰珍芳华梅莲芬琴香云娥枝荣仙娣姑", "英兰珍"),
        },
    ),
    (
        1972,
        {
            M: ("志建海卫永红国小立文晓新爱向东胜跃", "强刚军峰斌华勇明涛波辉东林平民红伟", "伟强军勇斌刚峰"),
            F: ("丽红海晓小美春艳玉秀桂丹慧雪冬爱彩", "华萍燕红娟霞丽芳敏静玲梅琴艳英莉", "红燕敏萍娟霞"),
        },
    ),
    (
        1988,
        {
            M: ("俊文晓永海建志明伟家振剑国少", "杰涛浩宇鹏凯磊超阳辉波峰斌军东", "伟磊杰涛超勇鹏"),
            F: ("晓丽海小美慧春雪静佳艳红秀婷文", "丽娟霞燕静敏琳婷玲倩芳洁艳红颖", "静敏婷娟丽洁倩"),
        },
    ),
    (
        2003,
        {
            M: ("浩俊宇子文博思嘉明天志家一佳晨", "杰涛浩宇轩鹏凯磊超阳辉然豪阳杰", "浩宇杰鹏磊鑫"),
            F: ("婷雨佳欣思晓梦雪诗嘉文梓晨静", "婷琪怡雪佳颖瑶倩悦彤雯萱琳洁", "婷琪颖瑶倩"),
        },
    ),
    (
        2100,
        {
            M: ("子梓宇浩俊一博沐睿铭奕皓宇锦嘉", "轩涵宸睿辰泽航阳铭浩宇霖煜诚凯", "睿泽轩"),
            F: ("子梓欣一雨语诗思可若芷依佳安", "涵萱彤琪妍怡诺菲汐然希悦冉馨", "诺萱妍"),
        },
    ),
]

# --- places of origin (GB/T 2260 codes) ------------------------------------------------------------

LOCAL_AREAS = {"421202": 80, "421201": 6, "421221": 3, "421222": 2, "421223": 2, "421224": 2, "421281": 3}
# Born before 1982, a local's first ID card was issued by 咸宁地区 (before the 1998 reform): 422301.
OLD_LOCAL_AREA = "422301"
HUBEI_AREAS = {
    "420106": 3,  # 武汉市武昌区
    "420102": 2,  # 江岸区
    "420111": 1,  # 洪山区
    "421102": 1,  # 黄冈市黄州区
    "420202": 1,  # 黄石市黄石港区
    "421281": 2,  # 赤壁市
    "421221": 2,  # 嘉鱼县
    "421222": 2,  # 通城县
    "421223": 2,  # 崇阳县
    "421224": 2,  # 通山县
    "420682": 1,  # 老河口市
}
OTHER_PROVINCE_AREAS = {
    "430621": 3,  # 湖南岳阳县
    "430681": 2,  # 汨罗市
    "360424": 2,  # 江西修水县
    "360402": 1,  # 九江濂溪区
    "411503": 2,  # 河南信阳平桥区
    "341881": 1,  # 安徽宁国市
    "500228": 1,  # 重庆梁平区
    "510722": 1,  # 四川三台县
    "440304": 1,  # 深圳福田区
    "320106": 1,  # 南京鼓楼区
}

MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]

OCCUPATIONS = {
    "working": (
        "企业职工", "个体经营", "务工", "教师", "医护人员", "公务员", "事业单位职工", "自由职业",
        "快递员", "销售", "司机", "厨师", "保安", "家政服务", "工程师", "会计",
    ),
    "tenant": ("务工", "个体经营", "快递员", "外卖骑手", "销售", "厨师", "装修工", "服务员", "司机"),
}  # fmt: skip
WORK_UNITS = (
    "咸宁市中心医院", "咸安区实验小学", "武汉铁路局咸宁站", "咸宁市粮食局", "永安商贸城", "中石化咸宁分公司",
    "湖北科技学院", "咸安区人民政府", "咸宁纺织厂", "时代家居广场", "咸宁市第一中学", "中国邮政咸宁分公司",
    "咸安区人民医院", "咸宁温泉酒店", "顺丰速运咸宁站",
)  # fmt: skip
ETHNIC_MINORITIES = {"15": 10, "03": 2, "06": 2, "08": 1, "11": 1}  # 土家 回 苗 壮 满


@dataclass
class FakePerson:
    name: str
    gender: str
    birth_date: date
    relation: str
    id_number: str = ""
    phone: str = ""
    residency: str = Residency.REGISTERED
    ethnicity: str = "01"
    political_status: str = ""
    education: str = ""
    marital_status: str = ""
    occupation: str = ""
    work_unit: str = ""
    health_status: str = ""
    disability_type: str = ""
    disability_grade: int | None = None
    is_party_member: bool = False
    is_volunteer: bool = False
    is_veteran: bool = False
    moved_in_on: date | None = None
    source_state: str = SourceState.VERIFIED
    tags: list[tuple[str, str]] = field(default_factory=list)  # (tag code, attention level)


@dataclass
class FakeHousehold:
    kind: str
    members: list[FakePerson]  # the head first

    @property
    def head(self) -> FakePerson:
        return self.members[0]


def split_sizes(rng: random.Random, households: int, population: int, weights: Mapping[int, float]) -> list[int]:
    """Household sizes drawn from `weights` (size → weight), nudged so they add up to `population` exactly."""
    if households <= 0:
        return []
    population = max(population, households)
    sizes = rng.choices(list(weights), weights=list(weights.values()), k=households)
    top = max(max(weights), -(-population // households))
    total = sum(sizes)
    while total != population:
        i = rng.randrange(households)
        if total < population and sizes[i] < top:
            sizes[i] += 1
            total += 1
        elif total > population and sizes[i] > 1:
            sizes[i] -= 1
            total -= 1
    return sizes


LOCAL_SIZES = {1: 13, 2: 18, 3: 23, 4: 21, 5: 16, 6: 9, 7: 3.5}
TENANT_SIZES = {1: 22, 2: 24, 3: 30, 4: 17, 5: 7}


class PeopleFaker:
    """Invents households; every citizen ID it hands out is unique within the faker."""

    def __init__(self, rng: random.Random, *, today: date | None = None) -> None:
        self.rng = rng
        self.today = today or timezone.localdate()
        self.issued: set[str] = set()
        self._surnames = list(SURNAME_WEIGHTS)
        self._surname_cum = _cumulative(SURNAME_WEIGHTS.values())

    # --- atoms ---

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_cum)[0]

    def given_name(self, gender: str, birth: date) -> str:
        rng = self.rng
        pools = next(p for year, p in _COHORTS if birth.year < year)[gender]
        first, second, single = pools
        single_share = 0.3 if 1965 <= birth.year < 2000 else 0.12
        if rng.random() < single_share:
            return rng.choice(single)
        if gender == F and rng.random() < 0.04:
            ch = rng.choice("婷丹莉娜晶璐倩静")
            return ch + ch  # 婷婷, 丹丹
        a, b = rng.choice(first), rng.choice(second)
        while b == a:
            b = rng.choice(second)
        return a + b

    def name(self, gender: str, birth: date, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given_name(gender, birth)

    def birth(self, age_low: float, age_high: float) -> date:
        """A birth date making the person between age_low and age_high years old today."""
        age_low = max(age_low, 0)
        age_high = max(age_high, age_low + 0.01)
        days = int(self.rng.uniform(age_low, age_high) * 365.25)
        return self.today - timedelta(days=max(days, 1))

    def area(self, origin: str, birth: date) -> str:
        rng = self.rng
        if origin == "local":
            if birth.year < 1982 and rng.random() < 0.35:
                return OLD_LOCAL_AREA
            table = LOCAL_AREAS
        elif origin == "hubei":
            table = HUBEI_AREAS
        else:
            table = OTHER_PROVINCE_AREAS
        return rng.choices(list(table), weights=list(table.values()))[0]

    def citizen_id(self, area: str, birth: date, gender: str) -> str:
        while True:
            number = random_citizen_id(self.rng, area, birth, gender)
            if number not in self.issued:
                self.issued.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    # --- households ---

    def household(self, *, kind: str, size: int) -> FakeHousehold:
        members = self._tenant_family(size) if kind == HouseholdKind.TENANT else self._local_family(size)
        household = FakeHousehold(kind=kind, members=members)
        self._fill(household)
        return household

    def _person(self, relation: str, gender: str, age: tuple[float, float], surname: str | None = None) -> FakePerson:
        birth = self.birth(*age)
        return FakePerson(name=self.name(gender, birth, surname), gender=gender, birth_date=birth, relation=relation)

    def _age(self, p: FakePerson) -> float:
        return (self.today - p.birth_date).days / 365.25

    def _couple(self, head_age: tuple[float, float], head_gender: str | None = None) -> list[FakePerson]:
        rng = self.rng
        gender = head_gender or (M if rng.random() < 0.82 else F)
        head = self._person(Relation.HEAD, gender, head_age)
        a = self._age(head)
        if gender == M:
            spouse = self._person(Relation.WIFE, F, (a - 5, a + 1))
        else:
            spouse = self._person(Relation.HUSBAND, M, (a - 1, a + 5))
        head.marital_status = spouse.marital_status = MaritalStatus.MARRIED
        return [head, spouse]

    def _children(self, parents: list[FakePerson], n: int, *, max_age: float = 60) -> list[FakePerson]:
        """Children of the first two people (head and spouse); surname from the father."""
        head = parents[0]
        father = next((p for p in parents[:2] if p.gender == M), head)
        mother_age = min(self._age(p) for p in parents[:2])
        kids = []
        for _ in range(n):
            gender = M if self.rng.random() < 0.53 else F
            age = (max(mother_age - 36, 0), min(max(mother_age - 21, 0.5), max_age))
            kid = self._person(Relation.SON if gender == M else Relation.DAUGHTER, gender, age, _surname(father.name))
            kids.append(kid)
        return kids

    def _parents_of(self, person: FakePerson, n: int, *, of_wife: bool) -> list[FakePerson]:
        a = self._age(person)
        surname = _surname(person.name)
        father_rel, mother_rel = Relation.FATHER, Relation.MOTHER
        if of_wife:  # the head's wife's parents
            father_rel, mother_rel = Relation.FATHER_IN_LAW_W, Relation.MOTHER_IN_LAW_W
        elif person.relation == Relation.HUSBAND:  # the head is the wife
            father_rel, mother_rel = Relation.FATHER_IN_LAW_H, Relation.MOTHER_IN_LAW_H
        rng = self.rng
        people = []
        if n >= 2 or rng.random() < 0.35:
            people.append(self._person(father_rel, M, (a + 24, min(a + 34, 96)), surname))
        if len(people) < n:
            people.append(self._person(mother_rel, F, (a + 22, min(a + 32, 98))))
        for p in people:
            p.marital_status = MaritalStatus.MARRIED if len(people) == 2 else MaritalStatus.WIDOWED
        return people

    def _local_family(self, size: int) -> list[FakePerson]:
        rng = self.rng
        r = rng.random()
        if size == 1:
            if r < 0.7:  # an old person alone, more often a widow
                head = self._person(Relation.HEAD, F if rng.random() < 0.64 else M, (60, 96))
                head.marital_status = MaritalStatus.WIDOWED if rng.random() < 0.8 else MaritalStatus.DIVORCED
            else:
                head = self._person(Relation.HEAD, M if rng.random() < 0.55 else F, (22, 60))
                head.marital_status = MaritalStatus.SINGLE if self._age(head) < 35 else MaritalStatus.DIVORCED
            return [head]
        if size == 2:
            if r < 0.5:
                return self._couple((60, 90), M)  # empty nest
            if r < 0.8:
                return self._couple((24, 60))
            head = self._person(Relation.HEAD, F if rng.random() < 0.6 else M, (38, 75))
            head.marital_status = rng.choice([MaritalStatus.DIVORCED, MaritalStatus.WIDOWED])
            return [head, *self._children([head, head], 1)]
        if size >= 4 and (r < 0.38 or size >= 6):  # three generations under an older head
            family = self._couple((52, 82), M if rng.random() < 0.85 else None)
            husband = family[0] if family[0].gender == M else family[1]
            mother_age = min(self._age(family[0]), self._age(family[1]))
            son = self._person(
                Relation.SON, M, (max(mother_age - 34, 20), max(mother_age - 21, 21)), _surname(husband.name)
            )
            son.marital_status = MaritalStatus.MARRIED
            sa = self._age(son)
            dil = self._person(Relation.DAUGHTER_IN_LAW, F, (sa - 5, sa + 1))
            dil.marital_status = MaritalStatus.MARRIED
            grandkids = self._children([son, dil], size - 4)
            for kid in grandkids:
                kid.relation = Relation.GRANDCHILD
            return [*family, son, dil, *grandkids]
        if size >= 3 and r < 0.62:  # parents and children
            family = self._couple((27, 58))
            return [*family, *self._children(family, size - 2)]
        if size >= 3 and r < 0.78:  # an old couple with a grown-up child at home
            family = self._couple((55, 85), M)
            return [*family, *self._children(family, size - 2)]
        # a couple with children and one or two of their parents
        family = self._couple((30, 56))
        n_parents = 1 if size == 3 else rng.choice([1, 2])
        wife = family[0] if family[0].gender == F else family[1]
        of_wife = family[0].gender == M and rng.random() < 0.25
        source = wife if of_wife else family[0] if family[0].gender == M else family[1]
        parents = self._parents_of(source, n_parents, of_wife=of_wife)
        return [*family, *parents, *self._children(family, size - 2 - len(parents))]

    def _tenant_family(self, size: int) -> list[FakePerson]:
        if size == 1:
            head = self._person(Relation.HEAD, M if self.rng.random() < 0.6 else F, (19, 48))
            head.marital_status = MaritalStatus.SINGLE if self._age(head) < 30 else MaritalStatus.MARRIED
            return [head]
        family = self._couple((22, 50))
        if size >= 5 and self.rng.random() < 0.6:
            parents = self._parents_of(family[0], 1, of_wife=False)
            return [*family, *parents, *self._children(family, size - 3, max_age=18)]
        return [*family, *self._children(family, size - 2, max_age=18)]

    # --- everything else about a person ---

    def _fill(self, household: FakeHousehold) -> None:
        rng = self.rng
        tenant = household.kind == HouseholdKind.TENANT
        if tenant:
            origin = rng.choices(["local", "hubei", "other"], weights=[30, 40, 30])[0]
            residency = Residency.TENANT if origin == "local" else Residency.FLOATING
            moved_in = self.today - timedelta(days=rng.randrange(30, 6 * 365))
        else:
            origin = "local"
            residency = Residency.REGISTERED
            moved_in = None
            if rng.random() < 0.05:
                residency = Residency.RESIDENT  # bought here, hukou elsewhere
            elif rng.random() < 0.03:
                residency = Residency.SEPARATED
        ethnicity = (
            "01" if rng.random() < 0.96 else rng.choices(list(ETHNIC_MINORITIES), list(ETHNIC_MINORITIES.values()))[0]
        )
        state = rng.choices(
            [SourceState.VERIFIED, SourceState.CLAIMED, SourceState.ENTERED],
            weights=[88, 5, 7] if not tenant else [78, 9, 13],
        )[0]
        for p in household.members:
            age = self._age(p)
            own_origin = origin if rng.random() < 0.9 else rng.choice(["local", "hubei", "other"])
            p.id_number = self.citizen_id(self.area(own_origin, p.birth_date), p.birth_date, p.gender)
            p.residency = residency
            if not tenant and residency == Residency.REGISTERED and 18 <= age < 40 and p.relation in ("20", "30"):
                x = rng.random()
                if x < 0.14:
                    p.residency = Residency.AWAY  # working or studying elsewhere
                elif x < 0.19:
                    p.residency = Residency.SEPARATED
            p.moved_in_on = moved_in
            p.ethnicity = ethnicity if p.relation in (Relation.HEAD, "20", "30", "40") else "01"
            p.source_state = state
            if not p.marital_status:
                p.marital_status = MaritalStatus.SINGLE if age < 28 or p.relation in ("40",) else MaritalStatus.MARRIED
            if age >= 16 and (age < 75 or rng.random() < 0.55) and rng.random() < 0.96:
                p.phone = self.phone()
            p.education = _education(rng, p.birth_date.year, age)
            if age >= 60 or (p.gender == F and age >= 55):
                p.occupation = "退休" if rng.random() < 0.7 else ""
                p.health_status = rng.choices(
                    [HealthStatus.HEALTHY, HealthStatus.CHRONIC, HealthStatus.SERIOUS], weights=[58, 38, 4]
                )[0]
            elif age >= 18:
                if rng.random() < 0.88:
                    p.occupation = rng.choice(OCCUPATIONS["tenant" if tenant else "working"])
                    if not tenant and rng.random() < 0.4:
                        p.work_unit = rng.choice(WORK_UNITS)
                else:
                    p.occupation = "无业"
                p.health_status = HealthStatus.HEALTHY if rng.random() < 0.95 else HealthStatus.CHRONIC
            else:
                p.occupation = "学生" if age >= 6 else ""
                p.health_status = HealthStatus.HEALTHY
            if age >= 18:
                cpc_share = 0.16 if age >= 60 else 0.08
                x = rng.random()
                if x < cpc_share:
                    p.political_status, p.is_party_member = PoliticalStatus.CPC_MEMBER, True
                elif x < cpc_share + 0.005:
                    p.political_status = PoliticalStatus.CPC_PROBATIONARY
                elif age < 28 and x < 0.45:
                    p.political_status = PoliticalStatus.CYL_MEMBER
                else:
                    p.political_status = PoliticalStatus.MASSES
            elif age >= 14:
                p.political_status = PoliticalStatus.CYL_MEMBER if rng.random() < 0.4 else PoliticalStatus.MASSES
            p.is_volunteer = 16 <= age < 75 and rng.random() < (0.08 if p.is_party_member else 0.025)
        self._tags(household)

    def _tags(self, household: FakeHousehold) -> None:
        rng = self.rng
        members = household.members
        ages = [self._age(p) for p in members]
        tenant = household.kind == HouseholdKind.TENANT
        n = len(members)
        for p, age in zip(members, ages, strict=True):
            if age >= 80:
                p.tags.append(("very_old", AttentionLevel.NORMAL))
            if p.gender == F and 20 <= age < 50 and p.marital_status == MaritalStatus.MARRIED:
                p.tags.append(("women_childbearing_age", AttentionLevel.NORMAL))
            if p.residency == Residency.FLOATING:
                p.tags.append(("floating", AttentionLevel.NORMAL))
            disabled_share = 0.005 if age < 18 else 0.016 if age < 60 else 0.042 if age < 80 else 0.07
            if rng.random() < disabled_share:
                p.disability_type = rng.choices(list(DisabilityType.values), weights=[15, 20, 3, 35, 10, 10, 7])[0]
                p.disability_grade = rng.choices([1, 2, 3, 4], weights=[15, 25, 30, 30])[0]
                p.health_status = HealthStatus.DISABLED
                p.tags.append(("disabled", AttentionLevel.MEDIUM if p.disability_grade <= 2 else AttentionLevel.NORMAL))
            if p.gender == M and 22 <= age < 88 and rng.random() < 0.03:
                p.is_veteran = True
                p.tags.append(("veteran", AttentionLevel.NORMAL))
                if rng.random() < 0.12:
                    p.tags.append(("entitled", AttentionLevel.NORMAL))
            if 18 <= age < 60:
                x = rng.random()
                if x < 0.00025:
                    p.tags.append(("community_correction", AttentionLevel.SERIOUS))
                elif x < 0.00025 + (0.0007 if p.gender == M else 0.0001):
                    p.tags.append(("released_prisoner", AttentionLevel.MEDIUM))
            if age >= 16 and rng.random() < 0.0006:
                p.tags.append(("severe_mental_disorder", rng.choice([AttentionLevel.MEDIUM, AttentionLevel.SERIOUS])))
        if tenant:
            return
        elderly = all(age >= 60 for age in ages)
        if n == 1 and elderly:
            head = members[0]
            head.tags.append(
                ("living_alone_elderly", AttentionLevel.MEDIUM if ages[0] >= 80 else AttentionLevel.NORMAL)
            )
            if rng.random() < 0.10:
                head.tags.append(("childless_elderly", AttentionLevel.MEDIUM))
            if rng.random() < 0.12 or (head.disability_type and rng.random() < 0.3):
                head.tags.append(("tekun", AttentionLevel.MEDIUM))
                return
        elif elderly:
            for p in members:
                p.tags.append(("empty_nest_elderly", AttentionLevel.NORMAL))
            if rng.random() < 0.015:
                for p in members:
                    p.tags.append(("shidu", AttentionLevel.MEDIUM))
        disabled = any(p.disability_type for p in members)
        x = rng.random()
        if x < (0.08 if disabled else 0.0095):
            for p in members:
                p.tags.append(("dibao", AttentionLevel.NORMAL))
        elif x < (0.1 if disabled else 0.0135):
            for p in members:
                p.tags.append(("dibao_marginal", AttentionLevel.NORMAL))


def _cumulative(weights: Iterable[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _surname(name: str) -> str:
    return name[:2] if name[:2] in SURNAME_WEIGHTS else name[:1]


def _education(rng: random.Random, year: int, age: float) -> str:
    if age < 6:
        return ""
    if age < 12:
        return Education.PRIMARY
    if age < 15:
        return Education.JUNIOR
    if age < 18:
        return Education.SENIOR
    levels = [
        Education.NONE,
        Education.PRIMARY,
        Education.JUNIOR,
        Education.SENIOR,
        Education.COLLEGE,
        Education.BACHELOR,
        Education.POSTGRADUATE,
    ]
    if year < 1950:
        weights = [25, 45, 20, 8, 1, 1, 0]
    elif year < 1965:
        weights = [6, 30, 40, 18, 4, 2, 0]
    elif year < 1980:
        weights = [1, 10, 40, 30, 12, 6, 1]
    elif year < 1995:
        weights = [0, 3, 22, 30, 25, 17, 3]
    else:
        weights = [0, 1, 10, 25, 30, 29, 5]
    return rng.choices(levels, weights=weights)[0]
