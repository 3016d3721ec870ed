from ninja import Schema


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


class ErrorOut(Schema):
    detail: str
