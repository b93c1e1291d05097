"""Entity matching: which actor already in the database an incoming actor is.

In order, first found wins:
1. the source's own earlier link for that record (source, source id -> canonical);
2. the same id (a re-import, or an export imported back);
3. an establishment identifier (AFMPS, NIHDI; KBO/CBE names an enterprise, never matched alone);
4. a steward's decision on a reviewed pair (accepted: merged; rejected: never proposed again);
5. a score: candidates within `BLOCK_KM` (spatial blocking on a grid), compared field by field
   with rapidfuzz (names token-based after removing legal forms and generic words, street and
   house number, phone, website when both sides have them) and by distance. A score of at
   least `MERGE_AT` merges, `REVIEW_AT` up to it queues the pair for review (the record is not
   written until a steward decides), below it the record is new.

Each existing actor takes at most one incoming actor per import (the best score; the other goes
to review). A merged actor's services keep their own ids unless the source linked them before
or the actor has exactly one service of that type not yet claimed (another source's record of
the same service): re-importing a source updates by (source, source id) and nothing else.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from graphsvc.core.coverage import distance_km
from graphsvc.io.bundle import Record
from graphsvc.store.base import Row, Store

BLOCK_KM = 0.3  # candidates further apart than this are never compared (derived lists: <= 80 m)
MERGE_AT = 0.80  # score from which a pair is merged automatically
REVIEW_AT = 0.62  # score from which (up to MERGE_AT) a pair is queued for review
MARGIN = 0.08  # a best candidate this close to the second best goes to review
UNIQUE_SCHEMES = ("afmps", "nihdi")  # identify one establishment or professional
WEIGHTS = {"name": 0.55, "distance": 0.25, "street": 0.15, "number": 0.05, "phone": 0.1,
           "website": 0.1}  # fmt: skip
_GENERIC = {
    "pharmacie", "apotheek", "apotheke", "pharmacy", "pharma", "pharm", "ph", "apo", "apot",
    "de", "la", "le", "les", "du", "des", "het", "d", "l", "van", "der", "den", "et", "en",
    "and", "of", "the", "sprl", "bvba", "srl", "bv", "sa", "nv", "scrl", "cvba", "sc", "cv",
    "asbl", "vzw", "inc", "llc", "comm", "v", "snc", "sprlu", "scs", "commv", "officine",
}  # fmt: skip
_LONG_FORMS = {"st": "saint", "ste": "sainte", "sint": "saint", "dr": "docteur"}
_KINDS = ("discipline", "line")  # known on both sides and different: never the same actor
_GRID = BLOCK_KM / 111.0  # degrees of latitude per grid cell


def normalised_name(name: str) -> str:
    """Lowercase ASCII words without legal forms, articles and generic words ('pharmacy')."""
    words = _words(name)
    kept = [_LONG_FORMS.get(w, w) for w in words if w not in _GENERIC]
    return " ".join(kept)


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


def street_and_number(address: str) -> tuple[str, str]:
    """('rue du chene', '38') from 'Rue Du Chene 38 C' (first number is the house number)."""
    words = _words(address)
    numbers = [w for w in words if w[:1].isdigit()]
    street = " ".join(w for w in words if not w[:1].isdigit())
    return street, (re.match(r"\d+", numbers[0]).group(0) if numbers else "")  # type: ignore[union-attr]


def _digits(text: str) -> str:
    found = re.sub(r"\D", "", text or "")
    return found[-9:]  # national number without country code or trunk prefix


def _site(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", (url or "").strip().lower()).split("/")[0]
    return host.removeprefix("www.")


def compare(mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float]:
    """Per-field similarities in [0, 1] of two actors (only fields both sides have)."""
    out: dict[str, float] = {}
    a, b = normalised_name(mine.get("name") or ""), normalised_name(theirs.get("name") or "")
    if a and b:
        out["name"] = max(fuzz.token_set_ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100
    elif (mine.get("name") or "").strip().lower() == (theirs.get("name") or "").strip().lower():
        out["name"] = 1.0  # both names only generic words ('Pharmacie'), and equal
    km = distance_km(mine["lat"], mine["lon"], theirs["lat"], theirs["lon"])
    out["distance"] = max(0.0, 1 - km / BLOCK_KM)
    if mine.get("address") and theirs.get("address"):
        s1, n1 = street_and_number(mine["address"])
        s2, n2 = street_and_number(theirs["address"])
        if s1 and s2:
            out["street"] = fuzz.token_set_ratio(s1, s2) / 100
        if n1 and n2:
            out["number"] = 1.0 if n1 == n2 else 0.0
    if _digits(mine.get("phone", "")) and _digits(theirs.get("phone", "")):
        out["phone"] = 1.0 if _digits(mine["phone"]) == _digits(theirs["phone"]) else 0.0
    if _site(mine.get("url", "")) and _site(theirs.get("url", "")):
        out["website"] = 1.0 if _site(mine["url"]) == _site(theirs["url"]) else 0.0
    return out


def score(fields: dict[str, float]) -> float:
    """The weighted mean of the field similarities present (0 without a name comparison)."""
    if "name" not in fields:
        return 0.0
    total = sum(WEIGHTS[f] for f in fields)
    return round(sum(WEIGHTS[f] * v for f, v in fields.items()) / total, 4)


@dataclass
class MatchContext:
    """What matching knows of the database: its actors (with what is compared and their
    services), this source's earlier links and the steward's decisions."""

    actors: list[Row] = field(default_factory=list)
    services: dict[str, Row] = field(default_factory=dict)  # id -> full service row
    # (table, source id) -> (canonical id, how, score) of this source's earlier records
    links: dict[tuple[str, str], tuple[str, str, float | None]] = field(default_factory=dict)
    decisions: dict[tuple[str, str], str] = field(default_factory=dict)  # (sid, cand) -> accept
    source: str | None = None
    kind: str | None = None  # the source's kind (authority.csv); None: no survivorship


@dataclass
class MatchReport:
    """Which incoming actors were merged into existing ones, which are new, which queued."""

    merged: dict[str, tuple[str, str]] = field(default_factory=dict)  # in -> (existing, how)
    new: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # in -> candidates (review)
    review: dict[str, tuple[str, float, dict[str, float]]] = field(default_factory=dict)
    scores: dict[str, tuple[float, dict[str, float]]] = field(default_factory=dict)
    services: dict[str, tuple[str, str]] = field(default_factory=dict)  # in -> (id, how)
    held: dict[str, Record] = field(default_factory=dict)  # actors queued for review, unwritten
    settled: Any = None  # sources_authority.Settled, when the source's kind is known
    linked: set[str] = field(default_factory=set)  # found by this source's earlier records
    partial: bool = False  # the source names changes only (FHIR transactions): see `deleted`
    deleted: list[tuple[str, str | None]] = field(default_factory=list)  # (table, source id)

    def lines(self) -> list[str]:
        how: dict[str, int] = defaultdict(int)
        for incoming, (_, way) in self.merged.items():
            how["this source's earlier records" if incoming in self.linked else way] += 1
        ways = ", ".join(f"{n:,} by {w}" for w, n in sorted(how.items()))
        out = [f"matching: {len(self.merged):,} merged ({ways or 'none'}), {len(self.new):,} new, "
               f"{len(self.review):,} queued for review (not imported until decided: "
               f"`graphsvc matches review`)"]  # fmt: skip
        for incoming, (candidate, value, _) in sorted(self.review.items())[:10]:
            out.append(f"  review: {incoming} could be {candidate} (score {value:.2f})")
        return out + (self.settled.lines() if self.settled else [])


def candidates_from(
    store: Store, source: str | None = None, kind: str | None = None
) -> MatchContext:
    """The actors and services already in the database, with this source's earlier links and
    the review decisions about its records (three or four round trips)."""
    actors = [_with_compared(a) for a in store.run("list_actors_for_matching")]
    services = {s["id"]: s for s in store.run("list_services_for_matching")}
    context = MatchContext(actors=actors, services=services, source=source, kind=kind)
    if source:
        for row in store.run("list_source_links", source=source):
            context.links[(row["table"], row["source_id"])] = (
                row["canonical"],
                row["how"],
                row["score"],
            )
        for row in store.run("list_match_decisions", source=source):
            context.decisions[(row["source_id"], row["canonical"])] = row["decision"]
    return context


def _with_compared(actor: Row) -> Row:
    """The actor with the address, phone and url its source records hold (first found)."""
    for record in actor.get("records") or []:
        values = json.loads(record.get("values") or "{}")
        for name in ("address", "phone", "url"):
            if values.get(name) and not actor.get(name):
                actor[name] = values[name]
    return actor


def match_records(
    records: dict[str, list[Record]],
    candidates: MatchContext | list[Row],
    extra: dict[str, dict[str, Any]] | None = None,
) -> MatchReport:
    """Match the incoming actors against the database and rewrite the records in place.

    `extra` holds, per incoming actor id, fields compared but not kept on the actor (address,
    phone, url)."""
    context = candidates if isinstance(candidates, MatchContext) else MatchContext(candidates)
    report = MatchReport()
    by_id = {c["id"]: c for c in context.actors}
    by_identifier: dict[tuple[str, str], list[str]] = defaultdict(list)
    grid: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for c in context.actors:
        for scheme in UNIQUE_SCHEMES:
            if c.get(scheme):
                by_identifier[(scheme, str(c[scheme]))].append(c["id"])
        if c.get("lat") is not None and c.get("lon") is not None:
            grid[_cell(c["lat"], c["lon"])].append(c)
    identifiers: dict[str, dict[str, str]] = defaultdict(dict)
    for _, row in records.get("actor_identifiers", []):
        identifiers[row["actor"]][row["scheme"]] = str(row["value"])
    claimed: dict[str, tuple[str, float]] = {}  # existing id -> (incoming, score) this import
    proposals: list[tuple[float, str, str, dict[str, float]]] = []
    extra = extra or {}
    for _, actor in records.get("actors", []):
        aid = actor["id"]
        link = context.links.get(("actors", aid))
        if link and link[0] in by_id and link[1] != "queued":
            report.merged[aid] = (link[0], link[1])
            report.linked.add(aid)
            if link[2] is not None:
                report.scores[aid] = (link[2], {})
            claimed[link[0]] = (aid, 2.0)
            continue
        if aid in by_id:
            report.merged[aid] = (aid, "id")
            claimed[aid] = (aid, 2.0)
            continue
        found = _by_identifier(identifiers.get(aid, {}), by_identifier)
        if found is not None and len(found) == 1:
            report.merged[aid] = (found[0], "identifier")
            claimed[found[0]] = (aid, 2.0)
            continue
        accepted = [c for (s, c), d in context.decisions.items() if s == aid and d == "accept"]
        if accepted and accepted[0] in by_id:
            report.merged[aid] = (accepted[0], "review")
            claimed[accepted[0]] = (aid, 2.0)
            continue
        mine = {**actor, **extra.get(aid, {})}
        ranked = _ranked(mine, identifiers.get(aid, {}), grid, extra, context, aid)
        if found:  # several actors carry the identifier: the best scored of them, reviewed
            ranked = [r for r in ranked if r[1] in found] or [(0.0, found[0], {})]
            report.review[aid] = (ranked[0][1], ranked[0][0], ranked[0][2])
            report.ambiguous[aid] = sorted(found)
            continue
        if not ranked or ranked[0][0] < REVIEW_AT:
            report.new.append(aid)
            if ranked:
                report.scores[aid] = (ranked[0][0], ranked[0][2])
            continue
        best, second = ranked[0], (ranked[1] if len(ranked) > 1 else None)
        close = second is not None and second[0] >= REVIEW_AT and best[0] - second[0] < MARGIN
        if best[0] >= MERGE_AT and not close:
            proposals.append((best[0], aid, best[1], best[2]))
        else:
            report.review[aid] = (best[1], best[0], best[2])
            if close and second is not None:
                report.ambiguous[aid] = [best[1], second[1]]
    for value, aid, existing, fields in sorted(proposals, key=lambda p: (-p[0], p[1])):
        if existing in claimed:  # another record of this import is this actor: review
            report.review[aid] = (existing, value, fields)
            continue
        claimed[existing] = (aid, value)
        report.merged[aid] = (existing, "match")
        report.scores[aid] = (value, fields)
    actors_held = {aid for aid in report.review}
    for where, actor in records.get("actors", []):
        if actor["id"] in actors_held:
            report.held[actor["id"]] = (where, actor)
    _rewrite(records, report, actors_held, context)
    if context.kind is not None:
        from graphsvc.io.sources_authority import settle

        ids = {("actors", existing): aid for aid, (existing, _) in report.merged.items()}
        ids |= {("actors", aid): aid for aid in report.new}
        ids |= {("services", c): sid for sid, (c, _) in report.services.items()}
        existing_rows = {"actors": by_id, "services": context.services}
        report.settled = settle(records, existing_rows, context.source, context.kind, ids)
    return report


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _GRID), math.floor(lon * math.cos(math.radians(lat)) / _GRID)


def _ranked(
    mine: dict[str, Any],
    my_ids: dict[str, str],
    grid: dict[tuple[int, int], list[Row]],
    extra: dict[str, dict[str, Any]],
    context: MatchContext,
    aid: str,
) -> list[tuple[float, str, dict[str, float]]]:
    """Candidates within BLOCK_KM, best score first (rejected pairs left out)."""
    if mine.get("lat") is None or mine.get("lon") is None:
        return []
    row, col = _cell(mine["lat"], mine["lon"])
    out = []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            for c in grid.get((row + dr, col + dc), []):
                if context.decisions.get((aid, c["id"])) == "reject":
                    continue
                if any(c.get(s) and s in my_ids and str(c[s]) != my_ids[s] for s in UNIQUE_SCHEMES):
                    continue  # a different establishment number: a different actor
                if any(mine.get(k) and c.get(k) and mine[k] != c[k] for k in _KINDS):
                    continue  # a pharmacy is not the hospital it stands in
                if distance_km(mine["lat"], mine["lon"], c["lat"], c["lon"]) > BLOCK_KM:
                    continue
                fields = compare(mine, c)
                out.append((score(fields), c["id"], fields))
    return sorted(out, key=lambda r: (-r[0], r[1]))


def _by_identifier(mine: dict[str, str], index: dict[tuple[str, str], list[str]]) -> Any:
    for scheme in UNIQUE_SCHEMES:
        if scheme in mine and (scheme, mine[scheme]) in index:
            return sorted(index[(scheme, mine[scheme])])
    return None


def _rewrite(
    records: dict[str, list[Record]], report: MatchReport, held: set[str], context: MatchContext
) -> None:
    """Point every reference to a merged actor at the existing one; leave out actors queued for
    review and what depends on them; give each service its canonical id (see the module)."""
    rename = {aid: existing for aid, (existing, _) in report.merged.items() if aid != existing}
    of_actor: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in context.services.values():
        of_actor[(s["actor"], s["type"])].append(s["id"])
    linked = {canonical for (table, _), (canonical, _, _) in context.links.items()
              if table == "services"}  # fmt: skip
    incoming_ids = {s["id"] for _, s in records.get("services", [])}
    taken: set[str] = set()
    service_rename: dict[str, str] = {}
    dropped: set[str] = set()
    kept = []
    for where, service in records.get("services", []):
        sid = service["id"]
        if service["actor"] in held:
            dropped.add(sid)
            continue
        actor = rename.get(service["actor"], service["actor"])
        link = context.links.get(("services", sid))
        if link and link[0] in context.services:
            canonical, how = link[0], link[1]
        elif sid in context.services or service["actor"] == actor:
            canonical, how = sid, "id" if sid in context.services else "new"
        else:  # a new record of a service of an actor merged from another source
            options = [o for o in of_actor.get((actor, service["type"]), [])
                       if o not in linked and o not in taken and o not in incoming_ids]  # fmt: skip
            canonical, how = (options[0], "match") if len(options) == 1 else (sid, "new")
        taken.add(canonical)
        if canonical != sid:
            service_rename[sid] = canonical
        report.services[sid] = (canonical, how)
        kept.append((where, {**service, "actor": actor, "id": canonical}))
    records["services"] = kept
    columns = {"actors": ("id",), "actor_identifiers": ("actor",), "memberships": ("actor",),
               "collaborations": ("source", "target"), "patients": ("case_manager",)}  # fmt: skip
    for table, names in columns.items():
        rows = []
        for where, row in records.get(table, []):
            if any(row.get(n) in held for n in names):
                continue
            rows.append((where, {**row, **{n: rename.get(row[n], row[n]) for n in names}}))
        if table in records:
            records[table] = rows
    if "service_classifications" in records:
        records["service_classifications"] = [
            (w, {**r, "service": service_rename.get(r["service"], r["service"])})
            for w, r in records["service_classifications"]
            if r["service"] not in dropped
        ]
    _dedupe(records, "actors", ("id",))
    _dedupe(records, "actor_identifiers", ("actor", "scheme"))
    _dedupe(records, "services", ("id",))
    _dedupe(records, "service_classifications", ("service", "type"))


def _dedupe(records: dict[str, list[Record]], table: str, key: tuple[str, ...]) -> None:
    """Two incoming records merged into one existing actor: keep the first."""
    seen: set[tuple] = set()
    rows = []
    for where, row in records.get(table, []):
        k = tuple(row[n] for n in key)
        if k not in seen:
            seen.add(k)
            rows.append((where, row))
    if table in records:
        records[table] = rows
