"""Seed the catalogue of groups communities care for and watch over (关怀对象 / 特殊人群)."""

from django.db import migrations

# (code, name, category, sensitive)
TAGS = [
    ("living_alone_elderly", "独居老人", "care", False),
    ("empty_nest_elderly", "空巢老人", "care", False),
    ("childless_elderly", "孤寡老人", "care", False),
    ("very_old", "高龄老人", "care", False),
    ("disabled", "残疾人", "care", False),
    ("dibao", "低保", "assistance", False),
    ("tekun", "特困", "assistance", False),
    ("dibao_marginal", "低保边缘", "assistance", False),
    ("veteran", "退役军人", "care", False),
    ("entitled", "优抚对象", "care", False),
    ("shidu", "失独家庭", "care", False),
    ("children_in_difficulty", "困境儿童", "care", False),
    ("left_behind_children", "留守儿童", "care", False),
    ("women_childbearing_age", "育龄妇女", "other", False),
    ("floating", "流动人口", "other", False),
    ("community_correction", "社区矫正", "special", True),
    ("released_prisoner", "刑满释放", "special", True),
    ("severe_mental_disorder", "严重精神障碍", "special", True),
]


def seed(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    for order, (code, name, category, sensitive) in enumerate(TAGS, start=1):
        Tag.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "is_sensitive": sensitive, "sort_order": order}
        )


def unseed(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    Tag.objects.filter(code__in=[t[0] for t in TAGS], person_tags__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_persons_households_tags")]
    operations = [migrations.RunPython(seed, unseed)]
