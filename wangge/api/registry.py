"""REST endpoints of the registry: people, households, houses (scoped and masked like the console)."""

from ninja import Router

router = Router(tags=["registry"])
