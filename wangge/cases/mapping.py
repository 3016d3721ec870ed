"""Where a case is, drawn on its grid's boundary as an inline SVG (no tiles, no script: intranets have neither)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Point = tuple[float, float]


@dataclass(frozen=True)
class GridSketch:
    size: int
    polygons: list[str]  # SVG "x,y x,y …" point lists
    dot: Point | None


def _rings(boundary: Any) -> list[list[Point]]:
    if not isinstance(boundary, dict):
        return []
    kind, coordinates = boundary.get("type"), boundary.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [[(float(x), float(y)) for x, y, *_rest in polygon[0]] for polygon in polygons if polygon]


def grid_sketch(
    boundary: Any, lat: Decimal | float | None, lng: Decimal | float | None, *, size: int = 200, pad: int = 10
) -> GridSketch | None:
    """The grid's outline scaled into a `size` square (north up), with the case's point when it has one."""
    rings = _rings(boundary)
    point = (float(lng), float(lat)) if lat is not None and lng is not None else None
    everything = [p for ring in rings for p in ring] + ([point] if point else [])
    if not rings or not everything:
        return None
    xs, ys = [p[0] for p in everything], [p[1] for p in everything]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = (size - 2 * pad) / span

    def project(p: Point) -> Point:
        return (round(pad + (p[0] - min(xs)) * scale, 1), round(size - pad - (p[1] - min(ys)) * scale, 1))

    polygons = [" ".join(f"{x},{y}" for x, y in map(project, ring)) for ring in rings]
    return GridSketch(size=size, polygons=polygons, dot=project(point) if point else None)


def centre(boundary: Any) -> Point | None:
    """The mean of the outline's vertices as (lng, lat): good enough to place demo cases inside a grid."""
    points = [p for ring in _rings(boundary) for p in ring[:-1]]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
