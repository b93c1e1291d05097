"""Geography queries: which zone holds each of some points (point-in-polygon)."""

from __future__ import annotations

import strawberry

from graphsvc.api.context import call
from graphsvc.api.types import Ctx, Zone
from graphsvc.errors import InputError
from graphsvc.io.placement import place_points

MAX_POINTS = 10_000


@strawberry.input(description="A WGS84 point.")
class PointInput:
    lat: float
    lon: float


@strawberry.type(description="Where a point falls: its finest zone, or outside every zone.")
class PointPlacement:
    lat: float
    lon: float
    zone_id: strawberry.ID | None
    outside: bool = strawberry.field(
        description="True when no zone polygon holds the point (zone is then null)."
    )

    @strawberry.field(description="The finest zone whose polygon holds the point.")
    async def zone(self, info: Ctx) -> Zone | None:
        if self.zone_id is None:
            return None
        found = await info.context.zones.load(str(self.zone_id))
        return Zone.from_domain(found) if found else None


@strawberry.type
class GeographyQuery:
    @strawberry.field(
        description="The finest zone holding each point (zone polygons; at most 10,000 points)."
    )
    async def zones_at(self, info: Ctx, points: list[PointInput]) -> list[PointPlacement]:
        if len(points) > MAX_POINTS:
            raise InputError([f"argument points: {len(points):,} points, at most {MAX_POINTS:,}"])
        for n, point in enumerate(points):
            if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
                raise InputError([f"argument points[{n}]: not a WGS84 latitude, longitude"])
        pairs = [(p.lat, p.lon) for p in points]
        found = await call(place_points, info.context.store, pairs)
        return [
            PointPlacement(lat=lat, lon=lon, zone_id=strawberry.ID(z) if z else None,
                           outside=z is None)
            for (lat, lon), z in zip(pairs, found, strict=True)
        ]  # fmt: skip
