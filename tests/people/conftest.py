from __future__ import annotations

import random
from datetime import date

import pytest

from wangge.core.idcard import random_citizen_id


@pytest.fixture
def new_id() -> object:
    rng = random.Random(4212)

    def make(birth: date = date(1980, 5, 17), gender: str = "M", area: str = "421202") -> str:
        return random_citizen_id(rng, area, birth, gender)

    return make
