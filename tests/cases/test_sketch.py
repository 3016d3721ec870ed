"""The grid sketch: the outline scaled into a square, north up, with the case's point."""

from __future__ import annotations

from wangge.cases.sketch import centre, grid_sketch

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[114.30, 29.80], [114.31, 29.80], [114.31, 29.81], [114.30, 29.81], [114.30, 29.80]]],
}


def test_the_outline_fills_the_square_north_up() -> None:
    sketch = grid_sketch(SQUARE, lat=29.81, lng=114.30, size=120, pad=10)
    assert sketch is not None
    assert sketch.polygons == ["10.0,110.0 110.0,110.0 110.0,10.0 10.0,10.0 10.0,110.0"]
    assert sketch.dot == (10.0, 10.0)  # the north-west corner


def test_no_point_no_dot_and_no_boundary_no_sketch() -> None:
    assert grid_sketch(SQUARE, lat=None, lng=None).dot is None  # type: ignore[union-attr]
    assert grid_sketch(None, lat=29.8, lng=114.3) is None
    assert grid_sketch({"type": "Point", "coordinates": [1, 2]}, lat=None, lng=None) is None


def test_centre_of_the_outline() -> None:
    assert centre(SQUARE) == (114.305, 29.805)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    assert centre(multi) == (114.305, 29.805)
