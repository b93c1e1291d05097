"""What a map needs from the database: the zone's network, the planner's gaps and overlaps,
the saved layout and the workshop proposals; then `build_map` on them (maps -> core, one way)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphsvc.core.network import compute_measures, fetch_zone_network
from graphsvc.errors import InputError, NotFound
from graphsvc.maps.build import NetworkMap, build_map
from graphsvc.maps.layout import load_layout
from graphsvc.maps.proposals import load_proposals
from graphsvc.store import Store

MIN_HOPS, MAX_HOPS, DEFAULT_HOPS = 1, 4, 1


def check_hops(hops: int) -> int:
    """Hops of an ego view: 1 to 4, or InputError naming the argument."""
    if isinstance(hops, bool) or not isinstance(hops, int) or not MIN_HOPS <= hops <= MAX_HOPS:
        raise InputError([f"argument hops: {hops!r} is not between {MIN_HOPS} and {MAX_HOPS}"])
    return hops


def actor_network_zone(store: Store, actor_id: str) -> str:
    """The zone whose network an actor's ego map uses: its pilot zone, else its own zone."""
    rows = store.run("get_network_actor_home", id=actor_id)
    if not rows:
        raise NotFound(f"argument focusActorId: unknown actor {actor_id!r}")
    zones = sorted(
        (z for z in rows[0]["zones"] or [] if z.get("id") is not None), key=lambda z: z["depth"]
    )
    if not zones:
        raise InputError([f"argument focusActorId: actor {actor_id!r} is not located in a zone"])
    pilot = next((z["id"] for z in zones if z["level"] == "pilot_zone"), None)
    return pilot or zones[0]["id"]


GAP_FIELDS = ("zone", "need", "need_name", "status", "ratio", "rollup")
OVERLAP_FIELDS = ("zone", "service_type", "service_type_name", "providers", "fragmented")


def _plain(row: Any, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a planner row (a mapping, or an object with attributes/properties)."""
    if isinstance(row, Mapping):
        return {n: row[n] for n in names if n in row}
    return {n: getattr(row, n) for n in names if hasattr(row, n)}


def planner_overlay(store: Store, zone_id: str) -> tuple[list[dict], list[dict]]:
    """Gaps and overlaps of the zone from the planner modules (roll-up rows left out: the
    parts carry the detail)."""
    from graphsvc.core.gaps import zone_gaps
    from graphsvc.core.overlaps import zone_overlaps

    gaps = [_plain(r, GAP_FIELDS) for r in zone_gaps(store, zone_id)]
    gaps = [g for g in gaps if not g.get("rollup")]
    overlaps = [_plain(r, OVERLAP_FIELDS) for r in zone_overlaps(store, zone_id)]
    return gaps, overlaps


def _add_names(store: Store, gaps: list[dict], overlaps: list[dict]) -> None:
    """Give planner rows the names of their need and service types (one query per kind)."""
    from graphsvc.core.directory import list_need_types, list_service_types

    if gaps:
        needs = {n.code: n.name for n in list_need_types(store)}
        for g in gaps:
            g.setdefault("need_name", needs.get(g.get("need")))
    if overlaps:
        types = {t.code: t.name for t in list_service_types(store)}
        for o in overlaps:
            o.setdefault("service_type_name", types.get(o.get("service_type")))


def zone_map(
    store: Store,
    zone_id: str | None,
    *,
    focus: str | None = None,
    hops: int | None = None,
    include: Iterable[str] | None = None,
    max_nodes: int | None = None,
) -> NetworkMap:
    """The map of a zone's network, or the ego view of `focus` at `hops` in its network; in
    the places of the zone's saved layout, with the workshop proposals not yet confirmed."""
    if hops is not None:
        check_hops(hops)
    if zone_id is None:
        if focus is None:
            raise InputError(["argument zoneId: give a zone, or an actor to focus on"])
        zone_id = actor_network_zone(store, focus)
    net = fetch_zone_network(store, zone_id)
    if focus is not None and focus not in {a.id for a in net.actors}:
        actor_network_zone(store, focus)  # NotFound for an unknown actor
        raise InputError(
            [f"argument focusActorId: actor {focus!r} is not in the network of zone {zone_id!r}"]
        )
    gaps, overlaps = planner_overlay(store, zone_id)
    _add_names(store, gaps, overlaps)
    return build_map(
        net,
        compute_measures(net),
        gaps,
        overlaps,
        include=include,
        focus=focus,
        hops=DEFAULT_HOPS if hops is None else hops,
        max_nodes=max_nodes,
        layout=load_layout(store, zone_id),
        proposals=load_proposals(store, zone_id),
    )


def actor_map(store: Store, actor_id: str, hops: int = DEFAULT_HOPS, **options: Any) -> NetworkMap:
    """The ego view of one actor at `hops` ties, in the network of its pilot zone."""
    check_hops(hops)
    return zone_map(
        store, actor_network_zone(store, actor_id), focus=actor_id, hops=hops, **options
    )
