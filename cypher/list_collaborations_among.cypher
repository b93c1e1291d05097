// Collaborating pairs among some actors, each pair once (either direction).
// Columns: `source`, `target` with source < target.
// idempotent: yes
MATCH (a:Actor)-[:COLLABORATES_WITH]-(b:Actor)
WHERE a.id IN $ids AND b.id IN $ids AND a.id < b.id
RETURN DISTINCT a.id AS source, b.id AS target
ORDER BY source, target
