// Upsert locations by id with their detail properties (`props`: a null value removes one)
// and the one actor each belongs to (HAS_LOCATION from another actor is removed; `actor` may
// be null). Returns `written`.
// touches: sources
// idempotent: yes
UNWIND $rows AS row
MERGE (l:Location {id: row.id})
SET l += row.props
SET l.name = row.name, l.lat = row.lat, l.lon = row.lon, l.address = row.address,
    l.accessibility = row.accessibility
WITH l, row
OPTIONAL MATCH (other:Actor)-[old:HAS_LOCATION]->(l)
WHERE row.actor IS NULL OR other.id <> row.actor
DELETE old
WITH DISTINCT l, row
OPTIONAL MATCH (a:Actor {id: row.actor})
FOREACH (actor IN CASE WHEN a IS NULL THEN [] ELSE [a] END |
  MERGE (actor)-[:HAS_LOCATION]->(l))
RETURN count(*) AS written
