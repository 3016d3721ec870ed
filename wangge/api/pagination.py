"""The one pagination of every API list: `limit` and `offset` bounded, so no number reaches the database unchecked."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000  # past a district's million residents; far inside every database's integer range


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")
