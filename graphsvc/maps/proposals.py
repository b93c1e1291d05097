"""Workshop proposals a map shows until a planner confirms them: ties between known actors,
actors the participants found missing, and priorities (never anything about patients)."""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.store import Store


@dataclass(frozen=True)
class Proposal:
    """One proposal of a workshop (kind: tie, actor or priority) and where it came from."""

    id: str
    kind: str
    workshop: str
    date: str
    facilitator: str
    source: str | None = None  # tie
    target: str | None = None  # tie
    type: str | None = None  # tie: a collaboration kind
    name: str | None = None  # missing actor
    line: str | None = None  # missing actor
    zone: str | None = None  # missing actor: where it should be
    actor: str | None = None  # priority: about this actor (optional)
    text: str | None = None  # priority
    note: str | None = None


def load_proposals(store: Store, zone_id: str) -> tuple[Proposal, ...]:
    """The zone's proposals still waiting for a planner (one round trip), by id."""
    return tuple(
        Proposal(**{k: r[k] for k in Proposal.__dataclass_fields__})
        for r in store.run("list_map_proposals", zone=zone_id)
    )
