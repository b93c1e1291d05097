// Demand cells inside a zone: every zone in it (itself included) that records a population
// need, optionally only for some need codes. Columns: `zone`, `need`, `people`, `lat`, `lon`,
// `leaf` (true when the zone has no parts).
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
MATCH (k)-[h:HAS_NEED]->(n:NeedType)
WHERE $needs IS NULL OR n.code IN $needs
OPTIONAL MATCH (part:Zone)-[:PART_OF]->(k)
WITH k, n, h, count(part) AS parts
RETURN k.id AS zone, n.code AS need, h.people AS people, k.lat AS lat, k.lon AS lon,
       parts = 0 AS leaf
ORDER BY zone, need
