"""The person table carries the indexes the search needs and no pattern indexes on columns compared for equality."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="varchar_pattern_ops indexes exist on PostgreSQL only")
def test_hash_and_code_columns_have_no_pattern_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'people_person'")
        names = {name for (name,) in cursor.fetchall()}
    like = {name for name in names if name.endswith("_like")}
    for column in (
        "id_hash",
        "id_tail4",
        "id_tail6",
        "phone_hash",
        "phone_tail4",
        "residency",
        "identity_color",
        "source_state",
    ):
        assert not any(name.startswith(f"people_person_{column}_") for name in like), column
    # prefix search on names and their pinyin keeps its pattern indexes
    for column in ("name", "name_pinyin", "name_initials"):
        assert any(name.startswith(f"people_person_{column}_") for name in like), column
