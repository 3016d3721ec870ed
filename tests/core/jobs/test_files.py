"""What a ledger job keeps between its steps."""

import pickle
from datetime import date, datetime
from decimal import Decimal

from wangge.core.jobs.files import plain_pickle


def test_plain_pickle_reads_back_what_the_stored_cells_and_plans_hold() -> None:
    shared = ["高龄老人", "低保"]
    value = (
        2,
        ["name", "birth_date"],
        [
            [None, "张三", 1950.0, 18324, True, date(1950, 3, 2), datetime(2026, 1, 2, 3, 4, 5), "=1+1", "", b"x"],
            (7, ["证件号码：校验码不对"], ("李四", None), shared, shared, Decimal("1.50")),
        ],
    )
    back = pickle.loads(plain_pickle(value))  # noqa: S301
    assert back == value
    assert back[2][1][3] is not back[2][1][4]  # an object met twice comes back as two equal copies
