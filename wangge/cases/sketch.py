"""Where a case is, drawn on its grid's boundary as an inline SVG (no tiles, no script: intranets have neither)."""

from __future__ import annotations

import itertools
import math
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


def _inside(point: Point, ring: list[Point]) -> bool:
    """Ray casting: is the point inside the ring (lng, lat)?"""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _metres_to_segment(point: Point, a: Point, b: Point) -> float:
    """Distance in metres from a point to a segment, on a local flat projection (fine at grid scale)."""
    scale_x = 111_320 * math.cos(math.radians(point[1]))
    px, py = point[0] * scale_x, point[1] * 110_540
    ax, ay, bx, by = a[0] * scale_x, a[1] * 110_540, b[0] * scale_x, b[1] * 110_540
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def metres_outside(boundary: Any, lat: float, lng: float) -> float | None:
    """How far the point lies outside the boundary in metres (0 inside); None when there is no boundary."""
    rings = _rings(boundary)
    if not rings:
        return None
    point = (lng, lat)
    if any(_inside(point, ring) for ring in rings):
        return 0.0
    return min(_metres_to_segment(point, a, b) for ring in rings for a, b in itertools.pairwise(ring))
