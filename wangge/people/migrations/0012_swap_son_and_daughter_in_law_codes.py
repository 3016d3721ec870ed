"""Stored 女婿 and 儿媳 codes to GB/T 4761-2008: 女婿 is 28 (under 子) and 儿媳 38 (under 女).

Before 0011 the registry stored them the other way round (儿媳 28, 女婿 38); memberships and the
relation values kept in the registry's history are swapped. Swapping twice is the identity, so the
reverse is the same operation.
"""

from django.db import migrations
from django.db.models import Case, Value, When

SWAP = {"28": "38", "38": "28"}


def swap(apps, schema_editor):
    Membership = apps.get_model("people", "Membership")
    Change = apps.get_model("people", "Change")
    Membership.objects.filter(relation__in=SWAP).update(
        relation=Case(When(relation="28", then=Value("38")), default=Value("28"))
    )
    changed = []
    for change in Change.objects.filter(changes__has_key="relation").only("pk", "changes").iterator(chunk_size=2000):
        pair = change.changes.get("relation")
        if isinstance(pair, list) and any(v in SWAP for v in pair):
            change.changes["relation"] = [SWAP.get(v, v) if isinstance(v, str) else v for v in pair]
            changed.append(change)
        if len(changed) >= 2000:
            Change.objects.bulk_update(changed, ["changes"])
            changed = []
    Change.objects.bulk_update(changed, ["changes"])


class Migration(migrations.Migration):
    dependencies = [("people", "0011_relation_codes_gbt4761")]

    operations = [migrations.RunPython(swap, swap)]
