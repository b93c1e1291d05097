"""Saved map layouts: each zone's node positions (and what the map held) stored in the graph,
so the next map puts every known node in the same place and a diff shows what changed.

One `MapLayout` node per zone: `positions` (JSON: node id -> [x, y] in page pixels), `ties`
(JSON: "a|b" -> kinds of the actor tie) and provenance (`saved_at`, `workshop`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphsvc.store import Store


@dataclass(frozen=True)
class SavedLayout:
    """Positions and contents of a zone's map when it was saved."""

    zone: str
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)  # node id -> kind (actor, zone...)
    ties: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    saved_at: str | None = None
    workshop: str | None = None


def tie_key(a: str, b: str) -> str:
    """The key of an undirected actor tie in a saved layout."""
    return f"{a}|{b}" if a <= b else f"{b}|{a}"


def load_layout(store: Store, zone_id: str) -> SavedLayout | None:
    """The zone's saved layout, or None (one round trip)."""
    rows = store.run("get_map_layout", zone=zone_id)
    if not rows:
        return None
    row = rows[0]
    positions = json.loads(row["positions"] or "{}")
    ties = json.loads(row["ties"] or "{}")
    return SavedLayout(
        zone=zone_id,
        positions={k: (float(v[0]), float(v[1])) for k, v in positions.items()},
        kinds={k: str(v[2]) for k, v in positions.items() if len(v) > 2},
        ties={k: tuple(v) for k, v in ties.items()},
        saved_at=row["saved_at"],
        workshop=row["workshop"],
    )


# Shared-patient ties are never saved: a layout kept in the graph would become an unaudited
# history of which actors shared patients when.
ACTOR_TIES = ("collaboration", "network")


def layout_of(
    nodes: Sequence[Mapping[str, Any]],
    edges: Sequence[Mapping[str, Any]],
    moved: Mapping[str, Sequence[float]] | None = None,
) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """Positions (x, y, kind) and actor ties of a built map, as saved; `moved` (node
    positions from the page, e.g. dragged by the facilitator) wins for the nodes it names."""
    positions: dict[str, list[Any]] = {
        n["id"]: [float(n["x"]), float(n["y"]), n["kind"]] for n in nodes
    }
    for node_id, xy in (moved or {}).items():
        if node_id in positions:
            positions[node_id][:2] = [round(float(xy[0]), 1), round(float(xy[1]), 1)]
    ties = {
        tie_key(e["from"], e["to"]): [k for k in e["kinds"] if k in ACTOR_TIES]
        for e in edges
        if e.get("kinds") and e["kind"] in ACTOR_TIES and set(e["kinds"]) & set(ACTOR_TIES)
    }
    return positions, ties


def save_layout(
    store: Store,
    zone_id: str,
    positions: Mapping[str, Sequence[Any]],
    ties: Mapping[str, Sequence[str]],
    saved_at: str,
    workshop: str | None = None,
) -> None:
    """Store (or replace) the zone's layout."""
    store.run(
        "merge_map_layout",
        zone=zone_id,
        positions=json.dumps(dict(sorted(positions.items())), separators=(",", ":")),
        ties=json.dumps(dict(sorted(ties.items())), separators=(",", ":")),
        saved_at=saved_at,
        workshop=workshop,
    )


def diff(
    saved: SavedLayout, nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """What changed since the layout was saved: actors and ties added, removed, changed."""
    _positions, ties = layout_of(nodes, edges)
    now = {n["id"] for n in nodes if n["kind"] == "actor"}
    before = {k for k, kind in saved.kinds.items() if kind == "actor"}
    common = set(ties) & set(saved.ties)
    return {
        "since": saved.saved_at,
        "workshop": saved.workshop,
        "actors_added": sorted(now - before),
        "actors_removed": sorted(before - now),
        "ties_added": sorted(set(ties) - set(saved.ties)),
        "ties_removed": sorted(set(saved.ties) - set(ties)),
        "ties_changed": [
            {"tie": k, "before": list(saved.ties[k]), "now": ties[k]}
            for k in sorted(common)
            if list(saved.ties[k]) != ties[k]
        ],
    }
