// Every zone with the zone it is part of: `id`, `parent` (null for a top zone), `lat`, `lon`.
// For patient counts, whose suppression is computed over a whole hierarchy at once, and the
// in-memory gap index.
// idempotent: yes
MATCH (z:Zone)
OPTIONAL MATCH (z)-[:PART_OF]->(parent:Zone)
RETURN z.id AS id, parent.id AS parent, z.lat AS lat, z.lon AS lon
ORDER BY id
