"""CSV downloads of the planner reports: /exports/gaps.csv and /exports/overlaps.csv.

`/exports/gaps.csv?zone=ID` takes `method`, `needs`, `target`, `overlap` and `scenario`
(`AS_IS`, the default, or `TO_BE`: also the planned services of action plans; `as-is` and
`to-be` as on the command line); a TO_BE file is named `gaps-ZONE-to-be.csv`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from graphsvc.api.context import call
from graphsvc.api.errors import UNAVAILABLE
from graphsvc.core.coverage import DEFAULT_OVERLAP, DEFAULT_TARGET, Thresholds
from graphsvc.core.gaps import AS_IS, TO_BE, GapQuery, zone_gaps
from graphsvc.core.overlaps import zone_overlaps
from graphsvc.errors import DatabaseUnavailable, InputError, NotFound
from graphsvc.reports import GAP_COLUMNS, OVERLAP_COLUMNS, gap_records, overlap_records, to_csv
from graphsvc.store import Store


def _list(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    return [item for item in raw.split(",") if item] if raw else None


def _number(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise InputError([f"argument {name}: {raw!r} is not a number"]) from None


def _scenario(request: Request) -> str:
    """The `scenario` parameter as GapQuery spells it (AS_IS, TO_BE); checked there."""
    return request.query_params.get("scenario", AS_IS).strip().upper().replace("-", "_")


def _zone(request: Request) -> str:
    zone = request.query_params.get("zone")
    if not zone:
        raise InputError(["argument zone: required, e.g. ?zone=leuven"])
    return zone


async def _gaps_csv(request: Request, store: Store) -> str:
    zone = _zone(request)
    query = GapQuery(
        zone,
        needs=tuple(n) if (n := _list(request, "needs")) else None,
        method=request.query_params.get("method", "catchment").lower(),
        thresholds=Thresholds(
            _number(request, "target", DEFAULT_TARGET), _number(request, "overlap", DEFAULT_OVERLAP)
        ),
        scenario=_scenario(request),
        capacity=request.query_params.get("capacity", "declared").strip().lower(),
    )
    rows = await call(zone_gaps, store, zone, query)
    return to_csv(GAP_COLUMNS, gap_records(rows, query), bom=True)


async def _overlaps_csv(request: Request, store: Store) -> str:
    zone = _zone(request)
    minimum = _number(request, "min_providers", 2)
    if minimum != int(minimum):
        raise InputError([f"argument min_providers: {minimum} is not a whole number"])
    rows = await call(zone_overlaps, store, zone, _list(request, "types"), int(minimum))
    return to_csv(OVERLAP_COLUMNS, overlap_records(rows), bom=True)


def _no_suffix(request: Request) -> str:
    return ""


def _scenario_suffix(request: Request) -> str:
    return "-to-be" if _scenario(request) == TO_BE else ""


def _csv_endpoint(
    name: str,
    build: Callable,
    store_getter: Callable[[], Store],
    local: bool = True,
    suffix: Callable[[Request], str] = _no_suffix,
) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            text = await build(request, store_getter())
        except (InputError, NotFound) as exc:
            return PlainTextResponse(f"{exc}\n", status_code=400)
        except DatabaseUnavailable as exc:
            return PlainTextResponse(f"{exc if local else UNAVAILABLE}\n", status_code=503)
        safe_zone = re.sub(r"[^A-Za-z0-9._-]", "_", request.query_params["zone"])
        filename = f"{name}-{safe_zone}{suffix(request)}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return Route(f"/exports/{name}.csv", endpoint)


def export_routes(store_getter: Callable[[], Store], local: bool = True) -> list[Route]:
    """The CSV export routes over the store the app opened (outside local mode, a database
    failure says nothing about the server)."""
    return [
        _csv_endpoint("gaps", _gaps_csv, store_getter, local, _scenario_suffix),
        _csv_endpoint("overlaps", _overlaps_csv, store_getter, local),
    ]
