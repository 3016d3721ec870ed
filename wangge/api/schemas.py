"""Schemas shared by every API module: the error body and the response codes every operation may give."""

from typing import Annotated, Any

from ninja import Field, Schema

# A record id as the API takes it: positive and inside every database's integer range.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class RegionOut(Schema):
    id: int
    name: str
    level: str
    parent_id: int | None
    path: str
    area_code: str
    community_code: str
    grid_code: str
    service_address: str
    service_phone: str


class ScopeOut(Schema):
    id: int
    name: str
    level: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    permissions: list[str]
    scopes: list[ScopeOut]
    language: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(..., description="Where: body, query or path, then the field name")
    msg: str


class ProblemOut(Schema):
    """Every refusal: a sentence in the caller's language, a stable code where the service gives one."""

    detail: str
    code: str = Field("", description="A stable error code, e.g. conflict, bad_phone, not_a_grid")
    errors: list[FieldErrorOut] = Field([], description="The fields that did not validate (422 only)")


class ConflictOut(ProblemOut):
    """A 409: the case changed since the caller read it, or the record duplicates one already stored."""

    existing_id: int | None = Field(
        None, description="The record this one duplicates, when it lies in the caller's scope; else null"
    )


def answers(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """`ok` plus the refusals an operation can give: 401 (no or a bad token) always, and `codes`.

    400 a body that is not JSON, 403 a missing capability, 404 outside the caller's scope, 409 a conflict
    or a duplicate, 422 input the schema or the service refuses, 429 a paused check (wangge.api.errors).
    """
    return {**ok, **{code: ConflictOut if code == 409 else ProblemOut for code in (401, *codes) if code not in ok}}
