// COLLABORATES_WITH ties of a zone network, between actors that are both in $ids: `source`,
// `target`, `kind`, `since` (each stored tie once, in its stored direction).
// idempotent: yes
UNWIND $ids AS wanted
MATCH (a:Actor {id: wanted})-[c:COLLABORATES_WITH]->(b:Actor)
WHERE b.id IN $ids
RETURN a.id AS source, b.id AS target, c.kind AS kind, c.since AS since
ORDER BY source, target
